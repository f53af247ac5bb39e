"""SQL for the `models` table: where a registered base model or LoRA lives and what it is (the work row holds its
hash, title and license)."""

from __future__ import annotations

from dataclasses import dataclass

from studio.store.db import Database, Row
from studio.store.works import now_iso


@dataclass(frozen=True)
class ModelRecord:
    work_id: str
    name: str
    path: str
    format: str
    arch: str | None
    source: str | None
    added_at: str


def _record(row: Row) -> ModelRecord:
    return ModelRecord(
        work_id=row["work_id"],
        name=row["name"],
        path=row["path"],
        format=row["format"],
        arch=row["arch"],
        source=row["source"],
        added_at=row["added_at"],
    )


class ModelRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    def all(self) -> list[ModelRecord]:
        return [_record(row) for row in self.db.query("SELECT * FROM models ORDER BY added_at, name")]

    def by_name(self, name: str) -> ModelRecord | None:
        row = self.db.one("SELECT * FROM models WHERE name = ?", (name,))
        return _record(row) if row is not None else None

    def by_work(self, work_id: str) -> ModelRecord | None:
        row = self.db.one("SELECT * FROM models WHERE work_id = ?", (work_id,))
        return _record(row) if row is not None else None

    def name_taken(self, name: str) -> bool:
        return self.db.one("SELECT 1 FROM models WHERE name = ?", (name,)) is not None

    def newest_base_model(self, *, excluding_formats: tuple[str, ...] = ()) -> ModelRecord | None:
        """The base model added last by the user (not the built-in one, not in the trash)."""
        marks = ",".join("?" * len(excluding_formats)) or "''"
        row = self.db.one(
            "SELECT m.* FROM models m JOIN works w ON w.id = m.work_id "
            f"WHERE w.kind = 'model' AND m.source != 'builtin' AND m.format NOT IN ({marks}) AND w.deleted_at IS NULL "
            "ORDER BY m.added_at DESC LIMIT 1",
            excluding_formats,
        )
        return _record(row) if row is not None else None

    def insert(self, work_id: str, name: str, path: str, fmt: str, arch: str | None, source: str | None) -> None:
        """One model row for an existing work; the caller holds the transaction that wrote the work."""
        self.db.execute(
            "INSERT INTO models (work_id, name, path, format, arch, source, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (work_id, name, path, fmt, arch, source, now_iso()),
        )

    def set_path(self, name: str, path: str) -> None:
        with self.db.atomic():
            self.db.execute("UPDATE models SET path = ? WHERE name = ?", (path, name))
