"""The royalty engine's part of publishing a remix: the stacks Story would refuse, the split it pays, and the
ceilings a publisher sets on what the parents take."""

from __future__ import annotations

from studio.royalty.publishing import cap_refusals, publish_royalty

PCT = 1_000_000


def test_a_root_or_a_work_without_a_policy_owes_no_one() -> None:
    assert publish_royalty("r", [], {}, "lap") == ([], None)
    assert publish_royalty("c", [("p", 5 * PCT)], {"c": [("p", 5 * PCT)]}, None) == ([], None)


def test_a_remix_within_100_percent_gets_its_split() -> None:
    links = {"c": [("p", 10 * PCT)], "p": [("g", 20 * PCT)]}
    refusals, split = publish_royalty("c", [("p", 10 * PCT)], links, "lap")
    assert refusals == [] and split is not None
    assert split.stack == 30 * PCT and {a.id for a in split.ancestors} == {"p", "g"}


def test_a_stack_above_100_percent_is_refused_for_publishing_and_has_no_split() -> None:
    links = {"c": [("p", 40 * PCT)], "p": [("g", 70 * PCT)]}
    refusals, split = publish_royalty("c", [("p", 40 * PCT)], links, "lap")
    assert split is None and refusals
    assert {r.code for r in refusals} >= {"lap_stack_above_100"}
    assert all(r.blocks and r.scope == "publish" for r in refusals)


def test_a_stack_refused_elsewhere_also_leaves_no_split() -> None:
    from studio.core.reasons import Reason

    links = {"c": [("p", 10 * PCT)]}
    known = [Reason("lrp_stack_above_100", "too much", "c", "block", "publish")]
    assert publish_royalty("c", [("p", 10 * PCT)], links, "lap", known) == ([], None)


def test_ceilings_refuse_what_the_parents_take_beyond_them() -> None:
    assert cap_refusals("c", "C", revenue_share=10 * PCT, minting_fee=5, max_revenue_share=None,
                        max_minting_fee=None) == []
    assert cap_refusals("c", "C", revenue_share=10 * PCT, minting_fee=5, max_revenue_share=10 * PCT,
                        max_minting_fee=5) == []
    found = cap_refusals("c", "C", revenue_share=11 * PCT, minting_fee=6, max_revenue_share=10 * PCT,
                         max_minting_fee=5)
    assert [r.code for r in found] == ["rev_share_above_ceiling", "minting_fee_above_ceiling"]
    assert "11%" in found[0].message and "10%" in found[0].message and "6 wei" in found[1].message
