"""Property tests of the royalty engine on random ancestries (DAGs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from studio.core.types import HUNDRED_PERCENT
from studio.royalty import RoyaltySplit, check_link, payout, royalty_split

Links = dict[str, list[tuple[str, int]]]
# At most 10 works with 4 parents each: under 1,000 paths (431 at most), so no LAP stack goes above 100%.
MAX_EDGE = HUNDRED_PERCENT // 1000
PROPERTY = settings(max_examples=150, deadline=None)


@st.composite
def ancestries(draw: st.DrawFn, max_works: int = 10) -> Links:
    """Work n0 and its ancestors: edges only point to higher numbers, so the graph is acyclic; some works
    are unreachable from n0, some are reached along many paths."""
    count = draw(st.integers(1, max_works))
    links: Links = {}
    for i in range(count - 1):
        parents = draw(st.lists(st.integers(i + 1, count - 1), unique=True, max_size=min(4, count - 1 - i)))
        if parents:
            links[f"n{i}"] = [(f"n{j}", draw(st.integers(0, MAX_EDGE))) for j in parents]
    return links


def _reachable(links: Mapping[str, Sequence[tuple[str, int]]], start: str) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for pid, _ in links.get(stack.pop(), ()):
            if pid not in seen:
                seen.add(pid)
                stack.append(pid)
    return seen


def _path_weights(links: Links, node: str, weight: Fraction, into: dict[str, Fraction]) -> None:
    """Brute force: walk every path, multiplying the edge percents (fine for tiny graphs)."""
    for pid, pct in links.get(node, ()):
        w = weight * Fraction(pct, HUNDRED_PERCENT)
        into[pid] = into.get(pid, Fraction(0)) + w
        _path_weights(links, pid, w, into)


def _total(split: RoyaltySplit) -> Fraction:
    return split.creator_share + sum((a.share for a in split.ancestors), Fraction(0))


@PROPERTY
@given(ancestries(), st.sampled_from(["lap", "lrp"]))
def test_shares_are_never_negative_and_add_up_to_exactly_100_percent(links: Links, policy: str) -> None:
    split = royalty_split("n0", links, policy)
    assert split.creator_share >= 0 and all(a.share >= 0 and a.units >= 0 for a in split.ancestors)
    assert _total(split) == HUNDRED_PERCENT
    assert {a.id for a in split.ancestors} == _reachable(links, "n0") - {"n0"}


def _last_edges(links: Links, node: str, into: dict[str, int]) -> None:
    """Brute force: walk every path, paying each ancestor the percent of the edge that reaches it."""
    for pid, pct in links.get(node, ()):
        into[pid] = into.get(pid, 0) + pct
        _last_edges(links, pid, into)


@PROPERTY
@given(ancestries())
def test_lap_pays_each_ancestor_once_per_path_and_the_stack_is_their_sum(links: Links) -> None:
    received: dict[str, int] = {}
    _last_edges(links, "n0", received)
    split = royalty_split("n0", links, "lap")
    assert {a.id: a.royalty for a in split.ancestors} == {a: received.get(a, 0) for a in received}
    assert split.stack == sum(received.values())
    assert all(a.units == a.share == a.royalty for a in split.ancestors)


@PROPERTY
@given(ancestries(max_works=8))
def test_lrp_shares_equal_the_sum_over_paths_less_the_ancestors_own_stack(links: Links) -> None:
    weights: dict[str, Fraction] = {}
    _path_weights(links, "n0", Fraction(1), weights)
    split = royalty_split("n0", links, "lrp")
    for ancestor in split.ancestors:
        own = sum(pct for _, pct in links.get(ancestor.id, ()))
        exact = weights[ancestor.id] * HUNDRED_PERCENT
        assert ancestor.share == exact * (HUNDRED_PERCENT - own) / HUNDRED_PERCENT
        assert ancestor.royalty <= exact  # Story's integers only ever round down
    assert split.stack == sum(pct for _, pct in links.get("n0", ()))


@PROPERTY
@given(ancestries(), st.sampled_from(["lap", "lrp"]), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_links_are_given(links: Links, policy: str, rnd: Random) -> None:
    items = list(links.items())
    rnd.shuffle(items)
    shuffled = {child: rnd.sample(edges, len(edges)) for child, edges in items}
    assert royalty_split("n0", shuffled, policy) == royalty_split("n0", links, policy)


@PROPERTY
@given(
    ancestries(),
    st.sampled_from(["lap", "lrp"]),
    st.integers(1, 10**24),
    st.integers(0, 10_000_000),
)
def test_payouts_account_for_every_wei(links: Links, policy: str, amount: int, fee: int) -> None:
    split = royalty_split("n0", links, policy)
    if fee and amount * fee // HUNDRED_PERCENT == 0:
        return  # Story refuses payments whose fee rounds to zero (tested separately)
    paid = payout(split, amount, fee)
    parts = [amt for _, amt in paid.ancestors]
    assert paid.fee + paid.creator + sum(parts) + paid.rounding == amount
    assert min([paid.fee, paid.creator, *parts]) >= 0
    assert paid.rounding >= (0 if policy == "lap" else -len(parts))


@PROPERTY
@given(ancestries(), st.integers(0, HUNDRED_PERCENT))
def test_a_link_the_checks_accept_gives_a_valid_split(links: Links, pct: int) -> None:
    reasons = check_link("new", [("n0", pct)], links, "lap")
    if reasons:
        assert royalty_split("n0", links, "lap").stack + pct > HUNDRED_PERCENT
    else:
        split = royalty_split("new", {**links, "new": [("n0", pct)]}, "lap")
        assert split.creator_share >= 0 and _total(split) == HUNDRED_PERCENT
