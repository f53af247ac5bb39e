"""SQL for the `group_members` table: the members added to training sets' Story groups.

One row per member and add transaction. A row is written `sent`, with the transaction's hash, nonce and signed
bytes, before the transaction is broadcast; settling turns it `added` or `failed`. The partial unique index keeps a
member live (sent or added) in a group at most once, which is what makes a re-run after a crash safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from studio.store.db import Database, Row
from studio.store.works import now_iso


@dataclass(frozen=True)
class GroupMembership:
    id: int
    network: str
    group_work_id: str
    group_ip: str
    member_work_id: str
    member_ip: str
    state: str
    tx_hash: str | None
    nonce: int | None
    raw_tx: str | None
    error: str | None


def _row(row: Row) -> GroupMembership:
    return GroupMembership(
        id=int(row["id"]), network=row["network"], group_work_id=row["group_work_id"], group_ip=row["group_ip"],
        member_work_id=row["member_work_id"], member_ip=row["member_ip"], state=row["state"],
        tx_hash=row["tx_hash"], nonce=row["nonce"], raw_tx=row["raw_tx"], error=row["error"],
    )


class GroupMemberRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- reads ----------------------------------------------------------------------------------------

    def members_of(self, group_work_id: str, network: str,
                   states: tuple[str, ...] = ("added",)) -> list[GroupMembership]:
        marks = ",".join("?" * len(states))
        rows = self.db.query(
            f"SELECT * FROM group_members WHERE group_work_id = ? AND network = ? AND state IN ({marks}) ORDER BY id",
            (group_work_id, network, *states),
        )
        return [_row(r) for r in rows]

    def groups_of(self, member_work_id: str, network: str) -> list[GroupMembership]:
        rows = self.db.query(
            "SELECT * FROM group_members WHERE member_work_id = ? AND network = ? AND state = 'added' ORDER BY id",
            (member_work_id, network),
        )
        return [_row(r) for r in rows]

    def in_flight(self, network: str | None = None) -> list[GroupMembership]:
        sql = "SELECT * FROM group_members WHERE state = 'sent'"
        params: tuple[str, ...] = ()
        if network is not None:
            sql += " AND network = ?"
            params = (network,)
        return [_row(r) for r in self.db.query(sql + " ORDER BY id", params)]

    def networks_in_flight(self) -> list[str]:
        return [r[0] for r in self.db.query("SELECT DISTINCT network FROM group_members WHERE state = 'sent'")]

    # --- writes ---------------------------------------------------------------------------------------

    def record_sent(self, network: str, group_work_id: str, group_ip: str, members: Sequence[tuple[str, str]],
                    tx_hash: str, nonce: int, raw_tx: str) -> None:
        """One `sent` row per (member work id, member IP), committed before the transaction is broadcast."""
        stamp = now_iso()
        with self.db.atomic():
            self.db.execute_many(
                "INSERT INTO group_members (network, group_work_id, group_ip, member_work_id, member_ip, state, "
                "tx_hash, nonce, raw_tx, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'sent', ?, ?, ?, ?, ?)",
                [(network, group_work_id, group_ip, work_id, ip, tx_hash, nonce, raw_tx, stamp, stamp)
                 for work_id, ip in members],
            )

    def record_added(self, network: str, group_work_id: str, group_ip: str,
                     members: Sequence[tuple[str, str]], tx_hash: str | None = None) -> None:
        """Members found in the group on chain that the table does not hold (added by an earlier run whose row
        was lost, or by another tool): recorded as they are."""
        stamp = now_iso()
        with self.db.atomic():
            self.db.execute_many(
                "INSERT INTO group_members (network, group_work_id, group_ip, member_work_id, member_ip, "
                "state, tx_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'added', ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [(network, group_work_id, group_ip, work_id, ip, tx_hash, stamp, stamp) for work_id, ip in members],
            )

    def settle(self, tx_hash: str, state: str, error: str | None = None) -> int:
        """Every row of the transaction becomes `added` or `failed`; returns how many changed."""
        with self.db.atomic():
            cur = self.db.execute(
                "UPDATE group_members SET state = ?, error = ?, updated_at = ? WHERE tx_hash = ? AND state = 'sent'",
                (state, error, now_iso(), tx_hash),
            )
            return cur.rowcount
