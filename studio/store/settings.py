"""SQL for the `settings` table: the library's own preferences (publishing network, review rule, engines, device).

Values are text; the typed accessors decide how a flag, a number or a JSON value is spelt, so every reader of a
key agrees with its writer. A value of None removes the key (its default applies again).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from studio.store.db import Database

ON, OFF = "on", "off"
_UPSERT = "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"


class SettingRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str) -> str | None:
        row = self.db.one("SELECT value FROM settings WHERE key = ?", (key,))
        return str(row["value"]) if row else None

    def set(self, key: str, value: str | None) -> None:
        """Store `value` under `key`; None removes it."""
        with self.db.atomic():
            self._put(key, value)

    def set_many(self, values: Mapping[str, str | None]) -> None:
        """Store several keys in one transaction: all of them or, on an error, none."""
        with self.db.atomic():
            for key, value in values.items():
                self._put(key, value)

    def _put(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM settings WHERE key = ?", (key,))
        else:
            self.db.execute(_UPSERT, (key, str(value)))

    def get_bool(self, key: str, default: bool = False) -> bool:
        value = self.get(key)
        return default if value is None else value == ON

    def set_bool(self, key: str, value: bool) -> None:
        self.set(key, ON if value else OFF)

    def get_json(self, key: str, default: Any = None) -> Any:
        value = self.get(key)
        return default if value is None else json.loads(value)

    def set_json(self, key: str, value: Any) -> None:
        self.set(key, json.dumps(value, sort_keys=True))
