"""Who earns what share of a work's revenue under Story's royalty policies (LAP and LRP).

`links[child] = [(parent, percent), ...]` are the on-chain royalty edges of the work's whole ancestry,
`percent` in Story's scale (100% = 100_000_000). Shares are exact fractions in that scale, so that the
creator's share and the ancestors' shares add up to exactly 100%; each share also carries the integer
Story itself computes (under LRP the IP graph rounds down at every step; LAP needs no division). The rules
are those of Story's IP-graph precompile, written down in docs/story-royalty-rules.md.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from studio.core.types import HUNDRED_PERCENT
from studio.errors import InvalidInput, LineageError

Policy = Literal["lap", "lrp"]
Links = Mapping[str, Sequence[tuple[str, int]]]
POLICIES: tuple[Policy, ...] = ("lap", "lrp")


@dataclass(frozen=True)
class AncestorShare:
    """One ancestor's share of every payment the work receives.

    `share` is exact (Story units, may be fractional under LRP); `royalty` is what Story's IP graph returns
    for (work, ancestor) and `own_stack` the ancestor's own LRP stack, by which LRP reduces its payout.
    """

    id: str
    share: Fraction
    depth: int
    royalty: int
    own_stack: int = 0

    @property
    def units(self) -> int:
        """The share in Story's integers, rounded down as the royalty policy does."""
        return self.royalty - self.royalty * self.own_stack // HUNDRED_PERCENT


@dataclass(frozen=True)
class RoyaltySplit:
    work_id: str
    policy: Policy
    stack: int
    creator_share: Fraction
    ancestors: tuple[AncestorShare, ...]

    @property
    def creator_units(self) -> int:
        """What stays in the work's own vault per 100%, in Story's integers."""
        return HUNDRED_PERCENT - self.stack

    def share_of(self, ancestor_id: str) -> Fraction:
        return next((a.share for a in self.ancestors if a.id == ancestor_id), Fraction(0))


def royalty_split(work_id: str, links: Links, policy: str) -> RoyaltySplit:
    """The split of `work_id`'s revenue between its creator and its ancestors under `policy`.

    As Story's IP-graph precompile computes them (docs/story-royalty-rules.md). LAP: an ancestor earns,
    for every path from the work to it, the percent of the path's last edge (so an ancestor behind a
    diamond is paid once per path), and the stack is the sum over the work's parents of the parent's own
    stack plus the parent's percent. LRP: the stack is the sum of the work's direct edges, and an ancestor
    earns the sum over paths of the product of edge percents, less its own LRP stack's part (its parents
    are paid through the products instead). Runs in time linear in the edges (a dynamic programme over a
    topological order, counting paths rather than enumerating them).
    """
    kind = parse_policy(policy)
    graph = _Graph.build(work_id, links)
    if kind == "lap":
        return _lap_split(graph)
    return _lrp_split(graph)


def lap_stack(work_id: str, links: Links) -> int:
    """Story's LAP royalty stack of a work: the sum over its parents of (the parent's LAP stack + the
    parent's percent), as the IP graph adds it up when the work is linked; an ancestor reached by several
    paths counts once per path."""
    return _Graph.build(work_id, links).lap_stacks()[work_id]


def lrp_stack(work_id: str, links: Links) -> int:
    """Story's LRP royalty stack of a work: the sum of its direct parents' edges."""
    return sum(pct for _, pct in _Graph.build(work_id, links).parents[work_id])


def parse_policy(policy: str) -> Policy:
    key = str(policy).strip().lower()
    if key == "lap":
        return "lap"
    if key == "lrp":
        return "lrp"
    raise InvalidInput(f"unknown royalty policy {policy!r}", hint="use lap or lrp")


