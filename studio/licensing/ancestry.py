"""Walking an ancestry: parents and their relations, ancestors with their distance, inherited expiry."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from studio.core.types import Relation, WorkKind
from studio.errors import InvalidInput, LineageError, NotFound
from studio.licensing.works import LicensedWork

Works = Mapping[str, LicensedWork]
ParentRef = str | tuple[str, Relation | str]
TOOL_RELATIONS = frozenset({Relation.generated_with, Relation.styled_with})


@dataclass(frozen=True)
class ParentUse:
    """A parent of the work being judged, and whether it was used as a tool rather than adapted."""

    work: LicensedWork
    tool: bool  # generated_with / styled_with: the parent was used, not adapted


def get_work(works: Works, work_id: str) -> LicensedWork:
    try:
        return works[work_id]
    except KeyError:
        raise NotFound(
            f"work {work_id!r} is not in the lineage given to the license engine",
            hint="load the work and all of its ancestors",
        ) from None


def parents_of(work: LicensedWork, works: Works) -> list[ParentUse]:
    return [ParentUse(get_work(works, pid), tool=rel in TOOL_RELATIONS) for pid, rel in work.parents]


def resolve_parent(ref: ParentRef, works: Works) -> ParentUse:
    if isinstance(ref, str):
        parent = get_work(works, ref)
        return ParentUse(parent, tool=parent.kind is not WorkKind.image)
    pid, relation = ref
    try:
        rel = Relation(relation)
    except ValueError:
        raise InvalidInput(
            f"unknown relation {relation!r}", hint=f"use one of {', '.join(r.value for r in Relation)}"
        ) from None
    return ParentUse(get_work(works, pid), tool=rel in TOOL_RELATIONS)


def ancestry(parents: list[ParentUse], works: Works, child_id: str | None) -> tuple[dict[str, int], set[str]]:
    """Every ancestor with its shortest distance (parents at 1), and those reached through adaptations
    only, as opposed to tool use (a model's license does not make an image its adaptation)."""
    depth: dict[str, int] = {}
    queue: deque[tuple[LicensedWork, int]] = deque()
    for p in parents:
        if p.work.id not in depth:
            depth[p.work.id] = 1
            queue.append((p.work, 1))
    while queue:
        node, d = queue.popleft()
        if node.id == child_id:
            raise LineageError(f"work {child_id!r} is its own ancestor", hint="remove the edge that closes the cycle")
        for pid in node.parent_ids:
            if pid not in depth:
                depth[pid] = d + 1
                queue.append((get_work(works, pid), d + 1))
    adapted = {p.work.id for p in parents if not p.tool}
    stack = list(adapted)
    while stack:
        node = works[stack.pop()]
        for pid, rel in node.parents:
            if rel not in TOOL_RELATIONS and pid not in adapted:
                adapted.add(pid)
                stack.append(pid)
    return depth, adapted


def is_story_derivative(work: LicensedWork, works: Works) -> bool:
    """Story counts a work as a derivative when it is linked to parents, which only PIL parents are."""
    return any(get_work(works, pid).license.is_pil for pid in work.parent_ids)


def expiry_of(work: LicensedWork, works: Works) -> int | None:
    """The work's own expiry, or an earlier one inherited through its PIL links (Story: min of parents)."""
    earliest = work.terms.expiry
    seen = {work.id}
    stack = [work]
    while stack:
        node = stack.pop()
        for pid in node.parent_ids:
            parent = get_work(works, pid)
            if pid in seen or not parent.license.is_pil:
                continue
            seen.add(pid)
            stack.append(parent)
            own = parent.terms.expiry
            if own is not None and (earliest is None or own < earliest):
                earliest = own
    return earliest
