"""SQL for the `training_permissions` table: the owner's "do not train" (or "allow") choice for a work and the
training signals its file stated on import, as plain dicts (the license engine reads them as TrainingSignals)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from studio.errors import InvalidInput
from studio.store.db import Database
from studio.store.id_batches import id_batches
from studio.store.works import now_iso

CHOICES = ("allow", "deny")


@dataclass(frozen=True)
class TrainingPermission:
    work_id: str
    choice: str | None  # allow | deny | None (no choice: the license and the file decide)
    signals: tuple[dict[str, Any], ...]


def _signals(text: str | None) -> tuple[dict[str, Any], ...]:
    """The stored signals; a damaged column reads as none (the license then decides, never more permissively
    than it allows)."""
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return ()
    return tuple(s for s in value if isinstance(s, dict)) if isinstance(value, list) else ()


class TrainingPermissions:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, work_id: str) -> TrainingPermission | None:
        return self.of_works([work_id]).get(work_id)

    def of_works(self, work_ids: Iterable[str]) -> dict[str, TrainingPermission]:
        found: dict[str, TrainingPermission] = {}
        for chunk, marks in id_batches(work_ids):
            rows = self.db.query(f"SELECT * FROM training_permissions WHERE work_id IN ({marks})", chunk)
            for row in rows:
                choice = row["choice"] if row["choice"] in CHOICES else None
                found[row["work_id"]] = TrainingPermission(row["work_id"], choice, _signals(row["signals"]))
        return found

    def set_choice(self, work_id: str, choice: str | None) -> None:
        if choice is not None and choice not in CHOICES:
            raise InvalidInput(f"unknown training choice {choice!r}", hint="use allow, deny or clear")
        self.db.execute(
            """
            INSERT INTO training_permissions (work_id, choice, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (work_id) DO UPDATE SET choice = excluded.choice, updated_at = excluded.updated_at
            """,
            (work_id, choice, now_iso()),
        )

    def put_signals(self, work_id: str, signals: Sequence[dict[str, Any]]) -> None:
        """Store what the work's file stated; joins the caller's transaction when there is one."""
        self.db.execute(
            """
            INSERT INTO training_permissions (work_id, signals, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (work_id) DO UPDATE SET signals = excluded.signals, updated_at = excluded.updated_at
            """,
            (work_id, json.dumps(list(signals), ensure_ascii=False, sort_keys=True), now_iso()),
        )
