"""Who switched the Hugging Face libraries offline: the user, or the engine for its own loads.

The engine sets HF_HUB_OFFLINE=1 before importing diffusers so that no load can wait on the network. A
download the user asks for must not be blocked by that, only by the user's own setting.
"""

from __future__ import annotations

import os

OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
_set_by_engine: set[str] = set()


def force_offline() -> None:
    """Switch the hub libraries offline for this process, remembering which variables the engine set."""
    for var in OFFLINE_VARS:
        if var not in os.environ:
            os.environ[var] = "1"
            _set_by_engine.add(var)


def user_offline() -> bool:
    """True when the user (not the engine) asked for offline mode."""
    return any(_truthy(os.environ.get(var)) for var in OFFLINE_VARS if var not in _set_by_engine)


def environment_for_download() -> dict[str, str]:
    """This process's environment without the engine's own offline switches."""
    return {k: v for k, v in os.environ.items() if k not in _set_by_engine}


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")