@dataclass(frozen=True)
class _Graph:
    """The work's ancestry with parents and children per node, in topological order (children first)."""

    work_id: str
    parents: Mapping[str, tuple[tuple[str, int], ...]]
    children: Mapping[str, tuple[tuple[str, int], ...]]
    order: tuple[str, ...]
    depth: Mapping[str, int]

    @classmethod
    def build(cls, work_id: str, links: Links) -> _Graph:
        parents: dict[str, tuple[tuple[str, int], ...]] = {}
        pending = [work_id]
        while pending:
            node = pending.pop()
            if node in parents:
                continue
            edges = tuple(links.get(node, ()))
            _validate_edges(node, edges)
            parents[node] = edges
            pending.extend(pid for pid, _ in edges if pid not in parents)

        children: dict[str, list[tuple[str, int]]] = {node: [] for node in parents}
        waiting = dict.fromkeys(parents, 0)
        for node, edges in parents.items():
            for pid, pct in edges:
                children[pid].append((node, pct))
                waiting[pid] += 1
        if waiting[work_id]:
            raise LineageError(f"royalty links make {work_id!r} its own ancestor", hint="remove the cycle")
        order: list[str] = []
        ready = deque([work_id])
        while ready:
            node = ready.popleft()
            order.append(node)
            for pid, _ in parents[node]:
                waiting[pid] -= 1
                if waiting[pid] == 0:
                    ready.append(pid)
        if len(order) != len(parents):
            stuck = sorted(n for n, w in waiting.items() if w)
            raise LineageError(f"royalty links hold a cycle through {', '.join(stuck[:3])}", hint="remove the cycle")

        depth = {work_id: 0}
        queue = deque([work_id])
        while queue:
            node = queue.popleft()
            for pid, _ in parents[node]:
                if pid not in depth:
                    depth[pid] = depth[node] + 1
                    queue.append(pid)
        return cls(
            work_id, parents, {n: tuple(c) for n, c in children.items()}, tuple(order), depth,
        )

    def lap_stacks(self) -> dict[str, int]:
        """Every node's LAP stack, parents before children: stack(n) = Σ over n's parents p of
        (stack(p) + percent(n → p)). Story stores this sum when n is linked and never recomputes it."""
        stacks: dict[str, int] = {}
        for node in reversed(self.order):
            stacks[node] = sum(stacks[pid] + pct for pid, pct in self.parents[node])
        return stacks

    def path_counts(self) -> dict[str, int]:
        """How many distinct paths lead from the work to each node (the work itself: 1), children first."""
        paths = dict.fromkeys(self.order, 0)
        paths[self.work_id] = 1
        for node in self.order:
            for pid, _ in self.parents[node]:
                paths[pid] += paths[node]
        return paths

    def ancestors(self) -> list[str]:
        return sorted((n for n in self.order if n != self.work_id), key=lambda n: (self.depth[n], n))


def _validate_edges(node: str, edges: tuple[tuple[str, int], ...]) -> None:
    seen: set[str] = set()
    for edge in edges:
        if not (isinstance(edge, tuple | list) and len(edge) == 2):
            raise InvalidInput(f"royalty link of {node!r} must be a (parent id, percent) pair, not {edge!r}")
        pid, pct = edge
        if isinstance(pct, bool) or not isinstance(pct, int) or not 0 <= pct <= HUNDRED_PERCENT:
            raise InvalidInput(
                f"royalty percent {pct!r} of the link {node!r} → {pid!r} is not a whole number of Story "
                f"units from 0 to {HUNDRED_PERCENT} (100%)"
            )
        if pid == node:
            raise LineageError(f"royalty link {node!r} → itself", hint="a work cannot be its own parent")
        if pid in seen:
            raise InvalidInput(f"{node!r} is linked to {pid!r} twice", hint="Story links each parent once")
        seen.add(pid)


def _lap_split(graph: _Graph) -> RoyaltySplit:
    stack = graph.lap_stacks()[graph.work_id]
    if stack > HUNDRED_PERCENT:
        raise InvalidInput(
            f"the LAP royalty stack of {graph.work_id!r} is {stack} units, above 100% ({HUNDRED_PERCENT})",
            hint="Story refuses such a link; lower the parents' rev shares",
        )
    # Each edge n → p pays p its percent once for every path from the work to n; no division, so no rounding.
    paths = graph.path_counts()
    received = dict.fromkeys(graph.parents, 0)
    for node, edges in graph.parents.items():
        for pid, pct in edges:
            received[pid] += paths[node] * pct
    ancestors = tuple(
        AncestorShare(a, Fraction(received[a]), graph.depth[a], received[a]) for a in graph.ancestors()
    )
    return RoyaltySplit(graph.work_id, "lap", stack, Fraction(HUNDRED_PERCENT - stack), ancestors)


def _lrp_split(graph: _Graph) -> RoyaltySplit:
    own_stack = {n: sum(pct for _, pct in edges) for n, edges in graph.parents.items()}
    over = sorted(n for n, s in own_stack.items() if s > HUNDRED_PERCENT)
    if over:
        raise InvalidInput(
            f"the LRP royalty stack of {over[0]!r} is {own_stack[over[0]]} units, above 100%",
            hint="Story refuses such a link; lower the parents' rev shares",
        )
    h = HUNDRED_PERCENT
    # The exact path sum of a node is numerator[n] / h**level[n], where level is the longest distance
    # from the work, so every contribution from a child is brought to one denominator by a power of h.
    level = {graph.work_id: 0}
    numerator = {graph.work_id: 1}
    story = {graph.work_id: h}  # what the IP graph computes, rounding down each contribution
    powers = [1]
    for node in graph.order[1:]:
        incoming = graph.children[node]
        lvl = max(level[c] for c, _ in incoming) + 1
        while len(powers) <= lvl:
            powers.append(powers[-1] * h)
        level[node] = lvl
        numerator[node] = sum(pct * numerator[c] * powers[lvl - level[c] - 1] for c, pct in incoming)
        story[node] = sum(story[c] * pct // h for c, pct in incoming)
    ancestors = tuple(
        AncestorShare(
            a,
            Fraction(numerator[a] * (h - own_stack[a]), powers[level[a]]),
            graph.depth[a],
            story[a],
            own_stack[a],
        )
        for a in graph.ancestors()
    )
    stack = own_stack[graph.work_id]
    return RoyaltySplit(graph.work_id, "lrp", stack, Fraction(h - stack), ancestors)
