"""The creator's signing identity: a certificate chain on disk, its private keys only in the OS keyring.

On first use the studio makes a local CA (EC P-256) and a C2PA signing certificate under it; the CA key stays
in the keyring so that the signing certificate can be reissued (new name, near expiry) under the same CA,
which keeps every earlier signature trusted. A creator may instead import their own chain and key (PEM).

Layout under `<data_dir>/provenance/`: `identity.json` names the active identity and is written last, so
that making or replacing an identity commits in one atomic rename; `identities/<id>/chain.pem` (signing
certificate first, then its issuers) and `identities/<id>/ca.pem` (the anchor the studio trusts for its own
signatures, when known); `trust/` holds anchors the user added (see `studio.provenance.trust`). `trust_anchors`
is what a creator reads with: their own CA plus every anchor the user added.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric import ec

from studio.provenance import certificates as certs
from studio.provenance.errors import IdentityError
from studio.provenance.files import locked, write_text
from studio.provenance.layout import ANCHOR_FILE, CHAIN_FILE, META_FILE, identity_files, provenance_folder
from studio.provenance.trust import add_trust_anchor, user_trust_anchors
from studio.secrets import Secret, SecretStore

RENEW_BEFORE = dt.timedelta(days=90)
_VERSION = 1
_ID = re.compile(r"^[0-9a-f]{32}$")

IdentitySource = Literal["local", "imported"]


@dataclass(frozen=True)
class CreatorIdentity:
    """Who signs: the certificate chain (public) and the signing key (masked; loaded from the keyring)."""

    identity_id: str
    creator_name: str
    source: IdentitySource
    chain_pem: str = field(repr=False)
    anchor_pem: str | None = field(repr=False)
    private_key: Secret
    alg: str
    fingerprint: str
    not_after: dt.datetime


def trust_anchors(data_dir: Path, identity: CreatorIdentity | None = None) -> list[str]:
    """The anchors to read with: the creator's own CA (when known) and every anchor the user added."""
    own = [identity.anchor_pem] if identity is not None and identity.anchor_pem else []
    return own + user_trust_anchors(data_dir)


def signing_key_name(identity_id: str) -> str:
    return f"c2pa/{identity_id}/signing-key"


def ca_key_name(identity_id: str) -> str:
    return f"c2pa/{identity_id}/ca-key"


def ensure_identity(secrets: SecretStore, data_dir: Path, creator_name: str) -> CreatorIdentity:
    """The creator's identity: made on first use, then reused; a local one is reissued for a new name or expiry."""
    name = certs.check_creator_name(creator_name)
    folder = provenance_folder(data_dir)
    with locked(folder):
        meta = _read_meta(folder)
        if meta is None:
            return _create_local(secrets, folder, name)
        identity = _load(secrets, folder, meta)
        if identity.source == "local" and _needs_reissue(identity, name):
            return _reissue_local(secrets, folder, identity, name)
        return identity


def load_identity(secrets: SecretStore, data_dir: Path) -> CreatorIdentity | None:
    """The existing identity, or None when none was made yet; never creates one."""
    folder = provenance_folder(data_dir)
    meta = _read_meta(folder)
    return None if meta is None else _load(secrets, folder, meta)


def import_identity(
    secrets: SecretStore,
    data_dir: Path,
    chain_pem: str | bytes,
    key_pem: str | bytes,
    *,
    password: bytes | None = None,
    replace: bool = False,
) -> CreatorIdentity:
    """Use the creator's own certificate chain (signing certificate first) and private key (PEM)."""
    chain = certs.load_chain(chain_pem)
    key = certs.load_key(key_pem, password)
    certs.check_signing_chain(chain, key, _now())
    root = chain[-1] if len(chain) > 1 and certs.is_self_signed(chain[-1]) else None
    folder = provenance_folder(data_dir)
    with locked(folder):
        previous = _read_meta(folder)
        if previous is not None and not replace:
            raise IdentityError(
                f"a signing identity already exists in {folder}",
                hint="import with replace=True to replace it (earlier signatures stay trusted)",
            )
        identity_id = uuid.uuid4().hex
        secrets.set(signing_key_name(identity_id), certs.key_pem(key))
        files = identity_files(folder, identity_id)
        write_text(files / CHAIN_FILE, certs.chain_pem(chain))
        if root is not None:
            write_text(files / ANCHOR_FILE, certs.cert_pem(root))
        if previous is not None:
            _keep_old_anchor_trusted(data_dir, folder, str(previous.get("id") or ""))
        _write_meta(folder, identity_id, "imported")
        if previous is not None:
            _forget(secrets, folder, str(previous.get("id") or ""))
        return _load(secrets, folder, _read_meta(folder) or {})


