"""SQL for the `credentials` table: what a work's Content Credentials said when it was imported or signed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from studio.store.db import Database, Row
from studio.store.id_batches import id_batches
from studio.store.works import now_iso

_IMAGE = "SELECT id FROM works WHERE kind = 'image' AND id IN ({}) ORDER BY created_at LIMIT 1"


@dataclass(frozen=True)
class CredentialRecord:
    work_id: str
    state: str
    tampered: bool
    signer: str | None
    manifest_label: str | None
    summary: str
    checked_at: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """Where the verdict came from: the imported file, or the library's own signed export."""
        return str(self.details.get("source") or "import")


def json_object(text: str | None) -> dict:
    """A JSON object column; anything else (damaged, not an object) reads as empty."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _record(row: Row) -> CredentialRecord:
    return CredentialRecord(
        work_id=row["work_id"],
        state=row["state"],
        tampered=bool(row["tampered"]),
        signer=row["signer"],
        manifest_label=row["manifest_label"],
        summary=row["summary"] or "",
        checked_at=row["checked_at"],
        details=json_object(row["report"]),
    )


class CredentialRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, work_id: str) -> CredentialRecord | None:
        row = self.db.one("SELECT * FROM credentials WHERE work_id = ?", (work_id,))
        return _record(row) if row is not None else None

    def of_works(self, work_ids: Iterable[str]) -> dict[str, CredentialRecord]:
        found: dict[str, CredentialRecord] = {}
        for chunk, marks in id_batches(work_ids):
            for row in self.db.query(f"SELECT * FROM credentials WHERE work_id IN ({marks})", chunk):
                found[row["work_id"]] = _record(row)
        return found

    def put(
        self,
        work_id: str,
        *,
        state: str,
        tampered: bool,
        signer: str | None,
        manifest_label: str | None,
        summary: str | None,
        details: dict[str, Any],
    ) -> None:
        """Store (or replace) the work's verdict; joins the caller's transaction when there is one."""
        self.db.execute(
            """
            INSERT INTO credentials (work_id, state, tampered, signer, manifest_label, summary, report, checked_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (work_id) DO UPDATE SET state = excluded.state, tampered = excluded.tampered,
                signer = excluded.signer, manifest_label = excluded.manifest_label, summary = excluded.summary,
                report = excluded.report, checked_at = excluded.checked_at
            """,
            (
                work_id,
                state,
                int(tampered),
                signer,
                manifest_label,
                summary,
                json.dumps(details, ensure_ascii=False, sort_keys=True),
                now_iso(),
            ),
        )

    def put_if_unjudged(self, work_id: str, **verdict: Any) -> bool:
        """Store the verdict unless the work already has one that judged credentials (state other than "none");
        says whether it was stored."""
        with self.db.atomic():
            row = self.db.one("SELECT state FROM credentials WHERE work_id = ?", (work_id,))
            if row is not None and row["state"] != "none":
                return False
            self.put(work_id, **verdict)
        return True

    def image_claiming(self, work_id: str) -> str | None:
        """The oldest image whose trusted credentials said it was `work_id` (a signed copy of it, imported here).

        Only trusted credentials count: anyone can sign a file that names a public work id."""
        where = ("SELECT work_id FROM credentials WHERE state = 'trusted' AND "
                 f"{self.db.json_field('report', 'work_id')} = ?")
        row = self.db.one(_IMAGE.format(where), (work_id,))
        return row["id"] if row is not None else None

    def image_with_manifest(self, label: str) -> str | None:
        """The oldest image whose trusted credentials are the manifest `label` (a label alone proves nothing)."""
        where = "SELECT work_id FROM credentials WHERE state = 'trusted' AND manifest_label = ?"
        row = self.db.one(_IMAGE.format(where), (label,))
        return row["id"] if row is not None else None
