"""Where Content Credentials keep their files under a data folder (no secrets: keys live in the keyring)."""

from __future__ import annotations

from pathlib import Path

FOLDER = "provenance"
META_FILE = "identity.json"
CHAIN_FILE = "chain.pem"
ANCHOR_FILE = "ca.pem"
TRUST_FOLDER = "trust"
IDENTITIES_FOLDER = "identities"


def provenance_folder(data_dir: Path) -> Path:
    return Path(data_dir) / FOLDER


def identity_files(folder: Path, identity_id: str) -> Path:
    """The folder of one identity's certificate files inside the provenance folder."""
    return folder / IDENTITIES_FOLDER / identity_id


def trust_folder(data_dir: Path) -> Path:
    return provenance_folder(data_dir) / TRUST_FOLDER
