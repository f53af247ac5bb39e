"""LAP and LRP splits: Story's worked example, diamonds, deep chains and the refusals above 100%."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

from studio.core.types import HUNDRED_PERCENT
from studio.errors import InvalidInput, LineageError
from studio.royalty import RoyaltySplit, lap_stack, lrp_stack, payout, royalty_split

PCT = 1_000_000  # 1% in Story units
WIP = 10**18

# Story's worked example (§3.6): GP's terms at 5%, P raised its own rev share to 10%, C remixes P.
EXAMPLE = {"c": [("p", 10 * PCT)], "p": [("gp", 5 * PCT)]}


def _total(split: RoyaltySplit) -> Fraction:
    return split.creator_share + sum((a.share for a in split.ancestors), Fraction(0))


def test_worked_example_under_lap() -> None:
    split = royalty_split("c", EXAMPLE, "lap")
    assert split.stack == 15 * PCT
    assert split.creator_share == 85 * PCT and split.creator_units == 85 * PCT
    assert [(a.id, a.share, a.depth) for a in split.ancestors] == [("p", 10 * PCT, 1), ("gp", 5 * PCT, 2)]
    paid = payout(split, 100 * WIP)
    assert (paid.creator, paid.to("p"), paid.to("gp"), paid.rounding) == (85 * WIP, 10 * WIP, 5 * WIP, 0)


def test_worked_example_under_lrp() -> None:
    split = royalty_split("c", EXAMPLE, "lrp")
    assert split.stack == 10 * PCT
    assert split.creator_share == 90 * PCT
    assert split.share_of("p") == Fraction(95, 10) * PCT and split.share_of("gp") == Fraction(5, 10) * PCT
    assert [(a.id, a.royalty, a.own_stack, a.units) for a in split.ancestors] == [
        ("p", 10 * PCT, 5 * PCT, 9_500_000), ("gp", PCT // 2, 0, 500_000),
    ]
    paid = payout(split, 100 * WIP)
    assert (paid.creator, paid.to("p"), paid.to("gp")) == (90 * WIP, 95 * WIP // 10, 5 * WIP // 10)


def test_worked_example_payment_to_the_parent() -> None:
    """A payment of 100 to P: GP gets 5 and P's vault 95 under both policies."""
    for policy in ("lap", "lrp"):
        paid = payout(royalty_split("p", EXAMPLE, policy), 100 * WIP)
        assert (paid.creator, paid.to("gp")) == (95 * WIP, 5 * WIP)


def test_a_root_shared_by_two_parents_under_lap_and_lrp() -> None:
    links = {"c": [("a", 10 * PCT), ("b", 20 * PCT)], "a": [("r", 5 * PCT)], "b": [("r", 5 * PCT)]}
    # LAP: r is reached along two paths, each ending in a 5% edge; the stack is (5% + 10%) + (5% + 20%).
    lap = royalty_split("c", links, "lap")
    assert lap.stack == 40 * PCT and lap.share_of("r") == 10 * PCT and lap.creator_share == 60 * PCT
    lrp = royalty_split("c", links, "lrp")
    # r: 10%·5% + 20%·5% = 1.5%; a: 10% less its own 5% stack = 9.5%; b: 20% less 5% = 19%.
    assert (lrp.share_of("r"), lrp.share_of("a"), lrp.share_of("b")) == (
        Fraction(3, 2) * PCT, Fraction(19, 2) * PCT, 19 * PCT,
    )
    assert lrp.creator_share == 70 * PCT and _total(lrp) == HUNDRED_PERCENT


def test_a_shared_ancestor_also_linked_directly() -> None:
    links = {"c": [("r", 10 * PCT), ("a", 20 * PCT)], "a": [("r", 50 * PCT)]}
    lrp = royalty_split("c", links, "lrp")
    assert lrp.share_of("r") == 10 * PCT + Fraction(20 * 50, 100) * PCT  # 10% + 20%·50%
    assert lrp.share_of("a") == 10 * PCT  # 20% less half of it for its own parent
    assert [a.depth for a in lrp.ancestors] == [1, 1]
    lap = royalty_split("c", links, "lap")
    assert lap.share_of("r") == 60 * PCT and lap.stack == 80 * PCT


def test_lrp_integers_round_down_at_every_step_like_storys_ip_graph() -> None:
    third = 33_333_333
    links = {"c": [("p", third)], "p": [("gp", third)], "gp": [("ggp", third)]}
    split = royalty_split("c", links, "lrp")
    ggp = next(a for a in split.ancestors if a.id == "ggp")
    step = third * third // HUNDRED_PERCENT
    assert ggp.royalty == step * third // HUNDRED_PERCENT  # (1e8·t//1e8)·t//1e8·t//1e8
    assert ggp.share == Fraction(third**3, HUNDRED_PERCENT**2)  # exact
    assert ggp.units < ggp.share
    assert _total(split) == HUNDRED_PERCENT


