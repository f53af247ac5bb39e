"""The real Secret Service for the tests that need one (run under tools/run-tests.sh)."""

from __future__ import annotations

import os

import pytest
from keyring.backends import SecretService


def secret_service_keyring() -> SecretService.Keyring:
    """The real Secret Service; a failure (not a skip) when the test session promised one."""
    if os.environ.get("STUDIO_TEST_SECRET_SERVICE") != "1":
        pytest.skip("needs a Secret Service: run under tools/run-tests.sh (dbus-run-session + gnome-keyring)")
    try:
        SecretService.Keyring.priority  # noqa: B018 - raises when no daemon answers on the bus
    except RuntimeError as exc:
        pytest.fail(f"STUDIO_TEST_SECRET_SERVICE=1 but no Secret Service answers: {exc}")
    return SecretService.Keyring()
