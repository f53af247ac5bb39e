"""The window's settings: a JSON file in the per-user config folder (`STUDIO_CONFIG_DIR` overrides).

Only the window's own preferences live here. Where to publish (network, RPC, metadata storage) is a setting of
the library, kept by the publishing setup (`studio.publish_setup`) so that the window and `studio publish` agree.
Wallet keys and tokens belong to the OS keyring (`studio.secrets`): a value that looks like a private key is
refused.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from studio import APP_NAME
from studio.errors import InvalidInput, LibraryError
from studio.store.files import write_atomic
from studio.store.team_address import check_url, is_postgres_url

log = logging.getLogger(__name__)

ENV_CONFIG_DIR = "STUDIO_CONFIG_DIR"
FILE_NAME = "window.json"
THEMES = ("system", "light", "dark")
ROYALTY_POLICIES = ("lap", "lrp")
MAX_RECENT_PROMPTS = 20
MAX_RECENT_TEAM_LIBRARIES = 10
_KEY_LIKE = re.compile(r"(0x)?[0-9a-fA-F]{64}")


def config_dir() -> Path:
    env = os.environ.get(ENV_CONFIG_DIR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class WindowSettings:
    """Preferences of the window. Empty folder fields mean the studio's defaults."""

    library_dir: str = ""
    models_dir: str = ""
    theme: str = "system"
    royalty_policy: str = "lap"
    creator: str = ""
    window_geometry: str = ""
    window_state: str = ""
    recent_prompts: tuple[str, ...] = ()  # newest first
    welcomed: bool = False  # the first-run questions were answered or skipped
    # Team libraries opened, newest first: each a postgresql:// address naming its member, never a password.
    recent_team_libraries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        prompts = self.recent_prompts
        if not isinstance(prompts, (list, tuple)) or not all(isinstance(p, str) for p in prompts):
            raise InvalidInput("recent prompts must be a list of texts")
        # A pasted key must not end up in the settings file through the prompt history either.
        kept = tuple(p for p in prompts if not _KEY_LIKE.fullmatch(p.strip()))
        object.__setattr__(self, "recent_prompts", kept[:MAX_RECENT_PROMPTS])
        teams = self.recent_team_libraries
        if not isinstance(teams, (list, tuple)) or not all(isinstance(t, str) for t in teams):
            raise InvalidInput("recent team libraries must be a list of addresses")
        object.__setattr__(self, "recent_team_libraries",
                           tuple(t for t in teams if _team_address_kept(t))[:MAX_RECENT_TEAM_LIBRARIES])
        for name, allowed in (("theme", THEMES), ("royalty_policy", ROYALTY_POLICIES)):
            if getattr(self, name) not in allowed:
                raise InvalidInput(
                    f"{name.replace('_', ' ')} {getattr(self, name)!r} is not one of {', '.join(allowed)}"
                )
        if not isinstance(self.welcomed, bool):
            raise InvalidInput("welcomed must be true or false")
        for f in fields(self):
            if f.name in ("recent_prompts", "welcomed", "recent_team_libraries"):
                continue
            value = getattr(self, f.name)
            if not isinstance(value, str):
                raise InvalidInput(f"setting {f.name} must be text")
            if f.name not in ("window_geometry", "window_state") and _KEY_LIKE.fullmatch(value.strip()):
                raise InvalidInput(
                    f"the {f.name.replace('_', ' ')} looks like a private key",
                    hint="keys are kept in the OS keyring, never in settings",
                )

    def with_changes(self, **changes: Any) -> WindowSettings:
        return replace(self, **changes)


def _team_address_kept(address: str) -> bool:
    """An address the settings may hold: a team library's, without a password (one with it is dropped)."""
    if not is_postgres_url(address):
        return False
    try:
        check_url(address)
    except LibraryError:
        return False
    return True


class SettingsStore:
    """Loads and saves `WindowSettings`; a damaged or foreign file falls back to the defaults, field by field."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / FILE_NAME

    def load(self) -> WindowSettings:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return WindowSettings()
        except (OSError, ValueError) as exc:
            log.warning("settings file %s is unreadable (%s); using the defaults", self.path, exc)
            return WindowSettings()
        if not isinstance(raw, dict):
            return WindowSettings()
        settings = WindowSettings()
        known = {f.name for f in fields(WindowSettings)}
        for name, value in raw.items():
            if name not in known:
                continue
            try:
                settings = replace(settings, **{name: value})
            except InvalidInput as exc:
                log.warning("ignoring setting %s: %s", name, exc)
        return settings

    def save(self, settings: WindowSettings) -> None:
        data = json.dumps(asdict(settings), indent=2, sort_keys=True).encode()
        write_atomic(self.path, data)
