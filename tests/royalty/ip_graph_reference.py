"""An independent reference for Story's royalty figures, written from the rules of the IP-graph precompile
(story-geth core/vm/ipgraph.go; docs/story-royalty-rules.md) and sharing no code with the studio's engine.

A graph is `parents[node] = [(parent, percent), ...]` in the order the parents were linked, percent in Story
units (100% = 100_000_000); `created` lists the nodes oldest first (every node after its parents), which is
the order the chain linked them in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

HUNDRED_PERCENT = 100_000_000

Parents = Mapping[str, Sequence[tuple[str, int]]]


def topological_order(work: str, parents: Parents) -> list[str]:
    """The precompile's depth-first walk from the work: a node is written down the second time it is taken
    off the stack, so it comes after all its parents (the work last)."""
    visited: set[str] = set()
    written: set[str] = set()
    order: list[str] = []
    stack = [work]
    while stack:
        current = stack.pop()
        if current in visited:
            if current not in written:
                order.append(current)
                written.add(current)
            continue
        visited.add(current)
        stack.append(current)
        for parent, _ in parents.get(current, ()):
            if parent not in visited:
                stack.append(parent)
    return order


def lap_royalty(work: str, ancestor: str, parents: Parents) -> int:
    """getRoyaltyLap: path counts from the work, each edge paying its parent count × percent."""
    order = topological_order(work, parents)
    if ancestor not in order:
        return 0
    royalty = {work: HUNDRED_PERCENT}
    paths = {work: 1}
    for node in reversed(order):
        if node == ancestor:
            break
        for parent, percent in parents.get(node, ()):
            paths[parent] = paths.get(parent, 0) + paths.get(node, 0)
            royalty[parent] = royalty.get(parent, 0) + paths.get(node, 0) * percent
    return royalty.get(ancestor, 0)


def lrp_royalty(work: str, ancestor: str, parents: Parents) -> int:
    """getRoyaltyLrp: the work holds 100%; each node, once complete, passes value × percent / 100% (rounded
    down) to each parent."""
    order = topological_order(work, parents)
    if ancestor not in order:
        return 0
    royalty = {work: HUNDRED_PERCENT}
    for node in reversed(order):
        if node == ancestor:
            break
        value = royalty.get(node, 0)
        if value == 0:
            continue
        for parent, percent in parents.get(node, ()):
            royalty[parent] = royalty.get(parent, 0) + value * percent // HUNDRED_PERCENT
    return royalty.get(ancestor, 0)


def lap_stacks(created: Sequence[str], parents: Parents) -> dict[str, int]:
    """The stored LAP stacks after linking every node in `created` order: setRoyalty adds the parent's stack
    and the edge's percent to the child's, once per parent."""
    stacks: dict[str, int] = {}
    for node in created:
        stacks[node] = 0
        for parent, percent in parents.get(node, ()):
            stacks[node] += stacks[parent] + percent
    return stacks


def lrp_stack(work: str, parents: Parents) -> int:
    """getRoyaltyStackLrp: the work's direct percents."""
    return sum(percent for _, percent in parents.get(work, ()))


def lap_royalties_by_paths(work: str, parents: Parents, limit: int = 20_000) -> dict[str, int] | None:
    """A second, plainer reading of LAP: enumerate every path from the work and pay each ancestor the percent
    of the edge that reaches it. None where the graph has more than `limit` paths."""
    received: dict[str, int] = {}
    count = 0
    stack = [work]
    while stack:
        node = stack.pop()
        for parent, percent in parents.get(node, ()):
            count += 1
            if count > limit:
                return None
            received[parent] = received.get(parent, 0) + percent
            stack.append(parent)
    return received


def ancestry(work: str, parents: Parents) -> set[str]:
    return set(topological_order(work, parents)) - {work}
