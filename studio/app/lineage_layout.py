"""Where each node of a lineage graph goes: ancestors in rows above the work, descendants in rows below.

An image's row is its longest distance from the work (so every edge points from a higher row to a lower one);
within a row, images are ordered by the mean position of their neighbours in the row nearer the work, which
keeps edges from crossing in the usual family-tree shapes. Tools (models, LoRAs) often feed many works of one
chain; they sit in a column left of the images, level with the first work they made, so that their edges run
beside the chain instead of through it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from studio.core.types import Edge, Relation

RELATION_LABELS = {
    Relation.remix_of: "remix of",
    Relation.inpaint_of: "inpaint of",
    Relation.composite_of: "blend of",
    Relation.generated_with: "made with",
    Relation.styled_with: "styled with",
    Relation.trained_on: "trained on",
    Relation.finetuned_from: "fine-tuned from",
}


@dataclass(frozen=True)
class NodeSpot:
    id: str
    row: int  # negative: ancestors, 0: the work, positive: descendants
    column: float  # centred on 0


@dataclass(frozen=True)
class GraphLayout:
    nodes: tuple[NodeSpot, ...]
    edges: tuple[Edge, ...]

    def spot(self, work_id: str) -> NodeSpot:
        return next(n for n in self.nodes if n.id == work_id)


def edge_label(edge: Edge) -> str:
    label = RELATION_LABELS.get(edge.relation, edge.relation.value)
    if edge.weight is not None and edge.relation is Relation.styled_with:
        label += f" ×{edge.weight:g}"
    return label


def layout(work_id: str, edges: Iterable[Edge], tools: Collection[str] = ()) -> GraphLayout:
    edges = tuple(dict.fromkeys(edges))
    side = {t for t in tools if t != work_id}
    parents: dict[str, list[str]] = {}
    children: dict[str, list[str]] = {}
    for e in edges:
        if e.parent_id in side:
            continue
        parents.setdefault(e.child_id, []).append(e.parent_id)
        children.setdefault(e.parent_id, []).append(e.child_id)
    rows: dict[str, int] = {work_id: 0}
    _longest(work_id, parents, rows, -1)
    _longest(work_id, children, rows, +1)
    by_row: dict[int, list[str]] = {}
    for node, row in rows.items():
        by_row.setdefault(row, []).append(node)
    columns: dict[str, float] = {work_id: 0.0}
    for direction in (-1, 1):
        row = direction
        while row in by_row:
            nearer = row - direction
            links = children if direction < 0 else parents

            def key(node: str, nearer: int = nearer, links: dict[str, list[str]] = links) -> tuple[float, str]:
                near = [columns[n] for n in links.get(node, ()) if rows.get(n) == nearer and n in columns]
                return (sum(near) / len(near) if near else 0.0, node)

            ordered = sorted(by_row[row], key=key)
            width = len(ordered)
            for i, node in enumerate(ordered):
                columns[node] = i - (width - 1) / 2
            row += direction
    _place_tools(side, edges, rows, columns)
    spots = tuple(
        NodeSpot(node, rows[node], columns[node]) for node in sorted(rows, key=lambda n: (rows[n], columns[n]))
    )
    return GraphLayout(spots, edges)


def _place_tools(side: set[str], edges: tuple[Edge, ...], rows: dict[str, int], columns: dict[str, float]) -> None:
    """Tools left of the chain, level with the first work they made; a tool of a tool (a model's training set, a
    LoRA's base model) one column further left, level with the tool it fed."""
    made: dict[str, list[str]] = {}
    for e in edges:
        if e.parent_id in side:
            made.setdefault(e.parent_id, []).append(e.child_id)
    left = min(columns.values()) - 1.25
    taken: dict[tuple[int, float], int] = {}
    waiting = set(made)
    while waiting:
        ready = sorted((t for t in waiting if any(c in rows for c in made[t])),
                       key=lambda t: (min(rows[c] for c in made[t] if c in rows), t))
        if not ready:
            break
        for tool in ready:
            placed = [c for c in made[tool] if c in rows]
            row = min(rows[c] for c in placed)
            beside = min((columns[c] for c in placed if c in side), default=None)
            column = left if beside is None else beside - 1.25
            spot = (row, column)
            rows[tool] = row
            columns[tool] = column - taken.get(spot, 0)
            taken[spot] = taken.get(spot, 0) + 1
            waiting.discard(tool)


def _longest(start: str, step: dict[str, list[str]], rows: dict[str, int], sign: int) -> None:
    """Longest-path rows over a DAG by relaxing in breadth-first waves (lineage graphs are small and acyclic)."""
    frontier = [start]
    distance = {start: 0}
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for other in step.get(node, ()):
                if distance.get(other, -1) < distance[node] + 1:
                    distance[other] = distance[node] + 1
                    nxt.append(other)
        frontier = list(dict.fromkeys(nxt))
    for node, d in distance.items():
        if node != start:
            rows[node] = sign * d
