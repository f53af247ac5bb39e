"""Generated ancestries for comparing royalty figures with Story's IP-graph rules: diamonds, ladders of
diamonds, an ancestor reached along paths of several lengths, works with up to 16 parents, random graphs, all
with odd percentages. Each case lists its works oldest first and each work's parents in link order."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from tests.royalty.ip_graph_reference import HUNDRED_PERCENT, lap_stacks

MAX_PARENTS = 16
ODD_PERCENTS = (1, 7, 999_999, 1_234_567, 3_333_333, 12_345_678, 33_333_333, 49_999_999, 66_666_667, 99_999_999)


@dataclass(frozen=True)
class Case:
    name: str
    created: tuple[str, ...]  # oldest first; the last one is the work
    parents: dict[str, list[tuple[str, int]]]

    @property
    def work(self) -> str:
        return self.created[-1]


def diamond(r_c: int, c_d1: int, c_d2: int, d1_w: int, d2_w: int) -> Case:
    """Root R; C a child of R; D1 and D2 children of C; W a child of D1 and D2."""
    return Case("diamond", ("R", "C", "D1", "D2", "W"),
                {"C": [("R", r_c)], "D1": [("C", c_d1)], "D2": [("C", c_d2)], "W": [("D1", d1_w), ("D2", d2_w)]})


def _odd(rnd: Random, ceiling: int) -> int:
    """An awkward percent up to `ceiling`: one of the odd constants scaled down, or a random one."""
    if rnd.random() < 0.5:
        return max(1, rnd.choice(ODD_PERCENTS) * ceiling // HUNDRED_PERCENT) | 1
    return rnd.randint(0, ceiling)


def _structure(name: str, created: list[str], edges: dict[str, list[str]], rnd: Random, ceiling: int) -> Case:
    parents = {n: [(p, _odd(rnd, ceiling)) for p in edges.get(n, [])] for n in created if edges.get(n)}
    return Case(name, tuple(created), parents)


def diamond_ladder(levels: int, width: int, rnd: Random, ceiling: int) -> Case:
    """`levels` rows of `width` works, each linked to every work of the row above: width**levels paths."""
    created = ["top"]
    edges: dict[str, list[str]] = {}
    above = ["top"]
    for level in range(levels):
        row = [f"L{level}.{i}" for i in range(width)]
        for n in row:
            edges[n] = list(above)
        created += row
        above = row
    created.append("work")
    edges["work"] = list(above)
    return _structure(f"ladder{levels}x{width}", created, edges, rnd, ceiling)


def several_depths(rnd: Random, ceiling: int) -> Case:
    """An ancestor A reached directly and along chains of 2 to 5 links, one of them through a diamond."""
    created = ["A"]
    edges: dict[str, list[str]] = {}
    work_parents = ["A"]
    for length in range(2, 6):
        below = "A"
        for step in range(length - 1):
            node = f"c{length}.{step}"
            edges[node] = [below]
            created.append(node)
            below = node
        work_parents.append(below)
    edges.update({"x1": ["c5.1"], "x2": ["c5.1", "A"], "x3": ["x1", "x2"]})
    created += ["x1", "x2", "x3"]
    work_parents.append("x3")
    rnd.shuffle(work_parents)
    edges["work"] = work_parents
    created.append("work")
    return _structure("several_depths", created, edges, rnd, ceiling)


def sixteen_parents(rnd: Random, ceiling: int) -> Case:
    """A work with 16 parents, each a child of one root and some also of each other."""
    created = ["root"]
    edges: dict[str, list[str]] = {}
    for i in range(MAX_PARENTS):
        node = f"p{i}"
        edges[node] = ["root", *rnd.sample(created[1:], min(len(created) - 1, rnd.randint(0, 3)))]
        created.append(node)
    edges["work"] = rnd.sample(created[1:], MAX_PARENTS)
    created.append("work")
    return _structure("sixteen_parents", created, edges, rnd, ceiling)


def random_dag(rnd: Random, size: int, ceiling: int) -> Case:
    """`size` works, each linked to up to 16 older ones (more often a few)."""
    created = [f"n{i}" for i in range(size)]
    edges: dict[str, list[str]] = {}
    for i, node in enumerate(created[1:], start=1):
        k = min(i, rnd.choice((0, 1, 1, 2, 2, 3, 4, 6, MAX_PARENTS)))
        if node == created[-1]:
            k = max(k, 1)
        edges[node] = rnd.sample(created[:i], k)
    return _structure(f"random{size}", created, edges, rnd, ceiling)


def within_lap_limit(case: Case) -> Case:
    """The same graph with its percents scaled down until the work's LAP stack is at most 100%."""
    stack = lap_stacks(case.created, case.parents)[case.work]
    if stack <= HUNDRED_PERCENT:
        return case
    scaled = {n: [(p, pct * HUNDRED_PERCENT // (stack + 1)) for p, pct in edges] for n, edges in case.parents.items()}
    return Case(case.name + "/scaled", case.created, scaled)


def generated(seed: int, count: int) -> list[Case]:
    """`count` cases from `seed`. Percents are at most 100% / 16 so that no LRP stack exceeds 100%; LAP
    stacks may exceed it (see `within_lap_limit`)."""
    rnd = Random(seed)
    ceiling = HUNDRED_PERCENT // MAX_PARENTS - 1
    cases = []
    for i in range(count):
        kind = i % 6
        if kind == 0:
            cases.append(diamond_ladder(rnd.randint(1, 6), rnd.randint(2, 3), rnd, ceiling))
        elif kind == 1:
            cases.append(several_depths(rnd, ceiling))
        elif kind == 2:
            cases.append(sixteen_parents(rnd, ceiling))
        else:
            cases.append(random_dag(rnd, rnd.randint(2, 30), ceiling))
    return cases


def per_parent(case: Case, rnd: Random, ceiling: int) -> Case:
    """The same graph with one percent per parent, as on a chain where a link's percent is the parent's
    licence share (every child of a parent pays it the same); none is 0, the licence's floor being 1 unit."""
    share = {n: max(1, _odd(rnd, ceiling)) for n in case.created}
    parents = {n: [(p, share[p]) for p, _ in edges] for n, edges in case.parents.items()}
    return Case(case.name, case.created, parents)
