"""Fixtures for review and export: a real library, the report tests' lineage builder, and signing keys."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The lineage builder is shared with the report tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))

from report_lineage import builder, studio  # noqa: F401
from signing_keys import forget_identity, keyring_store, use_for_cli

from studio.secrets import SecretStore
from studio.store.library import data_dir


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretStore]:
    """The keyring export signs with (also for the CLI); the identity a test makes is removed afterwards."""
    store = keyring_store(tmp_path)
    use_for_cli(store, tmp_path, monkeypatch)
    yield store
    forget_identity(store, data_dir())
