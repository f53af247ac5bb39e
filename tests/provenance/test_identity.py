"""The creator's signing identity: made once, reused, keys only in the OS keyring, own chains importable."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging

import pytest
from c2pa_images import png_bytes
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from studio.provenance import (
    IdentityError,
    ProvenanceClaim,
    ensure_identity,
    import_identity,
    load_identity,
    read_credentials,
    sign_image,
    trust_anchors,
)
from studio.provenance import certificates as certs
from studio.provenance import identity as identity_module
from studio.provenance.identity import ca_key_name, signing_key_name
from studio.provenance.layout import identity_files, provenance_folder
from studio.secrets import Secret


def _claim(work_id: str = "w-id") -> ProvenanceClaim:
    return ProvenanceClaim(title="id test", work_id=work_id, mime="image/png", kind="generated")


def _key_needles(pem: str) -> list[bytes]:
    """Byte strings that would betray the private key in a file: PEM body, DER, raw scalar (as bytes and hex)."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    body = "".join(pem.strip().splitlines()[1:-1])
    return [body[:40].encode(), der, scalar, scalar.hex().encode(), base64.b64encode(scalar)]


def _cleanup(store, identity) -> None:
    store.delete(signing_key_name(identity.identity_id))
    store.delete(ca_key_name(identity.identity_id))


def test_identity_is_made_once_and_reused(secret_service, tmp_path):
    first = ensure_identity(secret_service, tmp_path, "Ada Lovelace")
    try:
        chain = certs.load_chain(first.chain_pem)
        assert len(chain) == 2 and first.source == "local" and first.alg == "es256"
        assert first.creator_name == "Ada Lovelace"
        files_before = {p: p.read_bytes() for p in provenance_folder(tmp_path).rglob("*") if p.is_file()}
        again = ensure_identity(secret_service, tmp_path, "Ada Lovelace")
        assert again.fingerprint == first.fingerprint and again.identity_id == first.identity_id
        assert {p: p.read_bytes() for p in provenance_folder(tmp_path).rglob("*") if p.is_file()} == files_before
        assert load_identity(secret_service, tmp_path).fingerprint == first.fingerprint
    finally:
        _cleanup(secret_service, first)


