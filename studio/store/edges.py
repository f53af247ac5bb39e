"""SQL for the `edges` table: a work's parents and children, and its whole ancestry or descent through recursive
CTEs (one query each, however deep). The graph's rules (no cycle, Story's size limits) are studio.lineage's."""

from __future__ import annotations

from collections.abc import Sequence

from studio.core.types import Edge, Relation
from studio.store.db import Database

_COLUMNS = "child_id, parent_id, relation, position, weight"

# The edges themselves are what the recursion carries, so each step is one index lookup on either engine (a final
# join of the visited ids with `edges` is planned by PostgreSQL as a scan of the whole table). UNION drops an edge
# reached again through a diamond, which also ends the recursion there.
_ANCESTOR_EDGES = """
WITH RECURSIVE up(child_id, parent_id, relation, position, weight) AS (
    SELECT child_id, parent_id, relation, position, weight FROM edges WHERE child_id = :id
    UNION
    SELECT e.child_id, e.parent_id, e.relation, e.position, e.weight
    FROM edges e JOIN up ON e.child_id = up.parent_id
)
SELECT child_id, parent_id, relation, position, weight FROM up
"""

_DESCENDANT_EDGES = """
WITH RECURSIVE down(child_id, parent_id, relation, position, weight) AS (
    SELECT child_id, parent_id, relation, position, weight FROM edges WHERE parent_id = :id
    UNION
    SELECT e.child_id, e.parent_id, e.relation, e.position, e.weight
    FROM edges e JOIN down ON e.parent_id = down.child_id
)
SELECT child_id, parent_id, relation, position, weight FROM down
"""

_COUNT_ANCESTORS = """
WITH RECURSIVE up(id) AS (
    SELECT parent_id FROM edges WHERE child_id = :id
    UNION
    SELECT e.parent_id FROM edges e JOIN up ON e.child_id = up.id
)
SELECT count(*) FROM up
"""

_IS_ANCESTOR = """
WITH RECURSIVE up(id) AS (
    SELECT :start
    UNION
    SELECT e.parent_id FROM edges e JOIN up ON e.child_id = up.id
)
SELECT 1 FROM up WHERE id = :target LIMIT 1
"""


def _edge(row: Sequence) -> Edge:
    return Edge(child_id=row[0], parent_id=row[1], relation=Relation(row[2]), position=row[3], weight=row[4])


class EdgeRecords:
    def __init__(self, db: Database) -> None:
        self.db = db

    def parents(self, work_id: str) -> list[Edge]:
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM edges WHERE child_id = ? ORDER BY position, parent_id", (work_id,)
        )
        return [_edge(row) for row in rows]

    def children(self, work_id: str) -> list[Edge]:
        rows = self.db.query(f"SELECT {_COLUMNS} FROM edges WHERE parent_id = ? ORDER BY child_id", (work_id,))
        return [_edge(row) for row in rows]

    def ancestor_edges(self, work_id: str) -> list[Edge]:
        return [_edge(row) for row in self.db.query(_ANCESTOR_EDGES, {"id": work_id})]

    def descendant_edges(self, work_id: str) -> list[Edge]:
        return [_edge(row) for row in self.db.query(_DESCENDANT_EDGES, {"id": work_id})]

    def ancestor_count(self, work_id: str) -> int:
        return int(self.db.one(_COUNT_ANCESTORS, {"id": work_id})[0])

    def is_ancestor(self, ancestor_id: str, of: str) -> bool:
        return self.db.one(_IS_ANCESTOR, {"start": of, "target": ancestor_id}) is not None

    def insert(self, child_id: str, parent_id: str, relation: Relation, position: int, weight: float | None) -> None:
        """One edge; the caller checks the graph's rules and holds the transaction."""
        self.db.execute(
            f"INSERT INTO edges ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
            (child_id, parent_id, relation.value, position, weight),
        )
