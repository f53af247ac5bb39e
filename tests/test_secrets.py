"""SecretStore against a real Secret Service (gnome-keyring under dbus-run-session), and its refusals."""

from __future__ import annotations

import logging
import os
import pickle
import stat
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import keyring
import pytest
from keyring.backends import SecretService, chainer, fail, null

from studio.errors import InvalidInput
from studio.secrets import (
    ENV_BACKEND,
    SERVICE,
    PlainFileTestBackend,
    Secret,
    SecretStore,
    SecretsUnavailable,
)
from tests.helpers.secret_service import secret_service_keyring

VALUE = "s3cret-ß-漢字-" + uuid.uuid4().hex




@pytest.fixture
def secret_service_store():
    store = SecretStore(secret_service_keyring())
    names: list[str] = []
    yield store, names
    for name in names:
        store.delete(name)


def _name(names: list[str]) -> str:
    name = f"test/{uuid.uuid4().hex}"
    names.append(name)
    return name


def test_round_trip_through_the_real_secret_service(secret_service_store):
    store, names = secret_service_store
    name = _name(names)
    assert store.backend_name == "keyring.backends.SecretService.Keyring"
    assert store.get(name) is None
    store.set(name, VALUE)
    assert store.get(name) == VALUE
    # Another client of the same daemon sees it under the studio's service name.
    assert SecretService.Keyring().get_password(SERVICE, name) == VALUE
    store.set(name, Secret("second"))
    assert store.get_secret(name) == Secret("second")
    assert store.delete(name) is True
    assert store.get(name) is None
    assert store.delete(name) is False


def test_system_backend_is_the_secret_service_in_the_test_session(monkeypatch):
    secret_service_keyring()
    monkeypatch.delenv(ENV_BACKEND, raising=False)
    store = SecretStore()
    assert store.available
    assert store.backend_name in {"keyring.backends.SecretService.Keyring", "keyring.backends.libsecret.Keyring"}


def test_fail_backend_is_refused_with_instructions():
    store = SecretStore(fail.Keyring())
    assert not store.available
    with pytest.raises(SecretsUnavailable) as err:
        store.set("wallet", VALUE)
    message = str(err.value)
    assert "gnome-keyring" in message and "dbus-run-session" in message and "KeePassXC" in message
    assert VALUE not in message
    with pytest.raises(SecretsUnavailable):
        store.get("wallet")
    with pytest.raises(SecretsUnavailable):
        SecretStore(null.Keyring()).set("wallet", VALUE)


def test_no_bus_means_no_keyring_and_a_refusal(tmp_path):
    """A process with no D-Bus session gets keyring's fail backend; the store refuses to write."""
    env = {k: v for k, v in os.environ.items() if k not in {"DBUS_SESSION_BUS_ADDRESS", ENV_BACKEND}}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env["XDG_RUNTIME_DIR"] = str(tmp_path)  # no bus socket to discover there
    code = textwrap.dedent(
        """
        from studio.secrets import SecretStore, SecretsUnavailable
        store = SecretStore()
        print(store.backend_name)
        try:
            store.set("wallet", "value-that-must-not-leak")
        except SecretsUnavailable as exc:
            print("REFUSED", exc)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "keyring.backends.fail.Keyring" in out.stdout
    assert "REFUSED cannot store secrets" in out.stdout
    assert "value-that-must-not-leak" not in out.stdout + out.stderr


def test_a_system_plaintext_keyring_is_refused_unless_chosen(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_BACKEND, raising=False)
    plain = PlainFileTestBackend(tmp_path / "keys.json")
    previous = keyring.get_keyring()
    keyring.set_keyring(plain)
    try:
        store = SecretStore()
        assert not store.available
        with pytest.raises(SecretsUnavailable, match="plaintext"):
            store.set("token", VALUE)
    finally:
        keyring.set_keyring(previous)
    assert not (tmp_path / "keys.json").exists()


def test_a_chain_ending_in_plaintext_uses_only_its_secure_member(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_BACKEND, raising=False)

    class Chain(chainer.ChainerBackend):
        backends = (PlainFileTestBackend(tmp_path / "keys.json"),)

    previous = keyring.get_keyring()
    keyring.set_keyring(Chain())
    try:
        with pytest.raises(SecretsUnavailable, match="no secure OS keyring"):
            SecretStore().set("token", VALUE)
    finally:
        keyring.set_keyring(previous)
    assert not (tmp_path / "keys.json").exists()


def test_plaintext_test_backend_is_never_discovered_automatically():
    assert PlainFileTestBackend not in set(keyring.backend.KeyringBackend.get_viable_backends())
    assert not any(isinstance(b, PlainFileTestBackend) for b in keyring.backend.get_all_keyring())


def test_explicit_plaintext_backend_round_trip(tmp_path):
    path = tmp_path / "keys.json"
    store = SecretStore(PlainFileTestBackend(path))
    store.set("a", VALUE)
    assert store.get("a") == VALUE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.delete("a") and store.get("a") is None


def test_env_selects_the_plaintext_test_backend_for_subprocesses(tmp_path):
    path = tmp_path / "sub" / "keys.json"
    env = dict(os.environ, **{ENV_BACKEND: f"plainfile:{path}"})
    code = "from studio.secrets import SecretStore; s = SecretStore(); s.set('api', 'tok-123'); print(s.backend_name)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "studio.secrets.PlainFileTestBackend"
    assert SecretStore(PlainFileTestBackend(path)).get("api") == "tok-123"


def test_unknown_env_backend_is_refused(monkeypatch):
    monkeypatch.setenv(ENV_BACKEND, "memory")
    with pytest.raises(SecretsUnavailable, match=ENV_BACKEND):
        SecretStore()


def test_secret_is_masked_everywhere():
    secret = Secret(VALUE)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>40}", repr([secret])):
        assert VALUE not in text
    assert secret.reveal() == VALUE
    assert secret == Secret(VALUE) and secret != Secret("other")
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_values_never_reach_logs_reprs_or_errors(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    store = SecretStore(PlainFileTestBackend(tmp_path / "keys.json"))
    store.set("k", VALUE)
    assert store.get_secret("k") is not None
    assert VALUE not in repr(store) and VALUE not in repr(store.get_secret("k"))

    class Broken(PlainFileTestBackend):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise RuntimeError(f"backend echoed {password}")

    with pytest.raises(SecretsUnavailable) as err:
        SecretStore(Broken(tmp_path / "other.json")).set("k", VALUE)
    assert VALUE not in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__
    assert "k" in caplog.text  # names are logged ...
    assert VALUE not in caplog.text  # ... values never


@pytest.mark.parametrize("name", ["", "x" * 201, "tab\tname", None])
def test_bad_names_are_refused(tmp_path, name):
    with pytest.raises(InvalidInput):
        SecretStore(PlainFileTestBackend(tmp_path / "k.json")).set(name, "v")


def test_empty_values_are_refused(tmp_path):
    with pytest.raises(InvalidInput):
        SecretStore(PlainFileTestBackend(tmp_path / "k.json")).set("k", "")
    assert not Path(tmp_path / "k.json").exists()
