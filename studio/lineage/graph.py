"""The work graph: a work's parents, ancestors and descendants, and the rules an edge must keep.

The graph's rules are Story's: at most 16 parents per work and at most 1024 ancestors, and never a cycle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from studio.core.types import MAX_ANCESTORS, MAX_PARENTS, Edge, LineageNode, Relation, WorkKind
from studio.errors import LineageError
from studio.store.db import Database
from studio.store.edges import EdgeRecords


@dataclass(frozen=True)
class ParentLink:
    parent_id: str
    relation: Relation
    weight: float | None = None


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
    """The work graph's rules over the `edges` records (given, or made for a database)."""

    def __init__(self, edges: EdgeRecords | Database) -> None:
        self.edges = edges if isinstance(edges, EdgeRecords) else EdgeRecords(edges)

    def parents(self, work_id: str) -> list[Edge]:
        return self.edges.parents(work_id)

    def children(self, work_id: str) -> list[Edge]:
        return self.edges.children(work_id)

    def ancestor_edges(self, work_id: str) -> list[Edge]:
        return self.edges.ancestor_edges(work_id)

    def descendant_edges(self, work_id: str) -> list[Edge]:
        return self.edges.descendant_edges(work_id)

    def ancestors(self, work_id: str) -> list[LineageNode]:
        return _walk(work_id, self.ancestor_edges(work_id), upward=True)

    def descendants(self, work_id: str) -> list[LineageNode]:
        return _walk(work_id, self.descendant_edges(work_id), upward=False)

    def ancestor_count(self, work_id: str) -> int:
        return self.edges.ancestor_count(work_id)

    def is_ancestor(self, ancestor_id: str, of: str) -> bool:
        return self.edges.is_ancestor(ancestor_id, of)

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
            self.edges.insert(child_id, link.parent_id, link.relation, start + offset, link.weight)
        count = self.ancestor_count(child_id)
        if count > MAX_ANCESTORS:
            raise LineageError(
                f"{child_id} would have {count} ancestors; Story allows at most {MAX_ANCESTORS}",
                hint="start a new lineage from a work with fewer ancestors",
            )
        return self.parents(child_id)


def check_kinds(relation: Relation, child: WorkKind, parent: WorkKind) -> None:
    """The training relations join particular kinds: a model or LoRA is `trained_on` a collection and a LoRA or
    fine-tune is `finetuned_from` a model. The older relations keep their own callers' checks."""
    if relation not in (Relation.trained_on, Relation.finetuned_from):
        return
    if child not in relation.child_kinds or parent is not relation.parent_kind:
        raise LineageError(
            f"a {child.value} cannot be {relation.value} a {parent.value}",
            hint=f"{relation.value} links a model or LoRA to a {relation.parent_kind.value}",
        )
