"""The engine's LAP and LRP figures against an independent reading of Story's IP-graph precompile
(tests/royalty/ip_graph_reference.py): a hand-worked diamond, then generated graphs — ladders of diamonds, an
ancestor reached along paths of several lengths, works with 16 parents, random ancestries — with odd percents.
Every share, every stack and every payout must be the precompile's integer."""

from __future__ import annotations

import pytest

from studio.errors import InvalidInput
from studio.royalty import lap_stack, lrp_stack, payout, royalty_split
from tests.royalty.ip_graph_cases import Case, diamond, generated, within_lap_limit
from tests.royalty.ip_graph_reference import (
    HUNDRED_PERCENT,
    ancestry,
    lap_royalties_by_paths,
    lap_royalty,
    lap_stacks,
    lrp_royalty,
)
from tests.royalty.ip_graph_reference import lrp_stack as reference_lrp_stack

PCT = 1_000_000
WIP = 10**18
SEED = 101
CASES = generated(SEED, 240)


def test_diamond_pays_the_root_once_per_path_under_lap() -> None:
    """R ← C (5%) ← D1 (10%), D2 (20%) ← W (3% to D1, 7% to D2). Worked by hand (docs/story-royalty-rules.md):
    W's stack is (15% + 3%) + (25% + 7%) = 50%; C is reached through D1 and D2 and gets 10% + 20% = 30%; R is
    reached along two paths and gets 5% twice."""
    case = diamond(5 * PCT, 10 * PCT, 20 * PCT, 3 * PCT, 7 * PCT)
    split = royalty_split("W", case.parents, "lap")
    assert split.stack == 50 * PCT and split.creator_units == 50 * PCT
    assert {a.id: a.royalty for a in split.ancestors} == {"D1": 3 * PCT, "D2": 7 * PCT, "C": 30 * PCT, "R": 10 * PCT}
    assert [(a.id, a.depth) for a in split.ancestors] == [("D1", 1), ("D2", 1), ("C", 2), ("R", 3)]
    assert (lap_stack("D1", case.parents), lap_stack("D2", case.parents)) == (15 * PCT, 25 * PCT)
    paid = payout(split, 100 * WIP)
    assert (paid.creator, paid.to("R"), paid.to("C"), paid.rounding) == (50 * WIP, 10 * WIP, 30 * WIP, 0)


def test_diamond_under_lrp_rounds_once_per_node() -> None:
    """The same diamond under LRP: C gets 3%·10% + 7%·20% = 1.7% and R 1.7%·5% = 0.085% of W's revenue."""
    case = diamond(5 * PCT, 10 * PCT, 20 * PCT, 3 * PCT, 7 * PCT)
    split = royalty_split("W", case.parents, "lrp")
    assert split.stack == 10 * PCT
    assert {a.id: a.royalty for a in split.ancestors} == {"D1": 3 * PCT, "D2": 7 * PCT, "C": 1_700_000, "R": 85_000}
    # With percents that do not divide evenly, the sum reaching C is rounded once, not each path apart.
    # Rounding each path apart would give R 20,566,985 units.
    odd = diamond(33_333_333, 12_345_678, 66_666_667, 7_777_777, 91_111_111)
    c_value = 7_777_777 * 12_345_678 // HUNDRED_PERCENT + 91_111_111 * 66_666_667 // HUNDRED_PERCENT
    assert c_value == 61_700_959
    split = royalty_split("W", odd.parents, "lrp")
    assert {a.id: a.royalty for a in split.ancestors}["R"] == c_value * 33_333_333 // HUNDRED_PERCENT == 20_566_986


def test_diamond_lap_stack_above_100_percent_is_refused() -> None:
    """Counting R once would make W's stack 95%; Story counts R's 10% twice, 105%, and refuses the link."""
    case = diamond(10 * PCT, 30 * PCT, 30 * PCT, 10 * PCT, 15 * PCT)
    assert lap_stacks(case.created, case.parents)["W"] == 105 * PCT
    with pytest.raises(InvalidInput, match="above 100%"):
        royalty_split("W", case.parents, "lap")


def _engine_royalties(case: Case, policy: str) -> dict[str, int]:
    return {a.id: a.royalty for a in royalty_split(case.work, case.parents, policy).ancestors}


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c.name}" for i, c in enumerate(CASES)])
def test_lap_matches_the_precompile(case: Case) -> None:
    stacks = lap_stacks(case.created, case.parents)
    if stacks[case.work] > HUNDRED_PERCENT:
        with pytest.raises(InvalidInput, match="above 100%"):
            royalty_split(case.work, case.parents, "lap")
        case = within_lap_limit(case)
        stacks = lap_stacks(case.created, case.parents)
    expected = {a: lap_royalty(case.work, a, case.parents) for a in ancestry(case.work, case.parents)}
    by_paths = lap_royalties_by_paths(case.work, case.parents)
    if by_paths is not None:  # the two readings of the rules agree with each other first
        assert by_paths == expected
    split = royalty_split(case.work, case.parents, "lap")
    assert _engine_royalties(case, "lap") == expected
    assert split.stack == stacks[case.work] == sum(expected.values())
    assert all(lap_stack(n, case.parents) == stacks[n] for n in case.created)
    amount = 10**21 + 7
    paid = payout(split, amount, 1_234_567)
    after_fee = amount - amount * 1_234_567 // HUNDRED_PERCENT
    due = {a: after_fee * r // HUNDRED_PERCENT for a, r in expected.items()}
    assert dict(paid.ancestors) == due


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c.name}" for i, c in enumerate(CASES)])
def test_lrp_matches_the_precompile(case: Case) -> None:
    expected = {a: lrp_royalty(case.work, a, case.parents) for a in ancestry(case.work, case.parents)}
    split = royalty_split(case.work, case.parents, "lrp")
    assert _engine_royalties(case, "lrp") == expected
    assert split.stack == lrp_stack(case.work, case.parents) == reference_lrp_stack(case.work, case.parents)
    own = {a.id: a.own_stack for a in split.ancestors}
    assert own == {a: reference_lrp_stack(a, case.parents) for a in expected}


def test_the_generated_cases_cover_what_the_rules_distinguish() -> None:
    """The comparison means something only if the graphs hold what LAP counts per path."""
    repeated = [c for c in CASES if (p := lap_royalties_by_paths(c.work, c.parents)) is not None
                and any(lap_royalty(c.work, a, c.parents) != sum(pct for edges in c.parents.values()
                                                                for q, pct in edges if q == a)
                        for a in p)]
    assert len(repeated) >= len(CASES) // 3
    assert any(len(edges) == 16 for c in CASES for edges in c.parents.values())
    assert sum(lap_stacks(c.created, c.parents)[c.work] > HUNDRED_PERCENT for c in CASES) >= 20
