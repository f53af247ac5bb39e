"""SQL for the `license_confirmations` table: the license conditions a creator confirmed for a work (e.g.
"revenue-under-1m"), which the license engine reads as the work's `confirmed` set."""

from __future__ import annotations

from collections.abc import Iterable

from studio.store.db import Database
from studio.store.id_batches import id_batches
from studio.store.works import now_iso


class LicenseConfirmations:
    def __init__(self, db: Database) -> None:
        self.db = db

    def of_works(self, work_ids: Iterable[str]) -> dict[str, frozenset[str]]:
        """The confirmed conditions of each work that has any."""
        found: dict[str, set[str]] = {}
        for chunk, marks in id_batches(work_ids):
            rows = self.db.query(
                f"SELECT work_id, condition FROM license_confirmations WHERE work_id IN ({marks})", chunk
            )
            for row in rows:
                found.setdefault(row["work_id"], set()).add(row["condition"])
        return {work_id: frozenset(conditions) for work_id, conditions in found.items()}

    def confirm(self, work_id: str, condition: str) -> None:
        self.db.execute(
            "INSERT INTO license_confirmations (work_id, condition, confirmed_at) VALUES (?, ?, ?) "
            "ON CONFLICT (work_id, condition) DO NOTHING",
            (work_id, condition, now_iso()),
        )

    def withdraw(self, work_id: str, condition: str) -> None:
        self.db.execute("DELETE FROM license_confirmations WHERE work_id = ? AND condition = ?", (work_id, condition))
