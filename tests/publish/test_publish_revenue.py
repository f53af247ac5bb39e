"""Revenue on the devnet through the studio: a tip paid to a remix, what the remix and each ancestor can
claim (checked against the royalty engine's payout), and claims that land in the owner's wallet."""

from __future__ import annotations

import pytest
from publish_helpers import WIP_UNIT

from studio.royalty import payout
from studio.story.errors import PublishError


def _claimable(desk, work) -> dict[str, tuple[int, int]]:
    return {c.work_id: (c.in_vault, c.pending) for c in desk.studio.revenue.revenue(work.id, "devnet")}


def test_tip_show_and_claim_follow_the_royalty_engine(desk, chain) -> None:
    dawn = desk.work("Dawn", rev_share=5, minting_fee=WIP_UNIT)
    noon = desk.work("Noon", parents=[dawn], override=10)
    night = desk.work("Night", parents=[noon])
    desk.publish(night)
    # Minting fees already paid: Noon paid Dawn 1 WIP, Night paid Noon 1 WIP (of which Dawn is owed 5%).
    before = _claimable(desk, night)
    assert before[dawn.id] == (WIP_UNIT, WIP_UNIT * 5 // 100)
    assert before[noon.id] == (WIP_UNIT * 95 // 100, 0)

    sent = desk.studio.revenue.pay(night.id, 100 * WIP_UNIT, "devnet")
    assert [t.label for t in sent] == ["wrapping IP into WIP", "approving WIP for Story", "paying the work"]
    fee = chain.c("RoyaltyModule").functions.royaltyFeePercent().call()
    expected = payout(desk.studio.royalty(night.id, "lap"), 100 * WIP_UNIT, fee)
    after = _claimable(desk, night)
    assert after[night.id] == (expected.creator, 0)
    assert after[noon.id][1] == expected.to(noon.id)
    assert after[dawn.id][1] - before[dawn.id][1] == expected.to(dawn.id)
    assert (expected.to(noon.id), expected.to(dawn.id)) == (10 * WIP_UNIT, 5 * WIP_UNIT)

    balance = chain.w3.eth.get_balance(desk.address)
    result = desk.studio.revenue.claim(dawn.id, "devnet")
    claimed = sum(amount for _, amount in result["claimed"])
    assert claimed == sum(before[dawn.id]) + expected.to(dawn.id)
    assert {m["descendant"] for m in result["moved_from"]} == {desk.ip(noon), desk.ip(night)}
    assert _claimable(desk, dawn)[dawn.id] == (0, 0)
    # The SDK moved the WIP out of the IP account and unwrapped it: the wallet holds the IP, less gas.
    assert chain.wip_balance(desk.ip(dawn)) == 0
    gained = chain.w3.eth.get_balance(desk.address) - balance
    assert claimed - 10**16 < gained < claimed

    second = desk.studio.revenue.pay(night.id, 10 * WIP_UNIT, "devnet")
    assert [t.label for t in second] == ["wrapping IP into WIP", "paying the work"]  # approval reused


def test_revenue_needs_the_work_on_chain(desk) -> None:
    work = desk.work("Unpublished", rev_share=5)
    with pytest.raises(PublishError, match="is not on devnet"):
        desk.studio.revenue.revenue(work.id, "devnet")
    with pytest.raises(PublishError, match="is not on devnet"):
        desk.studio.revenue.pay(work.id, WIP_UNIT, "devnet")


def test_nothing_to_claim_before_any_vault(desk) -> None:
    work = desk.work("Alone", rev_share=5)
    desk.publish(work)
    assert _claimable(desk, work) == {work.id: (0, 0)}
    with pytest.raises(PublishError, match="no royalty vault yet"):
        desk.studio.revenue.claim(work.id, "devnet")
