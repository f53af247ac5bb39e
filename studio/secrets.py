"""The OS keyring: the only place the studio keeps secrets (signing keys, wallet keys, tokens).

Values never reach logs, reprs or exception messages. The store refuses keyring backends that would leave a
secret readable on disk (keyring's `fail`/`null` backends, plaintext or file backends) unless such a backend
was chosen on purpose: passed to the constructor, or named by `STUDIO_KEYRING=plainfile:<path>` for tests.
"""

from __future__ import annotations

import contextlib
import fcntl
import hmac
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null
from keyring.compat import properties

from studio import APP_NAME
from studio.errors import InvalidInput, StudioError

log = logging.getLogger(__name__)

SERVICE = APP_NAME
ENV_BACKEND = "STUDIO_KEYRING"
_PLAINFILE_PREFIX = "plainfile:"
_MAX_NAME = 200
_MASK = "••••••"

_HOW_TO_FIX = (
    "install and unlock a Secret Service keyring (gnome-keyring, KWallet or KeePassXC with its Secret Service "
    "integration); on a headless machine run the studio under `dbus-run-session` with an unlocked "
    "`gnome-keyring-daemon --unlock`"
)


class SecretsUnavailable(StudioError):
    """No secure OS keyring can be used, or it refused the operation."""

    exit_code = 6