def _create_local(secrets: SecretStore, folder: Path, name: str) -> CreatorIdentity:
    now = _now()
    identity_id = uuid.uuid4().hex
    ca_key, ca_cert = certs.new_local_ca(name, now)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = certs.issue_signing_certificate(ca_key, ca_cert, name, leaf_key.public_key(), now)
    # Keys first: a crash before identity.json leaves only unused keyring entries, never a chain without keys.
    secrets.set(ca_key_name(identity_id), certs.key_pem(ca_key))
    secrets.set(signing_key_name(identity_id), certs.key_pem(leaf_key))
    files = identity_files(folder, identity_id)
    write_text(files / CHAIN_FILE, certs.chain_pem([leaf, ca_cert]))
    write_text(files / ANCHOR_FILE, certs.cert_pem(ca_cert))
    _write_meta(folder, identity_id, "local")
    return _load(secrets, folder, _read_meta(folder) or {})


def _needs_reissue(identity: CreatorIdentity, name: str) -> bool:
    return identity.creator_name != name or identity.not_after - _now() < RENEW_BEFORE


def _reissue_local(secrets: SecretStore, folder: Path, identity: CreatorIdentity, name: str) -> CreatorIdentity:
    ca_pem = secrets.get(ca_key_name(identity.identity_id))
    if ca_pem is None:
        raise IdentityError(
            "the local CA key of the signing identity is missing from the OS keyring, so its certificate "
            "cannot be renewed",
            hint=f"import a certificate chain, or move {folder} aside to make a new identity",
        )
    ca_key = certs.load_key(ca_pem)
    chain = certs.load_chain(identity.chain_pem)
    ca_cert = chain[-1]
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey) or not certs.key_matches(ca_cert, ca_key):
        raise IdentityError(
            f"the local CA key in the OS keyring does not match {identity_files(folder, identity.identity_id)}"
        )
    leaf_key = certs.load_key(identity.private_key.reveal())
    leaf = certs.issue_signing_certificate(ca_key, ca_cert, name, leaf_key.public_key(), _now())
    write_text(identity_files(folder, identity.identity_id) / CHAIN_FILE, certs.chain_pem([leaf, ca_cert]))
    return _load(secrets, folder, _read_meta(folder) or {})


def _load(secrets: SecretStore, folder: Path, meta: dict[str, object]) -> CreatorIdentity:
    identity_id = str(meta.get("id") or "")
    source = meta.get("source")
    if not _ID.match(identity_id) or source not in ("local", "imported"):
        raise IdentityError(f"{folder / META_FILE} is damaged", hint=f"move {folder} aside to make a new identity")
    files = identity_files(folder, identity_id)
    try:
        chain_text = (files / CHAIN_FILE).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        raise IdentityError(
            f"the certificate chain {files / CHAIN_FILE} is missing or unreadable",
            hint=f"restore it from a backup, or move {folder} aside to make a new identity",
        ) from None
    chain = certs.load_chain(chain_text, what=f"certificate chain in {files / CHAIN_FILE}")
    key_secret = secrets.get_secret(signing_key_name(identity_id))
    if key_secret is None:
        raise IdentityError(
            "the signing key of this identity is not in the OS keyring (another user session or a reset keyring?)",
            hint=f"unlock the keyring it was made in, import a certificate chain, or move {folder} aside",
        )
    key = certs.load_key(key_secret.reveal())
    alg = certs.check_signing_chain(chain, key, _now())
    anchor = _read_anchor(files)
    leaf = chain[0]
    return CreatorIdentity(
        identity_id=identity_id,
        creator_name=certs.subject_text(leaf),
        source=source,  # type: ignore[arg-type]
        chain_pem=certs.chain_pem(chain),
        anchor_pem=anchor,
        private_key=key_secret,
        alg=alg,
        fingerprint=certs.fingerprint(leaf),
        not_after=leaf.not_valid_after_utc,
    )


def _read_anchor(files: Path) -> str | None:
    path = files / ANCHOR_FILE
    if not path.exists():
        return None
    return certs.chain_pem(certs.load_chain(path.read_bytes(), what=f"anchor {path}"))


def _keep_old_anchor_trusted(data_dir: Path, folder: Path, old_id: str) -> None:
    # Images signed before a replacement must keep reading as trusted.
    anchor = identity_files(folder, old_id) / ANCHOR_FILE if _ID.match(old_id) else None
    if anchor is not None and anchor.exists():
        add_trust_anchor(data_dir, anchor.read_bytes())


def _forget(secrets: SecretStore, folder: Path, old_id: str) -> None:
    if not _ID.match(old_id):
        return
    secrets.delete(signing_key_name(old_id))
    secrets.delete(ca_key_name(old_id))
    shutil.rmtree(identity_files(folder, old_id), ignore_errors=True)


def _read_meta(folder: Path) -> dict[str, object] | None:
    path = folder / META_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise IdentityError(f"{path} is damaged", hint=f"move {folder} aside to make a new identity") from None
    if not isinstance(meta, dict):
        raise IdentityError(f"{path} is damaged", hint=f"move {folder} aside to make a new identity")
    return meta


def _write_meta(folder: Path, identity_id: str, source: IdentitySource) -> None:
    meta = {"version": _VERSION, "id": identity_id, "source": source, "created_at": _now().isoformat()}
    write_text(folder / META_FILE, json.dumps(meta, indent=2) + "\n")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
