"""Reading what other parts of the studio recorded about works: the publishing journal and Content Credentials."""

from __future__ import annotations

import json
from collections.abc import Iterable

from studio.report.model import CredentialsVerdict, Publication
from studio.store.db import Database

_CHUNK = 500


def publications(db: Database, work_ids: Iterable[str]) -> dict[str, tuple[Publication, ...]]:
    """Every journal row of the works, oldest first (a failed attempt may precede the confirmed one)."""
    found: dict[str, list[Publication]] = {}
    sql = "SELECT work_id, network, chain_id, state, ip_id, tx_hash FROM publications WHERE work_id IN ({}) ORDER BY id"
    for row in _rows(db, sql, work_ids):
        found.setdefault(row["work_id"], []).append(
            Publication(row["network"], int(row["chain_id"]), row["state"], row["ip_id"], row["tx_hash"])
        )
    return {work_id: tuple(rows) for work_id, rows in found.items()}


def credentials(db: Database, work_ids: Iterable[str]) -> dict[str, CredentialsVerdict]:
    sql = (
        "SELECT work_id, state, tampered, signer, manifest_label, summary, report, checked_at "
        "FROM credentials WHERE work_id IN ({})"
    )
    return {row["work_id"]: credentials_verdict(row) for row in _rows(db, sql, work_ids)}


def credentials_verdict(row) -> CredentialsVerdict:
    details = json_object(row["report"])
    return CredentialsVerdict(
        state=row["state"],
        tampered=bool(row["tampered"]),
        signer=row["signer"],
        summary=row["summary"] or "",
        manifest_label=row["manifest_label"],
        checked_at=row["checked_at"],
        source=str(details.get("source") or "import"),
    )


def json_object(text: str | None) -> dict:
    """A JSON object column; anything else (damaged, not an object) reads as empty."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _rows(db: Database, sql: str, work_ids: Iterable[str]) -> list:
    ids = list(dict.fromkeys(work_ids))
    rows = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows += db.query(sql.format(",".join("?" * len(chunk))), chunk)
    return rows
