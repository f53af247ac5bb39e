"""Edges between works, and the ancestors / descendants of a work through recursive CTEs.

The graph's rules are Story's: at most 16 parents per work and at most 1024 ancestors, and never a cycle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from studio.core.types import MAX_ANCESTORS, MAX_PARENTS, Edge, LineageNode, Relation
from studio.errors import LineageError
from studio.store.db import Database

_ANCESTOR_EDGES = """
WITH RECURSIVE up(id) AS (
    SELECT :id
    UNION
    SELECT e.parent_id FROM edges e JOIN up ON e.child_id = up.id
)
SELECT e.child_id, e.parent_id, e.relation, e.position, e.weight
FROM edges e JOIN up ON e.child_id = up.id
"""

_DESCENDANT_EDGES = """
WITH RECURSIVE down(id) AS (
    SELECT :id
    UNION
    SELECT e.child_id FROM edges e JOIN down ON e.parent_id = down.id
)
SELECT e.child_id, e.parent_id, e.relation, e.position, e.weight
FROM edges e JOIN down ON e.parent_id = down.id
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


@dataclass(frozen=True)
class ParentLink:
    parent_id: str
    relation: Relation
    weight: float | None = None


def _edge(row: Sequence) -> Edge:
    return Edge(child_id=row[0], parent_id=row[1], relation=Relation(row[2]), position=row[3], weight=row[4])


def _walk(start: str, edges: Iterable[Edge], *, upward: bool) -> list[LineageNode]:
    """Breadth-first over the fetched subgraph: the first visit of a node is its shortest path."""
    neighbours: dict[str, list[Edge]] = {}
    for edge in edges:
        key = edge.child_id if upward else edge.parent_id
        neighbours.setdefault(key, []).append(edge)
    for group in neighbours.values():
        group.sort(key=lambda e: (e.position, e.parent_id if upward else e.child_id))
    seen = {start}
    found: list[LineageNode] = []
    queue: deque[tuple[str, int, tuple[str, ...]]] = deque([(start, 0, (start,))])
    while queue:
        node, depth, path = queue.popleft()
        for edge in neighbours.get(node, ()):
            other = edge.parent_id if upward else edge.child_id
            if other in seen:
                continue
            seen.add(other)
            node_path = (*path, other)
            found.append(LineageNode(id=other, depth=depth + 1, path=node_path, relation=edge.relation))
            queue.append((other, depth + 1, node_path))
    return found


class LineageGraph:
    def __init__(self, db: Database) -> None:
        self.db = db

    def parents(self, work_id: str) -> list[Edge]:
        rows = self.db.query(
            "SELECT child_id, parent_id, relation, position, weight FROM edges WHERE child_id = ? "
            "ORDER BY position, parent_id",
            (work_id,),
        )
        return [_edge(row) for row in rows]

    def children(self, work_id: str) -> list[Edge]:
        rows = self.db.query(
            "SELECT child_id, parent_id, relation, position, weight FROM edges WHERE parent_id = ? ORDER BY child_id",
            (work_id,),
        )
        return [_edge(row) for row in rows]

    def ancestor_edges(self, work_id: str) -> list[Edge]:
        return [_edge(row) for row in self.db.query(_ANCESTOR_EDGES, {"id": work_id})]

    def descendant_edges(self, work_id: str) -> list[Edge]:
        return [_edge(row) for row in self.db.query(_DESCENDANT_EDGES, {"id": work_id})]

    def ancestors(self, work_id: str) -> list[LineageNode]:
        return _walk(work_id, self.ancestor_edges(work_id), upward=True)

    def descendants(self, work_id: str) -> list[LineageNode]:
        return _walk(work_id, self.descendant_edges(work_id), upward=False)

    def ancestor_count(self, work_id: str) -> int:
        return int(self.db.one(_COUNT_ANCESTORS, {"id": work_id})[0])

    def is_ancestor(self, ancestor_id: str, of: str) -> bool:
        return self.db.one(_IS_ANCESTOR, {"start": of, "target": ancestor_id}) is not None

    def add_parents(self, child_id: str, links: Sequence[ParentLink]) -> list[Edge]:
        """Add edges child → parents, refusing cycles and Story's size limits. Call inside `db.atomic()`."""
        existing = {edge.parent_id for edge in self.parents(child_id)}
        fresh: list[ParentLink] = []
        for link in links:
            if link.parent_id == child_id:
                raise LineageError(f"work {child_id} cannot be its own parent")
            if link.parent_id in existing or any(f.parent_id == link.parent_id for f in fresh):
                raise LineageError(
                    f"work {link.parent_id} is already a parent of {child_id}", hint="give each parent once"
                )
            if self.is_ancestor(child_id, of=link.parent_id):
                raise LineageError(
                    f"linking {child_id} to parent {link.parent_id} would make a cycle "
                    f"({link.parent_id} already descends from {child_id})",
                    hint="a work cannot be remixed from its own remix",
                )
            fresh.append(link)
        if len(existing) + len(fresh) > MAX_PARENTS:
            raise LineageError(
                f"a work may have at most {MAX_PARENTS} parents (Story's limit); "
                f"this would give {child_id} {len(existing) + len(fresh)}",
                hint="combine fewer parents, or blend some of them into an intermediate work first",
            )
        start = len(existing)
        for offset, link in enumerate(fresh):
            self.db.execute(
                "INSERT INTO edges (child_id, parent_id, relation, position, weight) VALUES (?, ?, ?, ?, ?)",
                (child_id, link.parent_id, link.relation.value, start + offset, link.weight),
            )
        count = self.ancestor_count(child_id)
        if count > MAX_ANCESTORS:
            raise LineageError(
                f"{child_id} would have {count} ancestors; Story allows at most {MAX_ANCESTORS}",
                hint="start a new lineage from a work with fewer ancestors",
            )
        return self.parents(child_id)
