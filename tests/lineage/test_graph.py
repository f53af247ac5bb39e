"""studio.lineage.graph: edges, ancestors/descendants with depth and path, and the graph's rules."""

from __future__ import annotations

import pytest

from studio.core.types import MAX_PARENTS, Origin, Relation, Terms, WorkKind
from studio.errors import LineageError
from studio.lineage.graph import LineageGraph, ParentLink
from studio.store.works import NewWork


def _add(library, n: int, kind: WorkKind = WorkKind.image) -> list[str]:
    ids = []
    with library.db.atomic():
        for i in range(n):
            work = library.works.insert(
                NewWork(
                    kind=kind,
                    sha256=f"{kind}-{i}-{len(ids)}-{id(ids)}",
                    title=f"w{i}",
                    origin=Origin.imported,
                    terms=Terms("cc0-1.0"),
                )
            )
            ids.append(work.id)
    return ids


def _link(library, child: str, *parents: str, relation: Relation = Relation.remix_of) -> None:
    graph = LineageGraph(library.db)
    with library.db.atomic():
        graph.add_parents(child, [ParentLink(p, relation) for p in parents])


def test_chain_ancestors_have_depth_and_path(library) -> None:
    a, b, c, d = _add(library, 4)
    _link(library, b, a)
    _link(library, c, b)
    _link(library, d, c)
    nodes = {n.id: n for n in LineageGraph(library.db).ancestors(d)}
    assert {i: n.depth for i, n in nodes.items()} == {c: 1, b: 2, a: 3}
    assert nodes[a].path == (d, c, b, a)
    down = {n.id: n.depth for n in LineageGraph(library.db).descendants(a)}
    assert down == {b: 1, c: 2, d: 3}


def test_diamond_reports_each_ancestor_once_at_its_shortest_depth(library) -> None:
    top, left, right, bottom, extra = _add(library, 5)
    _link(library, left, top)
    _link(library, right, top)
    _link(library, extra, left)
    _link(library, bottom, extra, right)
    nodes = {n.id: n for n in LineageGraph(library.db).ancestors(bottom)}
    assert set(nodes) == {top, left, right, extra}
    assert nodes[top].depth == 2 and nodes[top].path == (bottom, right, top)


def test_cycles_are_refused(library) -> None:
    a, b, c = _add(library, 3)
    _link(library, b, a)
    _link(library, c, b)
    with pytest.raises(LineageError, match="cycle"):
        _link(library, a, c)
    with pytest.raises(LineageError, match="own parent"):
        _link(library, a, a)
    assert LineageGraph(library.db).parents(a) == []


def test_duplicate_parent_is_refused(library) -> None:
    a, b = _add(library, 2)
    _link(library, b, a)
    with pytest.raises(LineageError, match="already a parent"):
        _link(library, b, a)


def test_more_than_sixteen_parents_is_refused_and_nothing_is_added(library) -> None:
    child, *parents = _add(library, MAX_PARENTS + 2)
    with pytest.raises(LineageError, match="at most 16 parents"):
        _link(library, child, *parents)
    assert LineageGraph(library.db).parents(child) == []
    _link(library, child, *parents[:MAX_PARENTS])
    assert len(LineageGraph(library.db).parents(child)) == MAX_PARENTS


def test_more_than_1024_ancestors_is_refused(library) -> None:
    # 1024 roots feed 64 hubs of 16 parents each; a work under all hubs would have 1088 ancestors.
    roots = _add(library, 1024)
    hubs = _add(library, 64)
    graph = LineageGraph(library.db)
    with library.db.atomic():
        for h, hub in enumerate(hubs):
            graph.add_parents(hub, [ParentLink(r, Relation.composite_of) for r in roots[h * 16 : h * 16 + 16]])
    mids = _add(library, 4)
    with library.db.atomic():
        for m, mid in enumerate(mids):
            graph.add_parents(mid, [ParentLink(h, Relation.composite_of) for h in hubs[m * 16 : m * 16 + 16]])
    (child,) = _add(library, 1)
    with pytest.raises(LineageError, match="at most 1024"), library.db.atomic():
        graph.add_parents(child, [ParentLink(m, Relation.composite_of) for m in mids])
    assert graph.parents(child) == []
    with library.db.atomic():
        graph.add_parents(child, [ParentLink(m, Relation.composite_of) for m in mids[:3]])
    assert graph.ancestor_count(child) == 3 + 48 + 768
