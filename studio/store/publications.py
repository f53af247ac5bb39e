"""SQL for the `publications` table: one place that turns journal rows into `Publication` values and back.

The states and what may follow what are the journal's business (studio.story.journal); this class only reads
and writes rows, and says whether a guarded update found its row in one of the expected states.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from studio.errors import NotFound
from studio.store.db import SQLITE, Database, Row
from studio.store.id_batches import id_batches
from studio.store.works import now_iso

STATES = ("draft", "sent", "confirmed", "failed")


@dataclass(frozen=True)
class Publication:
    id: int
    work_id: str
    network: str
    chain_id: int
    state: str
    wallet: str | None
    tx_hash: str | None
    nonce: int | None
    raw_tx: str | None
    ip_id: str | None
    token_id: int | None
    nft_contract: str | None
    license_terms_ids: tuple[int, ...]
    metadata_uri: str | None
    metadata_hash: str | None
    prediction: dict[str, Any] | None
    readback: dict[str, Any] | None
    error: str | None
    origin: str
    created_at: str
    updated_at: str
    published_by: str | None = None  # the member (database role) or, in a local library, the wallet that wrote it

    @property
    def on_chain(self) -> bool:
        return self.state == "confirmed"

    @property
    def author(self) -> str:
        """Who wrote the publication, as a line names them: the member and their wallet (a team library), or the
        wallet."""
        if self.published_by and self.wallet and self.published_by.lower() != self.wallet.lower():
            return f"{self.published_by} (wallet {self.wallet})"
        return self.published_by or self.wallet or "another publisher"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "work_id": self.work_id,
            "network": self.network,
            "chain_id": self.chain_id,
            "state": self.state,
            "origin": self.origin,
            "wallet": self.wallet,
            "tx_hash": self.tx_hash,
            "nonce": self.nonce,
            "ip_id": self.ip_id,
            "token_id": self.token_id,
            "nft_contract": self.nft_contract,
            "license_terms_ids": list(self.license_terms_ids),
            "metadata_uri": self.metadata_uri,
            "metadata_hash": self.metadata_hash,
            "prediction": self.prediction,
            "readback": self.readback,
            "error": self.error,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "published_by": self.published_by,
        }


def _row(row: Row) -> Publication:
    return Publication(
        id=int(row["id"]),
        work_id=row["work_id"],
        network=row["network"],
        chain_id=int(row["chain_id"]),
        state=row["state"],
        wallet=row["wallet"],
        tx_hash=row["tx_hash"],
        nonce=row["nonce"],
        raw_tx=row["raw_tx"],
        ip_id=row["ip_id"],
        token_id=int(row["token_id"]) if row["token_id"] is not None else None,
        nft_contract=row["nft_contract"],
        license_terms_ids=tuple(json.loads(row["license_terms_ids"] or "[]")),
        metadata_uri=row["metadata_uri"],
        metadata_hash=row["metadata_hash"],
        prediction=json.loads(row["prediction"]) if row["prediction"] else None,
        readback=json.loads(row["readback"]) if row["readback"] else None,
        error=row["error"],
        origin=row["origin"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        published_by=row["published_by"],
    )


class PublicationRecords:
    """The rows of the publishing journal."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def atomic(self) -> AbstractContextManager[Database]:
        return self.db.atomic()

    # --- reads ----------------------------------------------------------------------------------------

    def get(self, publication_id: int) -> Publication:
        row = self.db.one("SELECT * FROM publications WHERE id = ?", (publication_id,))
        if row is None:
            raise NotFound(f"no publication {publication_id}")
        return _row(row)

    def live(self, work_id: str, network: str) -> Publication | None:
        """The work's draft, sent or confirmed publication on the network (the unique index allows one)."""
        row = self.db.one(
            "SELECT * FROM publications WHERE work_id = ? AND network = ? AND state != 'failed'", (work_id, network)
        )
        return _row(row) if row else None

    def confirmed_among(self, work_ids: Iterable[str], network: str) -> set[str]:
        found: set[str] = set()
        for chunk, marks in id_batches(work_ids):
            rows = self.db.query(
                f"SELECT work_id FROM publications WHERE network = ? AND state = 'confirmed' AND work_id IN ({marks})",
                [network, *chunk],
            )
            found.update(row[0] for row in rows)
        return found

    def of_works(self, work_ids: Iterable[str]) -> dict[str, list[Publication]]:
        """Every row of the works, oldest first (a failed attempt may precede the confirmed one)."""
        found: dict[str, list[Publication]] = {}
        for chunk, marks in id_batches(work_ids):
            rows = self.db.query(f"SELECT * FROM publications WHERE work_id IN ({marks}) ORDER BY id", chunk)
            for row in rows:
                found.setdefault(row["work_id"], []).append(_row(row))
        return found

    def confirmed_by_ip(self, network: str, ip_id: str) -> Publication | None:
        row = self.db.one(
            "SELECT * FROM publications WHERE network = ? AND lower(ip_id) = lower(?) AND state = 'confirmed'",
            (network, ip_id),
        )
        return _row(row) if row else None

    def list(self, *, network: str | None = None, work_id: str | None = None,
             states: tuple[str, ...] = STATES) -> list[Publication]:
        clauses = [f"state IN ({','.join('?' * len(states))})"]
        params: list[Any] = list(states)
        if network is not None:
            clauses.append("network = ?")
            params.append(network)
        if work_id is not None:
            clauses.append("work_id = ?")
            params.append(work_id)
        rows = self.db.query(f"SELECT * FROM publications WHERE {' AND '.join(clauses)} ORDER BY id", params)
        return [_row(r) for r in rows]

    def unsettled_networks(self) -> list[str]:
        """Networks with a publication waiting for its receipt, or confirmed and never read back."""
        rows = self.db.query(
            "SELECT DISTINCT network FROM publications WHERE state = 'sent' "
            "OR (state = 'confirmed' AND readback IS NULL AND origin = 'published') ORDER BY network"
        )
        return [row["network"] for row in rows]

    # --- writes ---------------------------------------------------------------------------------------

    def insert_draft(self, work_id: str, network: str, chain_id: int, wallet: str,
                     prediction: dict[str, Any]) -> Publication:
        """A new draft; raises ConstraintViolation when the work already has a live publication on the network
        (another publisher's draft committed first: the unique index decides). On PostgreSQL the server records
        the member who wrote it (the column's default, `current_user`); a local library records the wallet."""
        now = now_iso()
        columns = "work_id, network, chain_id, state, wallet, prediction, origin, created_at, updated_at"
        values = "?, ?, ?, 'draft', ?, ?, 'published', ?, ?"
        params: list[Any] = [work_id, network, chain_id, wallet, json.dumps(prediction), now, now]
        if self.db.engine == SQLITE:
            columns, values = columns + ", published_by", values + ", ?"
            params.append(wallet)
        row = self.db.one(f"INSERT INTO publications ({columns}) VALUES ({values}) RETURNING id", params)
        return self.get(int(row[0]))

    def refresh_draft(self, publication_id: int, wallet: str, chain_id: int, prediction: dict[str, Any]) -> Publication:
        self.db.execute(
            "UPDATE publications SET wallet = ?, chain_id = ?, prediction = ?, updated_at = ? WHERE id = ?",
            (wallet, chain_id, json.dumps(prediction), now_iso(), publication_id),
        )
        return self.get(publication_id)

    def insert_imported(self, work_id: str, network: str, chain_id: int, *, ip_id: str, token_id: int,
                        nft_contract: str, license_terms_ids: tuple[int, ...], metadata_uri: str | None,
                        metadata_hash: str | None, readback: dict[str, Any]) -> Publication:
        """A confirmed row for an IP read from the chain; raises ConstraintViolation when one exists."""
        now = now_iso()
        row = self.db.one(
            "INSERT INTO publications (work_id, network, chain_id, state, ip_id, token_id, nft_contract, "
            "license_terms_ids, metadata_uri, metadata_hash, readback, origin, created_at, updated_at) "
            "VALUES (?, ?, ?, 'confirmed', ?, ?, ?, ?, ?, ?, ?, 'imported', ?, ?) RETURNING id",
            (work_id, network, chain_id, ip_id, str(token_id), nft_contract, json.dumps(list(license_terms_ids)),
             metadata_uri, metadata_hash, json.dumps(readback), now, now),
        )
        return self.get(int(row[0]))

    def update_from(self, publication_id: int, from_states: tuple[str, ...], **fields: Any) -> bool:
        """Change the row only while it is in one of `from_states`; whether it was. Lists and dicts are stored
        as JSON; a unique index that refuses the change raises ConstraintViolation."""
        values = [json.dumps(v) if isinstance(v, (dict, list, tuple)) else v for v in fields.values()]
        sets = ", ".join(f"{name} = ?" for name in fields)
        marks = ",".join("?" * len(from_states))
        cursor = self.db.execute(
            f"UPDATE publications SET {sets}, updated_at = ? WHERE id = ? AND state IN ({marks})",
            [*values, now_iso(), publication_id, *from_states],
        )
        return cursor.rowcount == 1
