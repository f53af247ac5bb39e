"""Where Content Credentials keep their files under a data folder (no secrets: keys live in the keyring)."""

from __future__ import annotations

from pathlib import Path

FOLDER = "provenance"
META_FILE = "identity.json"
CHAIN_FILE = "chain.pem"
ANCHOR_FILE = "ca.pem"
TRUST_FOLDER = "trust"


def provenance_folder(data_dir: Path) -> Path:
    return Path(data_dir) / FOLDER


def trust_folder(data_dir: Path) -> Path:
    return provenance_folder(data_dir) / TRUST_FOLDER
