"""SQL for the `collection_members` table: which works a collection (a training set) holds.

Membership is not a parent edge: a model's `trained_on` edge reaches the collection, and credits read its members
from here, so ancestry queries stay bounded however many works a collection holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from studio.store.db import Database

_CREDIT_GROUPS = """
SELECT coalesce(w.creator, '') AS creator, w.license_id, count(*) AS works
FROM collection_members m JOIN works w ON w.id = m.work_id
WHERE m.collection_id = ?
GROUP BY coalesce(w.creator, ''), w.license_id
ORDER BY works DESC, creator
"""


_LICENSE_GROUPS = """
SELECT w.license_id, count(*) AS works, count(DISTINCT coalesce(w.creator, '')) AS creators
FROM collection_members m JOIN works w ON w.id = m.work_id
WHERE m.collection_id = ?
GROUP BY w.license_id
ORDER BY works DESC, w.license_id
"""

_MEMBER_HASHES = """
SELECT w.sha256 FROM collection_members m JOIN works w ON w.id = m.work_id
WHERE m.collection_id = ? ORDER BY w.sha256
"""


class MemberRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, collection_id: str, work_ids: Sequence[str]) -> int:
        """Append works not yet in the collection, in the order given; returns how many were new.
        The caller holds the transaction (one for any number of members)."""
        row = self.db.one("SELECT coalesce(max(position), -1) FROM collection_members WHERE collection_id = ?",
                          (collection_id,))
        start = int(row[0]) + 1
        before = self.count(collection_id)
        self.db.execute_many(
            "INSERT INTO collection_members (collection_id, work_id, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(collection_id, work_id, start + i) for i, work_id in enumerate(work_ids)],
        )
        return self.count(collection_id) - before

    def members(self, collection_id: str, *, limit: int | None = None, offset: int = 0) -> list[str]:
        sql = "SELECT work_id FROM collection_members WHERE collection_id = ? ORDER BY position"
        params: list[object] = [collection_id]
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [row[0] for row in self.db.query(sql, params)]

    def count(self, collection_id: str) -> int:
        return int(self.db.one("SELECT count(*) FROM collection_members WHERE collection_id = ?",
                               (collection_id,))[0])

    def credit_groups(self, collection_id: str) -> list[tuple[str | None, str, int]]:
        """(creator, license id, number of works) for the members, largest group first."""
        return [(row[0] or None, row[1], int(row[2])) for row in self.db.query(_CREDIT_GROUPS, (collection_id,))]

    def license_groups(self, collection_id: str) -> list[tuple[str, int, int]]:
        """(license id, number of works, number of creators) for the members, largest group first."""
        return [(row[0], int(row[1]), int(row[2])) for row in self.db.query(_LICENSE_GROUPS, (collection_id,))]

    def member_hashes(self, collection_id: str) -> list[str]:
        """The members' sha256s, sorted: what a training-set hash is taken over."""
        return [row[0] for row in self.db.query(_MEMBER_HASHES, (collection_id,))]

    def remove(self, collection_id: str, work_ids: Iterable[str]) -> None:
        self.db.execute_many("DELETE FROM collection_members WHERE collection_id = ? AND work_id = ?",
                             [(collection_id, w) for w in work_ids])