def test_deep_chain_split_is_exact_and_fast() -> None:
    depth = 50
    links = {f"w{i}": [(f"w{i + 1}", 2 * PCT)] for i in range(depth)}
    for policy in ("lap", "lrp"):
        royalty_split("w0", links, policy)  # warm up
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            split = royalty_split("w0", links, policy)
            timings.append(time.perf_counter() - start)
        assert min(timings) < 0.010, f"{policy}: {min(timings) * 1000:.2f} ms"
        assert len(split.ancestors) == depth and _total(split) == HUNDRED_PERCENT
    lrp = royalty_split("w0", links, "lrp")
    last = lrp.ancestors[-1]
    assert last.id == f"w{depth}" and last.depth == depth
    assert last.share == Fraction(2, 100) ** depth * HUNDRED_PERCENT
    assert royalty_split("w0", links, "lap").stack == depth * 2 * PCT


def test_wide_diamond_ladder_of_1024_works_needs_no_path_enumeration() -> None:
    """512 levels of two works each, every work linked to both works of the next level: 2^511 paths."""
    levels = 512
    links: dict[str, list[tuple[str, int]]] = {"top": [("0a", 10 * PCT), ("0b", 10 * PCT)]}
    for level in range(levels - 1):
        for side in "ab":
            links[f"{level}{side}"] = [(f"{level + 1}a", 10 * PCT), (f"{level + 1}b", 10 * PCT)]
    start = time.perf_counter()
    split = royalty_split("top", links, "lrp")
    elapsed = time.perf_counter() - start
    assert len(split.ancestors) == 2 * levels and elapsed < 2.0
    assert _total(split) == HUNDRED_PERCENT and all(a.share >= 0 for a in split.ancestors)
    # Each level receives 20% of what reaches the level below it: level k holds 0.2^k of the top's
    # 20% stack, less its own 20% stack, split evenly between its two works.
    assert split.share_of("5a") == Fraction(1, 5) ** 6 * Fraction(4, 5) / 2 * HUNDRED_PERCENT
    with pytest.raises(InvalidInput, match="above 100%"):
        royalty_split("top", links, "lap")  # 2 + 4·511 edges of 10% each


def test_stacks_above_100_percent_are_refused() -> None:
    over_lap = {"c": [("p", 60 * PCT)], "p": [("gp", 50 * PCT)]}
    with pytest.raises(InvalidInput, match="LAP royalty stack of 'c'"):
        royalty_split("c", over_lap, "lap")
    assert royalty_split("c", over_lap, "lrp").creator_share == 40 * PCT  # LRP only counts the direct edge
    over_lrp = {"c": [("a", 60 * PCT), ("b", 50 * PCT)]}
    with pytest.raises(InvalidInput, match="LRP royalty stack of 'c'"):
        royalty_split("c", over_lrp, "lrp")


def test_stack_helpers() -> None:
    assert lap_stack("c", EXAMPLE) == 15 * PCT and lrp_stack("c", EXAMPLE) == 10 * PCT
    assert lap_stack("gp", EXAMPLE) == 0 and lrp_stack("lonely", {}) == 0


def test_a_work_with_no_links_keeps_everything() -> None:
    split = royalty_split("solo", {}, "LAP")
    assert split.policy == "lap" and split.stack == 0 and split.ancestors == ()
    assert split.creator_share == HUNDRED_PERCENT


@pytest.mark.parametrize(
    ("links", "error", "message"),
    [
        ({"c": [("p", 1)], "p": [("c", 1)]}, LineageError, "its own ancestor"),
        ({"c": [("p", 1)], "p": [("q", 1)], "q": [("p", 1)]}, LineageError, "cycle"),
        ({"c": [("c", 1)]}, LineageError, "itself"),
        ({"c": [("p", 1), ("p", 2)]}, InvalidInput, "twice"),
        ({"c": [("p", HUNDRED_PERCENT + 1)]}, InvalidInput, "not a whole number"),
        ({"c": [("p", -1)]}, InvalidInput, "not a whole number"),
        ({"c": [("p", 0.5)]}, InvalidInput, "not a whole number"),
        ({"c": [("p",)]}, InvalidInput, "pair"),
    ],
)
def test_bad_links_are_input_errors(links: dict, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        royalty_split("c", links, "lap")


def test_unknown_policy_is_an_input_error() -> None:
    with pytest.raises(InvalidInput, match="use lap or lrp"):
        royalty_split("c", EXAMPLE, "flat")