@dataclass(frozen=True)
class Secret:
    """A secret value whose repr, str and format are masked; `reveal()` is the one way to read it."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({_MASK})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> NoReturn:
        # Pickling would copy the value into caches, queues or files; secrets stay in the keyring.
        raise TypeError("a Secret cannot be pickled or serialized; keep it in the OS keyring")


class PlainFileTestBackend(keyring.backend.KeyringBackend):
    """A plaintext JSON file keyring for TESTS ONLY (subprocess tests, machines without a Secret Service).

    Never chosen automatically: its `priority` raises, so keyring's discovery skips it. It is used only when
    passed to `SecretStore(backend=...)` or named by `STUDIO_KEYRING=plainfile:<path>`.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("the plaintext test keyring is used only when passed explicitly")

    def __str__(self) -> str:
        return f"{type(self).__module__}.{type(self).__name__}({self.path})"

    def get_password(self, service: str, username: str) -> str | None:
        with self._locked():
            return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._locked():
            data = self._load()
            data.setdefault(service, {})[username] = password
            self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        with self._locked():
            data = self._load()
            if username not in data.get(service, {}):
                raise keyring.errors.PasswordDeleteError("no such entry")
            del data[service][username]
            self._save(data)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Subprocess tests share the file; an advisory lock keeps read-modify-write cycles whole.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _save(self, data: dict[str, dict[str, str]]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def backend_label(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _insecurity(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why this backend must not hold secrets unless it was chosen on purpose; None when it may."""
    if isinstance(backend, fail.Keyring | null.Keyring):
        return "no OS keyring backend is available"
    if isinstance(backend, PlainFileTestBackend):
        return "the plaintext test keyring was not chosen explicitly"
    module = type(backend).__module__.lower()
    name = type(backend).__name__.lower()
    if module.startswith("keyrings.alt") or "plaintext" in name or "file" in name or ".file" in module:
        return f"{backend_label(backend)} keeps secrets in a file"
    return None


def _resolve_system_backend() -> tuple[keyring.backend.KeyringBackend, str | None]:
    """The keyring the system offers, narrowed to its secure members; with the reason it is unusable."""
    backend = keyring.get_keyring()
    if isinstance(backend, chainer.ChainerBackend):
        # A chain may end in a plaintext backend that would silently take the secret when the first fails.
        secure = [member for member in backend.backends if _insecurity(member) is None]
        if not secure:
            return backend, "no secure OS keyring backend is available"
        backend = secure[0]
    return backend, _insecurity(backend)


def _backend_from_env(value: str) -> keyring.backend.KeyringBackend:
    if value.startswith(_PLAINFILE_PREFIX) and len(value) > len(_PLAINFILE_PREFIX):
        return PlainFileTestBackend(value[len(_PLAINFILE_PREFIX) :])
    raise SecretsUnavailable(
        f"{ENV_BACKEND}={value!r} is not understood",
        hint=f"unset it to use the OS keyring, or set {ENV_BACKEND}=plainfile:<path> in tests",
    )


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name or len(name) > _MAX_NAME or not name.isprintable():
        raise InvalidInput(
            f"invalid secret name {name!r}",
            hint=f"use 1 to {_MAX_NAME} printable characters",
        )
    return name


class SecretStore:
    """Named secrets of the studio in the OS keyring under the service name `remix-studio`."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        env_value = os.environ.get(ENV_BACKEND, "").strip()
        if backend is not None:
            self._backend, self._refusal = backend, _refusal_of_explicit(backend)
        elif env_value:
            self._backend = _backend_from_env(env_value)
            self._refusal = None
        else:
            self._backend, self._refusal = _resolve_system_backend()

    @property
    def backend_name(self) -> str:
        return backend_label(self._backend)

    @property
    def available(self) -> bool:
        return self._refusal is None

    def __repr__(self) -> str:
        return f"SecretStore(backend={self.backend_name}, available={self.available})"

    def get(self, name: str) -> str | None:
        secret = self.get_secret(name)
        return None if secret is None else secret.reveal()

    def get_secret(self, name: str) -> Secret | None:
        _check_name(name)
        self._require_usable("read")
        try:
            value = self._backend.get_password(SERVICE, name)
        except Exception as exc:  # any backend failure becomes one user-facing error
            self._fail("read", name, exc)
        log.debug("keyring read %s (%s): %s", name, self.backend_name, "found" if value is not None else "absent")
        return None if value is None else Secret(value)

    def set(self, name: str, value: str | Secret) -> None:
        _check_name(name)
        plain = value.reveal() if isinstance(value, Secret) else value
        if not isinstance(plain, str) or not plain:
            raise InvalidInput(f"the secret {name!r} must be a non-empty string")
        self._require_usable("store")
        try:
            self._backend.set_password(SERVICE, name, plain)
        except Exception as exc:  # any backend failure becomes one user-facing error
            self._fail("store", name, exc)
        log.debug("keyring stored %s (%s)", name, self.backend_name)

    def delete(self, name: str) -> bool:
        """Remove the secret; False when there was none."""
        _check_name(name)
        self._require_usable("delete")
        try:
            if self._backend.get_password(SERVICE, name) is None:
                return False
            self._backend.delete_password(SERVICE, name)
        except Exception as exc:  # any backend failure becomes one user-facing error
            self._fail("delete", name, exc)
        log.debug("keyring deleted %s (%s)", name, self.backend_name)
        return True

    def _require_usable(self, verb: str) -> None:
        if self._refusal is not None:
            raise SecretsUnavailable(f"cannot {verb} secrets: {self._refusal} ({self.backend_name})", hint=_HOW_TO_FIX)

    def _fail(self, verb: str, name: str, exc: Exception) -> NoReturn:
        # Only the exception's type is reported: backend texts are not ours to vouch for.
        log.warning("keyring could not %s %s: %s", verb, name, type(exc).__name__)
        raise SecretsUnavailable(
            f"the OS keyring ({self.backend_name}) could not {verb} the secret {name!r}: {type(exc).__name__}",
            hint="unlock the keyring (log in to the desktop session) and try again; " + _HOW_TO_FIX,
        ) from None


def _refusal_of_explicit(backend: keyring.backend.KeyringBackend) -> str | None:
    # A plaintext backend passed on purpose is allowed; a backend that cannot store anything never is.
    if isinstance(backend, fail.Keyring | null.Keyring):
        return "no OS keyring backend is available"
    return None
