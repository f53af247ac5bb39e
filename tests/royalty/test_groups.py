"""What a training set's group pays its members: Story's even-split pool and the group's LRP due, in wei."""

from __future__ import annotations

import random

import pytest

from studio.core.types import HUNDRED_PERCENT
from studio.errors import InvalidInput
from studio.royalty import (
    CreatorPayout,
    EvenSplitPool,
    creator_payouts,
    group_due,
    into_member_vault,
    member_payouts,
    member_share,
    payout,
    royalty_split,
)

PCT = 1_000_000
WIP = 10**18


def test_member_share_rounds_down_and_the_remainder_stays_in_the_pool() -> None:
    assert member_share(1001, 2) == 500
    assert member_share(10_000, 3) == 3333
    assert member_share(WIP + 7, 3) == 333_333_333_333_333_335
    assert member_share(7, 7) == 1
    assert member_share(6, 7) == 0  # less than one wei each: nobody is paid, the pool keeps it
    assert member_share(5, 1) == 5  # a single member receives everything
    assert member_share(0, 4) == 0
    assert member_share(1234, 0) == 0  # an empty group's pool keeps the amount for members to come


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_member_share_refuses_what_is_not_wei(bad) -> None:
    with pytest.raises(InvalidInput, match="whole number of wei"):
        member_share(bad, 2)


def test_member_share_refuses_a_group_size_story_does_not_allow() -> None:
    with pytest.raises(InvalidInput, match="0 to 1000 members"):
        member_share(10, 1001)
    with pytest.raises(InvalidInput, match="0 to 1000 members"):
        member_share(10, -1)


def test_member_payouts_give_every_member_the_same_share() -> None:
    assert member_payouts(1001, ["a", "b"]) == {"a": 500, "b": 500}
    assert member_payouts(11, ["solo"]) == {"solo": 11}
    assert member_payouts(0, ["a", "b", "c"]) == {"a": 0, "b": 0, "c": 0}
    assert member_payouts(99, []) == {}
    with pytest.raises(InvalidInput, match="each member once"):
        member_payouts(10, ["a", "a"])


def test_creator_payouts_add_up_each_creators_members() -> None:
    members = [("m1", "Ada"), ("m2", "Bo"), ("m3", "Ada"), ("m4", None), ("m5", "Cy")]
    rows = creator_payouts(1003, members)  # 200 each, 3 wei stay in the pool
    assert rows == [
        CreatorPayout("Ada", 2, 400),
        CreatorPayout("Bo", 1, 200),
        CreatorPayout("Cy", 1, 200),
        CreatorPayout(None, 1, 200),
    ]
    assert sum(r.amount for r in rows) == 1000
    assert creator_payouts(2, [("m1", "Zed"), ("m2", "Amy"), ("m3", "Amy")]) == [
        CreatorPayout("Amy", 2, 0), CreatorPayout("Zed", 1, 0)]
    assert creator_payouts(5, []) == []


def test_group_due_is_the_lrp_due_of_an_ancestor_without_a_stack() -> None:
    # An image of a model trained on the set: image -10%-> model -10%-> group gives the group 1% of the image.
    split = royalty_split("image", {"image": [("model", 10 * PCT)], "model": [("group", 10 * PCT)]}, "lrp")
    share = next(a for a in split.ancestors if a.id == "group")
    assert share.royalty == PCT and share.own_stack == 0
    assert group_due(WIP + 7, share.royalty) == (WIP + 7) // 100
    assert group_due(WIP + 7, share.royalty) == payout(split, WIP + 7).to("group")
    assert group_due(99, share.royalty) == 0  # under one wei: nothing moves to the group
    assert group_due(0, share.royalty) == 0
    assert group_due(12345, HUNDRED_PERCENT) == 12345