def test_private_keys_are_only_in_the_keyring(secret_service, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    identity = ensure_identity(secret_service, tmp_path, "Key Keeper")
    try:
        sign_image(png_bytes(), "image/png", _claim(), identity)
        leaf_pem = secret_service.get(signing_key_name(identity.identity_id))
        ca_pem = secret_service.get(ca_key_name(identity.identity_id))
        assert leaf_pem and ca_pem and "PRIVATE KEY" in leaf_pem and "PRIVATE KEY" in ca_pem
        assert identity.private_key == Secret(leaf_pem)
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert {p.name for p in files} >= {"identity.json", "chain.pem", "ca.pem"}
        for path in files:
            content = path.read_bytes()
            assert b"PRIVATE KEY" not in content, path
            for needle in _key_needles(leaf_pem) + _key_needles(ca_pem):
                assert needle not in content, path
        assert leaf_pem not in repr(identity)
        log_text = caplog.text.encode()
        assert not any(needle in log_text for needle in _key_needles(leaf_pem) + _key_needles(ca_pem))
        assert certs.key_matches(certs.load_chain(identity.chain_pem)[0], certs.load_key(leaf_pem))
    finally:
        _cleanup(secret_service, identity)


def test_local_certificates_follow_the_c2pa_profile(alice):
    leaf, ca = certs.load_chain(alice.chain_pem)
    assert leaf.issuer == ca.subject and leaf.issuer != leaf.subject
    assert leaf.version is x509.Version.v3
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey) and leaf.public_key().curve.name == "secp256r1"
    basic = leaf.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca is False
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    ekus = set(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in ekus and certs.DOCUMENT_SIGNING in ekus
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    assert aki == ca_ski
    assert leaf.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    ca_basic = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert ca_basic.critical and ca_basic.value.ca
    now = dt.datetime.now(dt.UTC)
    assert leaf.not_valid_before_utc <= now < leaf.not_valid_after_utc <= ca.not_valid_after_utc
    assert leaf.not_valid_after_utc - now > dt.timedelta(days=4 * 365)


def test_a_new_name_reissues_the_certificate_under_the_same_ca(secret_service, tmp_path):
    old = ensure_identity(secret_service, tmp_path, "Old Name")
    try:
        signed = sign_image(png_bytes(), "image/png", _claim(), old)
        new = ensure_identity(secret_service, tmp_path, "New Name")
        assert new.creator_name == "New Name" and new.fingerprint != old.fingerprint
        assert new.identity_id == old.identity_id and new.anchor_pem == old.anchor_pem
        anchors = trust_anchors(tmp_path, new)
        assert read_credentials(signed, "image/png", trust_anchors=anchors).state == "trusted"
        fresh = sign_image(png_bytes(), "image/png", _claim(), new)
        report = read_credentials(fresh, "image/png", trust_anchors=anchors)
        assert report.state == "trusted" and report.signer.common_name == "New Name"
    finally:
        _cleanup(secret_service, old)


def _chain_file(data_dir, identity):
    return identity_files(provenance_folder(data_dir), identity.identity_id) / "chain.pem"


def test_missing_keyring_entry_is_a_clear_error_and_keeps_the_files(secret_service, tmp_path):
    identity = ensure_identity(secret_service, tmp_path, "Forgetful")
    chain_before = _chain_file(tmp_path, identity).read_bytes()
    _cleanup(secret_service, identity)
    with pytest.raises(IdentityError, match="not in the OS keyring"):
        ensure_identity(secret_service, tmp_path, "Forgetful")
    assert _chain_file(tmp_path, identity).read_bytes() == chain_before


def test_damaged_identity_files_are_reported(secret_service, tmp_path):
    identity = ensure_identity(secret_service, tmp_path, "Damaged")
    try:
        _chain_file(tmp_path, identity).write_text("-----BEGIN CERTIFICATE-----\nnope\n")
        with pytest.raises(IdentityError, match="chain"):
            ensure_identity(secret_service, tmp_path, "Damaged")
        (provenance_folder(tmp_path) / "identity.json").write_text("{not json")
        with pytest.raises(IdentityError, match="damaged"):
            load_identity(secret_service, tmp_path)
    finally:
        _cleanup(secret_service, identity)


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "bad\x00name"])
def test_bad_creator_names_are_refused(keyring_store, tmp_path, name):
    with pytest.raises(IdentityError, match="creator name"):
        ensure_identity(keyring_store, tmp_path, name)
    assert not (provenance_folder(tmp_path) / "identity.json").exists()


# --- importing the creator's own chain ---------------------------------------------------------------------


def _own_chain(*, ekus=(ExtendedKeyUsageOID.EMAIL_PROTECTION,), self_signed=False, digital_signature=True):
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP384R1())
    root_name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Own Root"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Own Org")]
    )
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA384())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Imported Creator"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Own Org"),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name if self_signed else root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature, False, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if ekus:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(ekus)), critical=False)
    if self_signed:
        leaf = builder.sign(key, hashes.SHA256())
        return certs.cert_pem(leaf), certs.key_pem(key), None
    leaf = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
    ).sign(root_key, hashes.SHA384())
    return certs.chain_pem([leaf, root]), certs.key_pem(key), certs.cert_pem(root)


@pytest.mark.parametrize(
    "eku", [ExtendedKeyUsageOID.EMAIL_PROTECTION, certs.DOCUMENT_SIGNING], ids=["email", "docsign"]
)
def test_imported_chain_signs_and_reads_trusted(secret_service, tmp_path, eku):
    chain, key, root = _own_chain(ekus=(eku,))
    identity = import_identity(secret_service, tmp_path, chain, key)
    try:
        assert identity.source == "imported" and identity.creator_name == "Imported Creator"
        assert identity.anchor_pem is not None and certs.fingerprint(
            certs.load_chain(identity.anchor_pem)[0]
        ) == certs.fingerprint(certs.load_chain(root)[0])
        assert secret_service.get(signing_key_name(identity.identity_id)) is not None
        assert "PRIVATE KEY" not in "".join(p.read_text() for p in tmp_path.rglob("*.pem"))
        signed = sign_image(png_bytes(), "image/png", _claim(), identity)
        report = read_credentials(signed, "image/png", trust_anchors=trust_anchors(tmp_path, identity))
        assert report.state == "trusted", report.errors
        assert report.signer.common_name == "Imported Creator" and report.signer.issuer == "Own Org"
        # ensure_identity keeps an imported identity as it is.
        assert ensure_identity(secret_service, tmp_path, "Someone Else").fingerprint == identity.fingerprint
    finally:
        _cleanup(secret_service, identity)


