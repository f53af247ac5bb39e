"""Fixtures for Content Credentials: creator identities whose keys live in the real Secret Service."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from studio.provenance import CreatorIdentity, ensure_identity, trust_anchors
from studio.provenance.identity import ca_key_name, signing_key_name
from studio.secrets import PlainFileTestBackend, SecretStore
from tests.helpers.secret_service import secret_service_keyring


def secret_service_store() -> SecretStore:
    return SecretStore(secret_service_keyring())


@pytest.fixture(scope="session")
def keyring_store(tmp_path_factory) -> SecretStore:
    """Where signing keys live: the real Secret Service in `make test`.

    Outside the D-Bus session (a bare `pytest` run) the keyring is only a neighbour of the signing tests, so
    they fall back to the explicit plaintext test backend; tests about key storage itself use
    `secret_service` and fail or skip instead.
    """
    if os.environ.get("STUDIO_TEST_SECRET_SERVICE") == "1":
        return secret_service_store()
    return SecretStore(PlainFileTestBackend(tmp_path_factory.mktemp("keyring") / "keys.json"))


@pytest.fixture
def secret_service() -> SecretStore:
    return secret_service_store()


def _forget(store: SecretStore, identity: CreatorIdentity) -> None:
    store.delete(signing_key_name(identity.identity_id))
    store.delete(ca_key_name(identity.identity_id))


@pytest.fixture(scope="session")
def alice_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("alice-data")


@pytest.fixture(scope="session")
def alice(keyring_store, alice_dir):
    identity = ensure_identity(keyring_store, alice_dir, "Alice Example")
    yield identity
    _forget(keyring_store, identity)


@pytest.fixture(scope="session")
def bob(keyring_store, tmp_path_factory):
    """A second creator with a CA of their own."""
    identity = ensure_identity(keyring_store, tmp_path_factory.mktemp("bob-data"), "Bob Other")
    yield identity
    _forget(keyring_store, identity)


@pytest.fixture(scope="session")
def alice_anchors(alice, alice_dir) -> list[str]:
    return trust_anchors(alice_dir, alice)
