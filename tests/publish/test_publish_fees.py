"""The fee shown before signing comes from the network published to: the node estimates each transaction it can
run now and quotes the price per gas; the estimate is within a sane factor of the gas the chain then charges,
follows the network's base fee, and is shown by `studio publish` before it asks to sign."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from studio.services.publishing import PublishOptions
from studio.story.errors import RpcUnreachable
from studio.story.fees import STORY_GAS, story_remix_gas, story_root_gas

GWEI = 10**9


def test_estimate_is_near_the_gas_used_and_comes_from_the_node(desk) -> None:
    first = desk.work("Dawn", rev_share=5)
    plan = desk.studio.publish_planner.plan(first.id)
    assert plan.fees is not None and plan.fees.network == "devnet"
    # No collection yet: the node estimates its creation; the registration into it waits for it to exist, and
    # is counted as Story's registration of a root whose terms (5% rev share) are not on the network yet.
    created, registered = plan.fees.lines
    assert created.by_node and created.gas < STORY_GAS["collection"]
    assert not registered.by_node and registered.gas == story_root_gas(terms_known=False)
    used = sum(r.gas_used for r in desk.studio.publish_runner.execute(plan))
    assert 0.5 <= plan.fees.gas / used <= 4

    second = desk.work("Noon", rev_share=5)
    plan = desk.studio.publish_planner.plan(second.id)
    assert plan.fees is not None and plan.fees.by_node
    assert [line.label for line in plan.fees.lines] == ["registering the work with its license terms"]
    (result,) = desk.studio.publish_runner.execute(plan)
    assert 0.9 <= plan.fees.gas / result.gas_used <= 1.5
    assert plan.fees.wei == int(plan.fees.gas * plan.fees.price * plan.fees.margin)


def test_registrations_the_node_cannot_run_yet_are_counted_by_their_shape_on_story(desk) -> None:
    """A root whose terms a published work carries, its child (whose link deploys the root's royalty vault) and
    a grandchild (whose parent holds one from its own registration), in one plan: each counted at Story's gas
    for that shape; a child of the root paying its minting fee counts the fee's transfer as well."""
    desk.publish(desk.work("Known terms", rev_share=5))
    root = desk.work("Root", rev_share=5)
    child = desk.work("Child", parents=[root])
    grandchild = desk.work("Grandchild", parents=[child])
    plan = desk.studio.publish_planner.plan(grandchild.id)
    assert plan.fees is not None
    root_line, child_line, grandchild_line = plan.fees.lines
    assert root_line.by_node and not child_line.by_node and not grandchild_line.by_node
    assert child_line.gas == story_remix_gas(1, 1) and grandchild_line.gas == story_remix_gas(1, 0)
    assert story_remix_gas(1, 0) < story_remix_gas(1, 1)

    priced = desk.work("Priced", rev_share=5, minting_fee=10**18)
    paying = desk.work("Paying", parents=[priced])
    plan = desk.studio.publish_planner.plan(paying.id)
    assert plan.fees is not None
    assert plan.fees.lines[-1].gas == story_remix_gas(1, 1, 1) > story_remix_gas(1, 1)


def test_work_an_earlier_step_of_the_plan_does_is_not_counted_twice(desk) -> None:
    """The node runs each registration on the chain as it is now. Two roots under the same new terms in one
    plan: the first registers the terms, so the second is counted as Story's root under known terms (the node
    would count registering them again: 16 such roots came to 1.26 times their receipts on Story's contracts).
    Two remixes of a root on the network without a royalty vault: the first deploys it, so the second is counted
    as a remix of a parent that holds one. Likewise the wraps of IP into WIP that pay minting fees."""
    desk.publish(desk.work("The wallet's collection", rev_share=5))
    first, second = desk.work("First", rev_share=5.5), desk.work("Second", rev_share=5.5)
    merged = desk.work("Merged", parents=[first, second])
    plan = desk.studio.publish_planner.plan(merged.id)
    assert plan.fees is not None
    first_line, second_line, merged_line = plan.fees.lines
    assert first_line.by_node and first_line.gas > STORY_GAS["root"]
    assert not second_line.by_node and second_line.gas == story_root_gas(terms_known=True)
    assert not merged_line.by_node and merged_line.gas == story_remix_gas(2, 2)

    root = desk.work("Root", rev_share=5)
    desk.publish(root)
    left, right = desk.work("Left", parents=[root]), desk.work("Right", parents=[root])
    tip = desk.work("Tip", parents=[left, right])
    plan = desk.studio.publish_planner.plan(tip.id)
    assert plan.fees is not None
    left_line, right_line, tip_line = plan.fees.lines
    assert left_line.by_node
    assert not right_line.by_node and right_line.gas == story_remix_gas(1, 0)
    assert tip_line.gas == story_remix_gas(2, 0)
    results = desk.studio.publish_runner.execute(plan)
    assert [r.publication.state for r in results] == ["confirmed"] * 3

    # Minting fees paid by three remixes of one plan: the node counts the first wrap of IP into WIP, the later
    # ones are counted as Story's wrap for a wallet that has held WIP (the node would count the first again).
    priced = desk.work("Priced", rev_share=5, minting_fee=10**15)
    desk.publish(priced)
    both = desk.work("Both", parents=[desk.work("A", parents=[priced]), desk.work("B", parents=[priced])])
    plan = desk.studio.publish_planner.plan(both.id)
    assert plan.fees is not None
    wraps = [line for line in plan.fees.lines if line.label.startswith("wrapping")]
    assert len(wraps) == 3 and wraps[0].by_node
    assert [(line.by_node, line.gas) for line in wraps[1:]] == [(False, STORY_GAS["deposit_more"])] * 2


def test_a_remix_with_a_fee_lists_every_transaction_it_sends(desk) -> None:
    dawn = desk.work("Dawn", rev_share=5, minting_fee=10**18)
    desk.publish(dawn)
    remix = desk.work("Noon", parents=[dawn])
    plan = desk.studio.publish_planner.plan(remix.id)
    assert plan.fees is not None
    results = desk.studio.publish_runner.execute(plan)
    sent = [t for r in results for t in r.transactions]
    assert [line.label for line in plan.fees.lines] == [t.label for t in sent]
    for line, tx in zip(plan.fees.lines, sent, strict=True):
        if line.by_node:  # the wrap and the approval, estimated by the node itself
            assert 0.9 <= line.gas / tx.gas_used <= 1.5
    assert 0.5 <= plan.fees.gas / sum(t.gas_used for t in sent) <= 4


def test_estimate_follows_the_networks_base_fee(desk, devnet) -> None:
    work = desk.work("Dawn", rev_share=5)
    before = desk.studio.publish_planner.plan(work.id).fees
    assert before is not None
    devnet.rpc("anvil_setNextBlockBaseFeePerGas", [hex(40 * GWEI)])
    try:
        after = desk.studio.publish_planner.plan(work.id).fees
    finally:
        devnet.rpc("anvil_setNextBlockBaseFeePerGas", [hex(before.base_fee)])
    assert after is not None and after.base_fee == 40 * GWEI != before.base_fee
    assert after.gas == before.gas
    assert after.wei == int(after.gas * (40 * GWEI + after.priority_fee) * after.margin)
    assert "40 gwei" in after.text() or "41 gwei" in after.text()


def test_refused_plans_and_plans_asked_without_fees_carry_none(desk) -> None:
    work = desk.work("Dawn", rev_share=5)
    assert desk.studio.publish_planner.plan(work.id, PublishOptions(estimate_fees=False)).fees is None
    remix = desk.work("Noon", parents=[work])
    refused = desk.studio.publish_planner.plan(remix.id, PublishOptions(with_ancestors=False))
    assert not refused.allowed and refused.fees is None


def test_publish_shows_the_estimate_before_asking_to_sign(desk) -> None:
    work = desk.work("Dawn", rev_share=5)
    result = CliRunner().invoke(cli, ["--library", str(desk.studio.library.root), "publish", work.id],
                                input="n\n", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shown = result.output
    assert "gas: about" in shown and "quoted by devnet" in shown and "estimate" in shown
    assert shown.index("gas: about") < shown.index("Sign and send?")
    assert desk.studio.journal.list(work_id=work.id) == []


def test_without_the_network_the_plan_is_judged_and_says_why_gas_has_no_estimate(desk) -> None:
    work = desk.work("Dawn", rev_share=5)
    refused = desk.work("Noon", parents=[work])
    # A closed port: the network cannot be reached.
    desk.studio.publish_setup.set_setting("rpc.devnet", "http://127.0.0.1:9")
    plan = desk.studio.publish_planner.plan(work.id)
    assert plan.allowed and [s.work.id for s in plan.steps] == [work.id]
    assert plan.fees is None and plan.fees_unavailable is not None
    line = plan.fee_line()
    assert line is not None and "\n" not in line
    assert line.startswith("gas: estimate unavailable, devnet cannot be reached at http://127.0.0.1:9")
    # The license judgement does not need the network either.
    judged = desk.studio.publish_planner.plan(refused.id, PublishOptions(with_ancestors=False))
    assert not judged.allowed and judged.fees is None and judged.fees_unavailable is None

    with pytest.raises(RpcUnreachable, match="devnet cannot be reached"):
        desk.studio.publish_runner.execute(plan)  # sending needs the network
    assert desk.studio.journal.list(work_id=work.id) == []


def test_publish_shows_why_gas_has_no_estimate_and_sends_nothing_without_the_network(desk) -> None:
    work = desk.work("Dawn", rev_share=5)
    desk.studio.publish_setup.set_setting("rpc.devnet", "http://127.0.0.1:9")
    result = CliRunner().invoke(cli, ["--library", str(desk.studio.library.root), "publish", work.id],
                                input="y\n")
    assert result.exit_code != 0
    assert "gas: estimate unavailable, devnet cannot be reached" in result.output
    assert result.output.index("estimate unavailable") < result.output.index("Sign and send?")
    assert "Traceback" not in result.output
    assert desk.studio.journal.list(work_id=work.id) == []
