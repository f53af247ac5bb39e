"""Where the signing keys of export tests live: the real Secret Service under tools/run-tests.sh.

Outside that D-Bus session (a bare `pytest` run) the keyring is only a neighbour of the code under test, so the
tests fall back to the explicit plaintext test keyring, as tests/provenance does; the CLI reaches the same one
through STUDIO_KEYRING.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backends import SecretService

from studio.provenance.identity import ca_key_name, signing_key_name
from studio.provenance.layout import META_FILE, provenance_folder
from studio.secrets import PlainFileTestBackend, SecretStore
from studio.store.library import data_dir


def under_secret_service() -> bool:
    return os.environ.get("STUDIO_TEST_SECRET_SERVICE") == "1"


def keyring_store(folder: Path) -> SecretStore:
    if under_secret_service():
        try:
            SecretService.Keyring.priority  # noqa: B018 - raises when no daemon answers on the bus
        except RuntimeError as exc:
            pytest.fail(f"STUDIO_TEST_SECRET_SERVICE=1 but no Secret Service answers: {exc}")
        return SecretStore(SecretService.Keyring())
    return SecretStore(PlainFileTestBackend(folder / "keys.json"))


def use_for_cli(store: SecretStore, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `SecretStore()` (what the CLI builds) reach `store`."""
    if not under_secret_service():
        monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{folder / 'keys.json'}")


def forget_identity(store: SecretStore, data_dir: Path) -> None:
    """Remove the keys of the identity made under `data_dir`, so tests leave the keyring as they found it."""
    meta = provenance_folder(data_dir) / META_FILE
    if not meta.exists():
        return
    identity_id = str(json.loads(meta.read_text()).get("id") or "")
    store.delete(signing_key_name(identity_id))
    store.delete(ca_key_name(identity_id))


@pytest.fixture(name="keys")  # imported by conftest and test modules under this name, used as `keys`
def keys_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretStore]:
    """The keyring export signs with (also for the CLI); the identity a test makes is removed afterwards."""
    store = keyring_store(tmp_path)
    use_for_cli(store, tmp_path, monkeypatch)
    yield store
    forget_identity(store, data_dir())
