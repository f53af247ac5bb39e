"""Trust: the studio's own CA plus anchors the user adds; another signer reads as valid, not trusted."""

from __future__ import annotations

import datetime as dt

import pytest
from c2pa_images import png_bytes
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from studio.provenance import (
    CreatorIdentity,
    IdentityError,
    ProvenanceClaim,
    ProvenanceError,
    add_trust_anchor,
    read_credentials,
    remove_trust_anchor,
    sign_image,
    trust_anchors,
    user_trust_anchors,
)
from studio.provenance import certificates as certs
from studio.secrets import Secret


def _by_bob(bob) -> bytes:
    claim = ProvenanceClaim(title="bob's work", work_id="W-bob", mime="image/png", kind="generated")
    return sign_image(png_bytes((0, 90, 0)), "image/png", claim, bob)


def test_another_signer_is_valid_but_not_trusted_with_a_reason(bob, alice_anchors):
    report = read_credentials(_by_bob(bob), "image/png", trust_anchors=alice_anchors)
    assert report.state == "valid"
    assert not report.tampered
    assert report.signer.common_name == "Bob Other"
    (issue,) = report.errors
    assert issue.code == "signingCredential.untrusted" and issue.scope == "active"
    assert "Bob Other" in issue.explanation and "trust anchor" in issue.explanation
    assert "not certified by a certificate authority you trust" in report.summary


def test_no_anchors_at_all_reads_valid(alice):
    claim = ProvenanceClaim(title="t", work_id="W", mime="image/png", kind="generated")
    report = read_credentials(sign_image(png_bytes(), "image/png", claim, alice), "image/png", trust_anchors=None)
    assert report.state == "valid"


def test_adding_and_removing_an_anchor(bob, tmp_path, alice):
    signed = _by_bob(bob)
    assert read_credentials(signed, "image/png", trust_anchors=trust_anchors(tmp_path, alice)).state == "valid"
    (fingerprint,) = add_trust_anchor(tmp_path, bob.anchor_pem)
    assert len(user_trust_anchors(tmp_path)) == 1
    anchors = trust_anchors(tmp_path, alice)
    assert len(anchors) == 2
    report = read_credentials(signed, "image/png", trust_anchors=anchors)
    assert report.state == "trusted" and report.errors == ()
    assert remove_trust_anchor(tmp_path, fingerprint) is True
    assert remove_trust_anchor(tmp_path, fingerprint) is False
    assert read_credentials(signed, "image/png", trust_anchors=trust_anchors(tmp_path, alice)).state == "valid"


def test_anchors_must_be_ca_certificates(tmp_path, bob):
    leaf = certs.load_chain(bob.chain_pem)[0]
    with pytest.raises(IdentityError, match="not a CA certificate"):
        add_trust_anchor(tmp_path, certs.cert_pem(leaf))
    with pytest.raises(IdentityError, match="not valid PEM"):
        add_trust_anchor(tmp_path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(IdentityError, match="fingerprint"):
        remove_trust_anchor(tmp_path, "../../etc/passwd")
    assert user_trust_anchors(tmp_path) == []


def test_a_damaged_anchor_file_does_not_block_reading(tmp_path, bob, alice):
    (fingerprint,) = add_trust_anchor(tmp_path, bob.anchor_pem)
    (tmp_path / "provenance" / "trust" / f"{fingerprint}.pem").write_text("damaged")
    report = read_credentials(_by_bob(bob), "image/png", trust_anchors=trust_anchors(tmp_path, alice))
    assert report.state == "valid"


def _self_signed_identity() -> CreatorIdentity:
    now = dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Selfie"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Me")]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return CreatorIdentity(
        identity_id="selfie",
        creator_name="Selfie",
        source="imported",
        chain_pem=certs.cert_pem(cert),
        anchor_pem=None,
        private_key=Secret(key_pem.decode()),
        alg="es256",
        fingerprint=certs.fingerprint(cert),
        not_after=cert.not_valid_after_utc,
    )


def test_a_self_signed_leaf_is_rejected_at_signing():
    """Even when it slips past the identity checks, the SDK refuses it and the studio says why."""
    claim = ProvenanceClaim(title="t", work_id="W", mime="image/png", kind="generated")
    with pytest.raises(ProvenanceError) as err:
        sign_image(png_bytes(), "image/png", claim, _self_signed_identity())
    message = str(err.value)
    assert "signing certificate was refused" in message and "not self-signed" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "anchor", ["not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]
)
def test_unusable_anchors_given_to_a_read_are_refused(anchor):
    with pytest.raises(ProvenanceError, match="trust anchor is not valid PEM"):
        read_credentials(png_bytes(), "image/png", trust_anchors=[anchor])
