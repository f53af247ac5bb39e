"""SQL for the `reviews` table: reviewers' decisions on works, each bound to the report and lineage it was made on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from studio.store.db import Database, Row
from studio.store.works import now_iso

Decision = Literal["approved", "rejected"]


@dataclass(frozen=True)
class ReviewDecision:
    id: int
    work_id: str
    decision: Decision
    reviewer: str
    comment: str | None
    report_sha256: str
    lineage_sha256: str
    decided_at: str
    # Set by a team library's database when the lineage the decision was bound to changed (a local library's
    # review service compares lineage hashes instead); who made that change.
    voided_at: str | None = None
    voided_by: str | None = None
    # The team library's member who recorded it (`reviewer` is the name they typed); None on a local library.
    decided_by: str | None = None


def _decision(row: Row) -> ReviewDecision:
    return ReviewDecision(
        id=row["id"],
        work_id=row["work_id"],
        decision=row["decision"],
        reviewer=row["reviewer"],
        comment=row["comment"],
        report_sha256=row["report_sha256"],
        lineage_sha256=row["lineage_sha256"],
        decided_at=row["decided_at"],
        voided_at=row["voided_at"],
        voided_by=row["voided_by"],
        decided_by=row["created_by"],
    )


class ReviewRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    def of_work(self, work_id: str) -> list[ReviewDecision]:
        """Every decision on the work, oldest first."""
        rows = self.db.query("SELECT * FROM reviews WHERE work_id = ? ORDER BY id", (work_id,))
        return [_decision(row) for row in rows]

    def latest(self, work_id: str) -> ReviewDecision | None:
        row = self.db.one("SELECT * FROM reviews WHERE work_id = ? ORDER BY id DESC LIMIT 1", (work_id,))
        return _decision(row) if row is not None else None

    def latest_of_each(self) -> dict[str, ReviewDecision]:
        """The latest decision of every work that has one."""
        rows = self.db.query("SELECT * FROM reviews WHERE id IN (SELECT max(id) FROM reviews GROUP BY work_id)")
        return {row["work_id"]: _decision(row) for row in rows}

    def add(
        self,
        work_id: str,
        decision: Decision,
        reviewer: str,
        comment: str | None,
        *,
        report_sha256: str,
        lineage_sha256: str,
    ) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO reviews (work_id, decision, reviewer, comment, report_sha256, lineage_sha256, decided_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (work_id, decision, reviewer, comment, report_sha256, lineage_sha256, now_iso()),
            )
