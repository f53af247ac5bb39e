"""X.509 for Content Credentials: a local CA, a C2PA signing certificate under it, and profile checks.

C2PA refuses self-signed signing certificates; it wants an end-entity certificate issued by a CA, with the
digitalSignature key usage, an allowed extended key usage (emailProtection / documentSigning), not a CA.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from studio.provenance.errors import IdentityError

ORGANIZATION = "Remix Studio"
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
C2PA_CLAIM_SIGNING = x509.ObjectIdentifier("1.3.6.1.4.1.62558.2.1")
# Extended key usages a C2PA claim signer may carry; also handed to the validator as its allow-list so that
# a documentSigning-only certificate verifies as well as an emailProtection one.
SIGNING_EKUS: tuple[x509.ObjectIdentifier, ...] = (
    ExtendedKeyUsageOID.EMAIL_PROTECTION,
    DOCUMENT_SIGNING,
    C2PA_CLAIM_SIGNING,
    ExtendedKeyUsageOID.TIME_STAMPING,
    ExtendedKeyUsageOID.OCSP_SIGNING,
    x509.ObjectIdentifier("1.3.6.1.4.1.311.76.59.1.9"),  # Microsoft document signing
)
CA_VALIDITY = dt.timedelta(days=20 * 365)
# No timestamp authority is reachable offline, so a signature is judged against the certificate's own
# validity; a long-lived leaf keeps earlier signatures checkable for years.
LEAF_VALIDITY = dt.timedelta(days=5 * 365)
CLOCK_SKEW = dt.timedelta(minutes=10)
MAX_NAME = 64  # X.509 upper bound for a common name

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey | ed25519.Ed25519PublicKey


def check_creator_name(name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned or len(cleaned) > MAX_NAME or not cleaned.isprintable():
        raise IdentityError(
            f"invalid creator name {name!r} for a signing certificate",
            hint=f"use 1 to {MAX_NAME} printable characters",
        )
    return cleaned


def new_local_ca(creator_name: str, now: dt.datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{creator_name[: MAX_NAME - 9]} local CA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue_signing_certificate(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    creator_name: str,
    public_key: PublicKey,
    now: dt.datetime,
) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, creator_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
        ]
    )
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(min(now + LEAF_VALIDITY, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def chain_pem(certs: Sequence[x509.Certificate]) -> str:
    return "".join(cert_pem(cert) for cert in certs)


def key_pem(key: SigningKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def load_chain(pem: str | bytes, *, what: str = "certificate chain") -> list[x509.Certificate]:
    data = pem.encode("utf-8") if isinstance(pem, str) else pem
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise IdentityError(
            f"the {what} is not valid PEM", hint="give PEM text with -----BEGIN CERTIFICATE----- blocks"
        ) from None
    return certs


def load_key(pem: str | bytes, password: bytes | None = None) -> SigningKey:
    data = pem.encode("utf-8") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except TypeError:
        raise IdentityError(
            "the private key is encrypted and no password (or a wrong one) was given",
            hint="give the key's password",
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise IdentityError(
            "the private key is not a readable PEM key (or the password is wrong)",
            hint="give a PKCS#8 or traditional PEM private key",
        ) from None
    if not isinstance(key, SigningKey):
        raise IdentityError(
            f"{type(key).__name__} keys cannot sign Content Credentials", hint="use an EC, RSA or Ed25519 key"
        )
    return key


def signing_alg(key: SigningKey) -> str:
    """The C2PA signature algorithm for a key: es256/es384/es512, ps256 (RSA) or ed25519."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        algs = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
        if key.curve.name not in algs:
            raise IdentityError(
                f"EC curve {key.curve.name} is not allowed for Content Credentials", hint="use P-256, P-384 or P-521"
            )
        return algs[key.curve.name]
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise IdentityError(f"a {key.key_size}-bit RSA key is too weak", hint="use at least 2048 bits")
        return "ps256"
    return "ed25519"


def _public_bytes(public_key: object) -> bytes:
    return public_key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_matches(cert: x509.Certificate, key: SigningKey) -> bool:
    return _public_bytes(cert.public_key()) == _public_bytes(key.public_key())


def is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    return signed_by(cert, cert)


def signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def check_signing_chain(certs: Sequence[x509.Certificate], key: SigningKey, now: dt.datetime) -> str:
    """Refuse a chain C2PA would refuse, with the reason; returns the signature algorithm."""
    if not certs:
        raise IdentityError("the certificate chain is empty", hint="give the signing certificate first, then its CAs")
    leaf = certs[0]
    alg = signing_alg(key)
    if not key_matches(leaf, key):
        raise IdentityError(
            "the private key does not belong to the first certificate of the chain",
            hint="put the signing (end-entity) certificate first and give its own key",
        )
    if is_self_signed(leaf):
        raise IdentityError(
            "a self-signed certificate cannot sign Content Credentials",
            hint="use a certificate issued by a CA, or let the studio make its local CA and signing certificate",
        )
    if leaf.version is not x509.Version.v3:
        raise IdentityError("the signing certificate is not an X.509 v3 certificate")
    if not leaf.not_valid_before_utc - CLOCK_SKEW <= now <= leaf.not_valid_after_utc:
        raise IdentityError(
            f"the signing certificate is not valid now (valid {leaf.not_valid_before_utc:%Y-%m-%d} to "
            f"{leaf.not_valid_after_utc:%Y-%m-%d})",
            hint="renew the certificate",
        )
    _check_leaf_extensions(leaf)
    for child, parent in itertools.pairwise(certs):
        if not signed_by(child, parent):
            raise IdentityError(
                "the certificate chain is out of order or broken",
                hint="order it signing certificate first, then each issuer",
            )
    return alg


def _check_leaf_extensions(leaf: x509.Certificate) -> None:
    ext = leaf.extensions
    try:
        if ext.get_extension_for_class(x509.BasicConstraints).value.ca:
            raise IdentityError(
                "a CA certificate cannot sign Content Credentials", hint="use an end-entity certificate"
            )
    except x509.ExtensionNotFound:
        pass
    try:
        usage = ext.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not usage.digital_signature:
        raise IdentityError(
            "the signing certificate lacks the digitalSignature key usage", hint="reissue it with digitalSignature"
        )
    try:
        ekus = set(ext.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        ekus = set()
    if not ekus & set(SIGNING_EKUS):
        raise IdentityError(
            "the signing certificate has no extended key usage allowed for Content Credentials",
            hint="reissue it with emailProtection or documentSigning (1.3.6.1.5.5.7.3.36)",
        )


def check_trust_anchor(cert: x509.Certificate) -> None:
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise IdentityError(
            f"{subject_text(cert)} is not a CA certificate, so it cannot be a trust anchor",
            hint="add the certificate of the CA that issued the signer's certificate",
        )


def subject_text(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()
