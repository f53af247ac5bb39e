"""What a new work gets when its creator leaves it unset: the creator's name and the default licence of the
library's new roots, kept in the library's settings so that the window and `studio generate` agree.

Each new work also records where its licence came from, so its details can say so in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.errors import InvalidInput
from studio.licensing import LicenseCatalog
from studio.licensing.child_terms import DEFAULT_NON_COMMERCIAL_LICENSE
from studio.store.settings import SettingRecords

CREATOR_SETTING = "new_work.creator"
LICENSE_SETTING = "new_work.license"
MAX_CREATOR = 120
STUDIO_DEFAULT_LICENSE = DEFAULT_NON_COMMERCIAL_LICENSE  # what a new root gets when nobody chose

# Where a new work's licence came from (recorded in its recipe's extra fields), and how its details say so.
LICENSE_SOURCE_KEY = "license_source"
LICENSE_SOURCES = {
    "request": "chosen for this work",
    "settings": "your default licence, set in Settings",
    "parents": "inherited from its parents",
    "model": "the model's terms on Story",
    "studio": "the studio's default for new works; choose your own default licence in Settings",
}


def license_source_text(source: str | None) -> str | None:
    """The plain words for a recorded licence source (None for works made before sources were recorded)."""
    return LICENSE_SOURCES.get(source or "")


@dataclass(frozen=True)
class NewWorkDefaults:
    creator: str | None = None
    license_id: str | None = None


class NewWorkDefaultsStore:
    """Reads and writes the library's defaults for new works, checking the licence against the catalogue."""

    def __init__(self, settings: SettingRecords, catalog: LicenseCatalog) -> None:
        self._settings = settings
        self._catalog = catalog

    def load(self) -> NewWorkDefaults:
        license_id = self._settings.get(LICENSE_SETTING)
        if license_id is not None and license_id not in self._catalog:
            license_id = None  # a licence the catalogue no longer knows: the studio's default applies again
        return NewWorkDefaults(self._settings.get(CREATOR_SETTING), license_id)

    def save(self, defaults: NewWorkDefaults) -> NewWorkDefaults:
        """Store both values in one step (empty or None clears one); raises InvalidInput for a bad value."""
        creator = (defaults.creator or "").strip() or None
        if creator is not None and (len(creator) > MAX_CREATOR or not creator.isprintable()):
            raise InvalidInput(f"the creator name must be at most {MAX_CREATOR} printable characters",
                               hint="type your name as it should appear on your works")
        license_id = (defaults.license_id or "").strip() or None
        if license_id is not None and license_id not in self._catalog:
            raise InvalidInput(f"unknown license {license_id[:60]!r}", hint="`studio license list` shows them")
        self._settings.set_many({CREATOR_SETTING: creator, LICENSE_SETTING: license_id})
        return NewWorkDefaults(creator, license_id)
