"""The stack checks that make Story refuse a link, and what each party receives of a payment."""

from __future__ import annotations

import pytest

from studio.core.types import HUNDRED_PERCENT
from studio.errors import InvalidInput
from studio.royalty import check_link, payout, royalty_split

PCT = 1_000_000
WIP = 10**18


def test_lap_refuses_a_license_that_takes_the_parent_stack_above_100_percent() -> None:
    """RoyaltyPolicyLAP.onLicenseMinting: globalRoyaltyStack(parent) + percent ≤ 100%."""
    links = {"p": [("gp", 70 * PCT)]}
    assert check_link("c", [("p", 30 * PCT)], links, "lap") == []
    found = check_link("c", [("p", 31 * PCT)], links, "lap")
    assert [(r.code, r.work_id) for r in found] == [("lap_parent_stack_above_100", "p"), ("lap_stack_above_100", "c")]
    assert "70%" in found[0].message and "101%" in found[0].message
    assert all(r.blocks and r.scope == "publish" for r in found)


def test_lap_child_stack_counts_a_shared_ancestry_once_per_path() -> None:
    """RoyaltyModule.onLinkToParents: the child's stack ≤ 100%, where the IP graph adds up, for each parent,
    the parent's stack plus its percent, so an ancestry shared by two parents counts twice."""
    links = {"a": [("r", 10 * PCT)], "b": [("r", 10 * PCT)], "r": [("q", 20 * PCT)]}
    # a's and b's stacks are 30% each (r → q counted in both): (30% + 19%) + (30% + 21%) = 100%.
    assert check_link("c", [("a", 19 * PCT), ("b", 21 * PCT)], links, "lap") == []
    over = check_link("c", [("a", 20 * PCT), ("b", 21 * PCT)], links, "lap")
    assert [(r.code, r.work_id) for r in over] == [("lap_stack_above_100", "c")]  # each parent stays ≤ 51%
    assert "101%" in over[0].message


def test_lrp_checks_the_parents_lap_stack_and_the_direct_sum() -> None:
    """RoyaltyPolicyLRP.onLicenseMinting: LAP stack(parent) + percent ≤ 100%; the link: stacks ≤ 100%."""
    links = {"p": [("gp", 90 * PCT)]}  # LRP edges: they do not count in p's LAP stack
    assert check_link("c", [("p", 50 * PCT)], links, "lrp") == []
    parent = check_link("c", [("p", 50 * PCT)], links, "lrp", parent_lap_stacks={"p": 60 * PCT})
    assert [r.code for r in parent] == ["lrp_parent_stack_above_100"]
    child = check_link("c", [("a", 60 * PCT), ("b", 41 * PCT)], {}, "lrp")
    assert [(r.code, r.work_id) for r in child] == [("lrp_stack_above_100", "c")]


def test_a_child_is_linked_once() -> None:
    """LicenseRegistry: DerivativeAlreadyRegistered."""
    found = check_link("c", [("p", PCT)], {"c": [("x", PCT)]}, "lap")
    assert [r.code for r in found] == ["already_linked"]


def test_bad_link_requests_are_input_errors() -> None:
    with pytest.raises(InvalidInput, match="at least one parent"):
        check_link("c", [], {}, "lap")
    with pytest.raises(InvalidInput, match="outside"):
        check_link("c", [("p", HUNDRED_PERCENT + 1)], {}, "lap")
    with pytest.raises(InvalidInput, match="twice"):
        check_link("c", [("p", 1), ("p", 2)], {}, "lap")
    with pytest.raises(InvalidInput, match="use lap or lrp"):
        check_link("c", [("p", 1)], {}, "none")


def test_treasury_fee_comes_off_first() -> None:
    split = royalty_split("c", {"c": [("p", 10 * PCT)], "p": [("gp", 5 * PCT)]}, "lap")
    paid = payout(split, 100 * WIP, fee_percent_units=10 * PCT)
    assert paid.fee == 10 * WIP
    assert (paid.creator, paid.to("p"), paid.to("gp")) == (765 * WIP // 10, 9 * WIP, 45 * WIP // 10)
    assert paid.fee + paid.creator + sum(a for _, a in paid.ancestors) + paid.rounding == paid.amount


def test_lrp_rounding_is_reported_not_lost() -> None:
    split = royalty_split("c", {"c": [("p", 30 * PCT)], "p": [("gp", 90 * PCT)]}, "lrp")
    paid = payout(split, 9)
    # Story: 2 wei go to the policy; p may claim 2 - 1 = 1, gp floor(9·27%) = 2: one wei more than sent.
    assert (paid.creator, paid.to("p"), paid.to("gp"), paid.rounding) == (7, 1, 2, -1)
    assert paid.creator + paid.to("p") + paid.to("gp") + paid.rounding == 9


def test_payments_too_small_for_the_fee_or_not_positive_are_refused() -> None:
    split = royalty_split("c", {}, "lap")
    with pytest.raises(InvalidInput, match="too small"):
        payout(split, 9, fee_percent_units=10 * PCT)
    with pytest.raises(InvalidInput, match="positive"):
        payout(split, 0)
    with pytest.raises(InvalidInput, match="treasury fee"):
        payout(split, 10, fee_percent_units=HUNDRED_PERCENT + 1)