def test_group_due_takes_the_treasury_fee_first() -> None:
    split = royalty_split("image", {"image": [("model", 7 * PCT)], "model": [("group", 13 * PCT)]}, "lrp")
    group = next(a for a in split.ancestors if a.id == "group")
    assert group.royalty == 7 * PCT * 13 * PCT // HUNDRED_PERCENT
    for amount in (1_000_003, 10**18 + 999, 777_777_777):
        expected = payout(split, amount, fee_percent_units=3 * PCT).to("group")
        assert group_due(amount, group.royalty, fee_percent_units=3 * PCT) == expected
    assert group_due(1000, 50 * PCT, fee_percent_units=10 * PCT) == 450  # 1000 - 100 fee, then half
    with pytest.raises(InvalidInput, match="too small"):
        group_due(9, PCT, fee_percent_units=10 * PCT)
    with pytest.raises(InvalidInput, match="Story units"):
        group_due(10, HUNDRED_PERCENT + 1)
    with pytest.raises(InvalidInput, match="Story units"):
        group_due(10, PCT, fee_percent_units=-1)


def test_a_member_that_is_a_remix_passes_its_stack_on() -> None:
    assert into_member_vault(1000) == 1000
    assert into_member_vault(1001, [10 * PCT]) == 1001 - 100
    assert into_member_vault(999, [5 * PCT, 5 * PCT]) == 999 - 49 - 49
    with pytest.raises(InvalidInput, match="more than 100%"):
        into_member_vault(10, [60 * PCT, 60 * PCT])


def test_pool_first_deposit_pays_member_share() -> None:
    pool = EvenSplitPool()
    for m in ("a", "b", "c"):
        pool.add(m)
    pool.deposit(10_000)
    assert [pool.available(m) for m in "abc"] == [3333] * 3
    assert pool.pay(["a", "b", "c", "outsider", "a"]) == {"a": 3333, "b": 3333, "c": 3333, "outsider": 0}
    assert [pool.available(m) for m in "abc"] == [0, 0, 0]


def test_pool_carries_fractions_between_deposits() -> None:
    """Three deposits of 1 wei among 3 members: each pays 0 alone, but the running total reaches a whole wei."""
    pool = EvenSplitPool()
    for m in ("a", "b", "c"):
        pool.add(m)
    paid = []
    for _ in range(3):
        pool.deposit(1)
        paid.append(pool.pay(["a"])["a"])
    assert paid == [0, 0, 0]  # 333, 666, 999 thousandths
    pool.deposit(1)
    assert pool.pay(["a"]) == {"a": 1}  # 1332 thousandths: one wei, more than member_share(1, 3) == 0
    assert pool.available("b") == 1


def test_pool_keeps_deposits_to_an_empty_group_and_newcomers_share_only_later_ones() -> None:
    pool = EvenSplitPool()
    pool.deposit(1001)
    assert pool.available("a") == 0
    pool.add("a")
    pool.add("b")
    assert pool.available("a") == 500  # the waiting deposit is spread when members exist
    pool.pay(["a", "b"])
    pool.add("c")
    pool.add("c")  # already in: nothing changes
    pool.deposit(300)
    assert [pool.available(m) for m in "abc"] == [100, 100, 100]


def test_pool_matches_the_story_pool_test_story() -> None:
    """The figures tests/publish/test_devnet_groups.py reads from the chain: 1001 to two, then 300 to three."""
    pool = EvenSplitPool()
    pool.add("m1")
    pool.add("m2")
    pool.deposit(1001)
    assert [pool.available(m) for m in ("m1", "m2")] == [500, 500]
    pool.add("m3")
    pool.deposit(300)
    assert pool.pay(["m1", "m2", "m3", "x"]) == {"m1": 600, "m2": 600, "m3": 100, "x": 0}


def test_member_share_is_a_floor_at_most_one_wei_below_the_pool() -> None:
    rng = random.Random(13)
    for _ in range(300):
        members = rng.randint(1, 9)
        pool = EvenSplitPool()
        for i in range(members):
            pool.add(str(i))
        for _ in range(rng.randint(0, 4)):
            pool.deposit(rng.randint(0, 10**6))
            pool.pay([str(rng.randrange(members))])
        before = pool.available("0")
        amount = rng.randint(0, 10**20)
        pool.deposit(amount)
        gained = pool.available("0") - before
        assert member_share(amount, members) <= gained <= member_share(amount, members) + 1
