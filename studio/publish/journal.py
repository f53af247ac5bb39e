"""The publishing journal (the `publications` table): draft → sent → confirmed | failed.

A publication is `sent` with its transaction's hash, nonce and signed bytes committed BEFORE the transaction
is broadcast, so a crash at any point leaves a row that the next start can settle from the chain. The
unique indexes make a work live at most once per network and a nonce used at most once per wallet.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from studio.errors import NotFound
from studio.publish.errors import AlreadyPublished, NonceConflict
from studio.store.db import Database
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

    @property
    def on_chain(self) -> bool:
        return self.state == "confirmed"

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
        }


def _row(row: sqlite3.Row) -> Publication:
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
    )


class Journal:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- reads ----------------------------------------------------------------------------------------

    def get(self, publication_id: int) -> Publication:
        row = self.db.one("SELECT * FROM publications WHERE id = ?", (publication_id,))
        if row is None:
            raise NotFound(f"no publication {publication_id}")
        return _row(row)

    def live(self, work_id: str, network: str) -> Publication | None:
        """The work's draft, sent or confirmed publication on the network (at most one exists)."""
        row = self.db.one(
            "SELECT * FROM publications WHERE work_id = ? AND network = ? AND state != 'failed'", (work_id, network)
        )
        return _row(row) if row else None

    def confirmed(self, work_id: str, network: str) -> Publication | None:
        pub = self.live(work_id, network)
        return pub if pub is not None and pub.on_chain else None

    def is_on_chain(self, work_id: str, network: str) -> bool:
        return self.confirmed(work_id, network) is not None

    def on_chain_among(self, work_ids: Iterable[str], network: str) -> set[str]:
        """Which of these works have a confirmed publication on the network (one query)."""
        ids = list(work_ids)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.query(
                f"SELECT work_id FROM publications WHERE network = ? AND state = 'confirmed' AND work_id IN ({marks})",
                [network, *chunk],
            )
            found.update(row[0] for row in rows)
        return found

    def by_ip(self, network: str, ip_id: str) -> Publication | None:
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

    def in_flight(self, network: str | None = None) -> list[Publication]:
        return self.list(network=network, states=("sent",))

    def unsettled_networks(self) -> list[str]:
        """Networks with a publication waiting for its receipt, or confirmed and never read back."""
        rows = self.db.query(
            "SELECT DISTINCT network FROM publications WHERE state = 'sent' "
            "OR (state = 'confirmed' AND readback IS NULL AND origin = 'published') ORDER BY network"
        )
        return [row["network"] for row in rows]

    # --- state changes --------------------------------------------------------------------------------

    def draft(self, work_id: str, network: str, chain_id: int, wallet: str, prediction: dict[str, Any]) -> Publication:
        """A new draft, or the work's existing draft refreshed; a sent or confirmed one is refused."""
        with self.db.atomic():
            live = self.live(work_id, network)
            if live is not None and live.state != "draft":
                raise _already(live)
            now = now_iso()
            if live is not None:
                self.db.execute(
                    "UPDATE publications SET wallet = ?, chain_id = ?, prediction = ?, updated_at = ? WHERE id = ?",
                    (wallet, chain_id, json.dumps(prediction), now, live.id),
                )
                return self.get(live.id)
            cursor = self.db.execute(
                "INSERT INTO publications (work_id, network, chain_id, state, wallet, prediction, origin, created_at,"
                " updated_at) VALUES (?, ?, ?, 'draft', ?, ?, 'published', ?, ?)",
                (work_id, network, chain_id, wallet, json.dumps(prediction), now, now),
            )
            return self.get(int(cursor.lastrowid))

    def set_metadata(self, publication_id: int, uri: str, digest: str, nft_contract: str) -> None:
        self._update(publication_id, ("draft",), metadata_uri=uri, metadata_hash=digest, nft_contract=nft_contract)

    def mark_sent(self, publication_id: int, tx_hash: str, nonce: int, raw_tx: str) -> Publication:
        """Record the signed transaction; committed before it is broadcast."""
        try:
            self._update(publication_id, ("draft",), state="sent", tx_hash=tx_hash, nonce=nonce, raw_tx=raw_tx,
                         error=None)
        except sqlite3.IntegrityError:
            raise NonceConflict(
                f"nonce {nonce} of this wallet is already used by another publication in the journal",
                hint="run `studio publish status` to settle it, then try again",
            ) from None
        return self.get(publication_id)

    def confirm(self, publication_id: int, ip_id: str, token_id: int, nft_contract: str,
                license_terms_ids: tuple[int, ...]) -> Publication:
        self._update(publication_id, ("sent",), state="confirmed", ip_id=ip_id, token_id=str(token_id),
                     nft_contract=nft_contract, license_terms_ids=json.dumps(list(license_terms_ids)), error=None)
        return self.get(publication_id)

    def fail(self, publication_id: int, reason: str) -> Publication:
        self._update(publication_id, ("draft", "sent"), state="failed", error=reason)
        return self.get(publication_id)

    def set_readback(self, publication_id: int, readback: dict[str, Any]) -> Publication:
        self._update(publication_id, ("confirmed",), readback=json.dumps(readback))
        return self.get(publication_id)

    def record_imported(self, work_id: str, network: str, chain_id: int, *, ip_id: str, token_id: int,
                        nft_contract: str, license_terms_ids: tuple[int, ...], metadata_uri: str | None,
                        metadata_hash: str | None, readback: dict[str, Any]) -> Publication:
        now = now_iso()
        try:
            cursor = self.db.execute(
                "INSERT INTO publications (work_id, network, chain_id, state, ip_id, token_id, nft_contract, "
                "license_terms_ids, metadata_uri, metadata_hash, readback, origin, created_at, updated_at) "
                "VALUES (?, ?, ?, 'confirmed', ?, ?, ?, ?, ?, ?, ?, 'imported', ?, ?)",
                (work_id, network, chain_id, ip_id, str(token_id), nft_contract, json.dumps(list(license_terms_ids)),
                 metadata_uri, metadata_hash, json.dumps(readback), now, now),
            )
        except sqlite3.IntegrityError:
            live = self.live(work_id, network)
            raise _already(live) if live else AlreadyPublished(f"IP {ip_id} is already in the library") from None
        return self.get(int(cursor.lastrowid))

    def _update(self, publication_id: int, from_states: tuple[str, ...], **fields: Any) -> None:
        sets = ", ".join(f"{name} = ?" for name in fields)
        marks = ",".join("?" * len(from_states))
        cursor = self.db.execute(
            f"UPDATE publications SET {sets}, updated_at = ? WHERE id = ? AND state IN ({marks})",
            [*fields.values(), now_iso(), publication_id, *from_states],
        )
        if cursor.rowcount != 1:
            current = self.get(publication_id)
            raise AlreadyPublished(
                f"publication {publication_id} is {current.state}, not {' or '.join(from_states)}",
                hint="run `studio publish status` to see where it stands",
            )


def _already(pub: Publication) -> AlreadyPublished:
    if pub.state == "sent":
        return AlreadyPublished(
            f"work {pub.work_id} was already sent to {pub.network} (transaction {pub.tx_hash}) and waits for its "
            "receipt; it is never sent twice",
            hint="run `studio publish status` to settle it",
        )
    return AlreadyPublished(f"work {pub.work_id} is already on {pub.network} as IP {pub.ip_id}")
