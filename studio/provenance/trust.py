"""Which certificate authorities the studio trusts: its own local CA plus the anchors the user adds.

A manifest signed under any other CA still reads as "valid" (intact, properly signed) but not "trusted".
User anchors are PEM files named by their SHA-256 fingerprint under `<data_dir>/provenance/trust/`.
"""

from __future__ import annotations

import re
from pathlib import Path

from studio.provenance import certificates as certs
from studio.provenance.errors import IdentityError, ProvenanceError
from studio.provenance.files import write_text
from studio.provenance.layout import trust_folder

_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
MAX_ANCHORS = 256


def add_trust_anchor(data_dir: Path, pem: str | bytes) -> list[str]:
    """Trust the CA certificate(s) in `pem`; returns their fingerprints."""
    anchors = certs.load_chain(pem, what="trust anchor")
    for cert in anchors:
        certs.check_trust_anchor(cert)
    folder = trust_folder(data_dir)
    if len(_anchor_files(folder)) + len(anchors) > MAX_ANCHORS:
        raise IdentityError(f"too many trust anchors (at most {MAX_ANCHORS})", hint="remove ones no longer needed")
    fingerprints = []
    for cert in anchors:
        fingerprint = certs.fingerprint(cert)
        write_text(folder / f"{fingerprint}.pem", certs.cert_pem(cert))
        fingerprints.append(fingerprint)
    return fingerprints


def remove_trust_anchor(data_dir: Path, fingerprint: str) -> bool:
    if not _FINGERPRINT.match(fingerprint or ""):
        raise IdentityError(f"{fingerprint!r} is not a certificate fingerprint", hint="give 64 hex digits (SHA-256)")
    path = trust_folder(data_dir) / f"{fingerprint}.pem"
    if not path.exists():
        return False
    path.unlink()
    return True


def user_trust_anchors(data_dir: Path) -> list[str]:
    anchors = []
    for path in _anchor_files(trust_folder(data_dir)):
        # A damaged file is skipped rather than fatal: one bad anchor must not block reading every image.
        try:
            cert = certs.load_chain(path.read_bytes())[0]
        except (IdentityError, IndexError, OSError):
            continue
        anchors.append(certs.cert_pem(cert))
    return anchors


def checked_anchors(anchors: list[str] | None) -> list[str]:
    """The anchors as clean PEM, refusing any that is not a certificate; blank entries are ignored."""
    cleaned = []
    for anchor in anchors or []:
        if not anchor or not anchor.strip():
            continue
        try:
            found = certs.load_chain(anchor, what="trust anchor")
        except IdentityError as exc:
            raise ProvenanceError(exc.message, hint=exc.hint) from None
        if not found:
            raise ProvenanceError("a trust anchor holds no certificate", hint="give PEM CA certificates")
        cleaned.extend(certs.cert_pem(cert) for cert in found)
    return cleaned


def _anchor_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.pem") if _FINGERPRINT.match(p.stem))