def test_import_replaces_only_on_request_and_keeps_old_signatures_trusted(secret_service, tmp_path):
    local = ensure_identity(secret_service, tmp_path, "Before Import")
    old_signed = sign_image(png_bytes(), "image/png", _claim(), local)
    chain, key, _ = _own_chain()
    with pytest.raises(IdentityError, match="already exists"):
        import_identity(secret_service, tmp_path, chain, key)
    imported = import_identity(secret_service, tmp_path, chain, key, replace=True)
    try:
        assert secret_service.get(signing_key_name(local.identity_id)) is None
        assert secret_service.get(ca_key_name(local.identity_id)) is None
        assert not identity_files(provenance_folder(tmp_path), local.identity_id).exists()
        assert load_identity(secret_service, tmp_path).fingerprint == imported.fingerprint
        anchors = trust_anchors(tmp_path, imported)
        assert read_credentials(old_signed, "image/png", trust_anchors=anchors).state == "trusted"
    finally:
        _cleanup(secret_service, imported)


def test_a_replacement_cut_short_leaves_the_old_identity_working(secret_service, tmp_path, monkeypatch):
    local = ensure_identity(secret_service, tmp_path, "Survivor")
    chain, key, _ = _own_chain()

    def power_cut(*args, **kwargs):
        raise RuntimeError("power cut before the new identity was committed")

    monkeypatch.setattr(identity_module, "_write_meta", power_cut)
    with pytest.raises(RuntimeError, match="power cut"):
        import_identity(secret_service, tmp_path, chain, key, replace=True)
    monkeypatch.undo()
    try:
        survivor = load_identity(secret_service, tmp_path)
        assert survivor.fingerprint == local.fingerprint
        signed = sign_image(png_bytes(), "image/png", _claim(), survivor)
        assert read_credentials(signed, "image/png", trust_anchors=trust_anchors(tmp_path, survivor)).state == "trusted"
    finally:
        _cleanup(secret_service, local)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"self_signed": True}, "self-signed"),
        ({"ekus": ()}, "extended key usage"),
        ({"ekus": (ExtendedKeyUsageOID.SERVER_AUTH,)}, "extended key usage"),
        ({"digital_signature": False}, "digitalSignature"),
    ],
    ids=["self-signed", "no-eku", "server-auth", "no-digital-signature"],
)
def test_import_refuses_certificates_c2pa_would_refuse(keyring_store, tmp_path, kwargs, message):
    chain, key, _ = _own_chain(**kwargs)
    with pytest.raises(IdentityError, match=message):
        import_identity(keyring_store, tmp_path, chain, key)
    assert not (provenance_folder(tmp_path) / "identity.json").exists()


def test_import_refuses_a_key_of_another_certificate_and_garbage(keyring_store, tmp_path):
    chain, _, _ = _own_chain()
    _, other_key, _ = _own_chain()
    with pytest.raises(IdentityError, match="does not belong"):
        import_identity(keyring_store, tmp_path, chain, other_key)
    with pytest.raises(IdentityError, match="not valid PEM"):
        import_identity(keyring_store, tmp_path, "hello", other_key)
    with pytest.raises(IdentityError, match="private key"):
        import_identity(
            keyring_store, tmp_path, chain, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        )


def test_encrypted_key_import_needs_its_password(secret_service, tmp_path):
    chain, key_pem, _ = _own_chain()
    key = serialization.load_pem_private_key(key_pem.encode(), None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    with pytest.raises(IdentityError, match="password"):
        import_identity(secret_service, tmp_path, chain, encrypted)
    identity = import_identity(secret_service, tmp_path, chain, encrypted, password=b"pw")
    try:
        stored = secret_service.get(signing_key_name(identity.identity_id))
        assert stored and "ENCRYPTED" not in stored  # the keyring itself protects it
        meta = json.loads((provenance_folder(tmp_path) / "identity.json").read_text())
        assert set(meta) == {"version", "id", "source", "created_at"}
    finally:
        _cleanup(secret_service, identity)
