"""What a training set's group pays its members, computed as Story's EvenSplitGroupPool and LRP compute it.

The path of a payment to a work made from a group (an image of a model trained on a training set):
the royalty module takes the treasury fee, the group's LRP due waits in the policy until `transferToVault`
moves it into the group's vault, the grouping module collects the vault into the even-split pool, and the
pool pays each member its share into the member's own vault. Every step rounds down in integers; this
module repeats each rounding so a prediction matches the chain to the wei.

The pool keeps one running total per group, `accRewardPerIp`, scaled by its group-size limit (1,000): a
deposit adds `amount * 1000 // members`, and a member is due `accRewardPerIp // 1000` less what it was
already paid (its debt, set to the level at the time it joined). For a group's first deposit that is
`amount // members`; later deposits can pay one wei more than `member_share` when the fractions left by
earlier ones add up to a whole wei, which `EvenSplitPool` follows exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from studio.core.types import HUNDRED_PERCENT
from studio.errors import InvalidInput

GROUP_SCALE = 1_000  # EvenSplitGroupPool.MAX_GROUP_SIZE, by which it scales the per-member running total
MAX_GROUP_SIZE = GROUP_SCALE


@dataclass(frozen=True)
class CreatorPayout:
    """What the members credited to one creator receive together (`creator` None: not known)."""

    creator: str | None
    members: int
    amount: int


def member_share(collected: int, members: int) -> int:
    """What each member of a group of `members` receives from one collection of `collected` wei into a pool
    whose running total holds no fraction (a group's first collection); 0 when the group has no members,
    whose pool keeps the amount until members join."""
    _wei(collected, "a collected amount")
    _count(members)
    if members == 0:
        return 0
    return (collected * GROUP_SCALE // members) // GROUP_SCALE


def member_payouts(group_amount: int, member_ids: Sequence[str]) -> dict[str, int]:
    """Each member's share of `group_amount` wei collected for the group (see `member_share`); the remainder
    (below one wei per member) stays in the pool."""
    ids = list(member_ids)
    if len(set(ids)) != len(ids):
        raise InvalidInput("a group lists each member once", hint="remove the repeated member ids")
    share = member_share(group_amount, len(ids))
    return dict.fromkeys(ids, share)


def creator_payouts(group_amount: int, members: Sequence[tuple[str, str | None]],
                    stacks: Mapping[str, Sequence[int]] | None = None) -> list[CreatorPayout]:
    """`member_payouts` added up per creator, for (member id, creator) pairs: the creators who gave the most
    first, then by name (unknown creators last among equals). A member that is itself a remix keeps only what
    its own royalty `stacks` leave in its vault (`into_member_vault`)."""
    shares = member_payouts(group_amount, [member for member, _ in members])
    stacks = stacks or {}
    counts: dict[str | None, int] = {}
    amounts: dict[str | None, int] = {}
    for member, creator in members:
        counts[creator] = counts.get(creator, 0) + 1
        amounts[creator] = amounts.get(creator, 0) + into_member_vault(shares[member], stacks.get(member, ()))
    rows = [CreatorPayout(c, counts[c], amounts[c]) for c in counts]
    return sorted(rows, key=lambda r: (-r.amount, r.creator is None, r.creator or ""))


def group_due(payment: int, group_share_units: int, fee_percent_units: int = 0) -> int:
    """What a payment of `payment` wei to a descendant of a group owes the group under LRP, as
    `transferToVault` moves it: the treasury fee first (`fee_percent_units`, RoyaltyModule.royaltyFeePercent),
    then `revenue * share // 100%` with `group_share_units` the IP graph's integer share of the group in the
    descendant's revenue (`AncestorShare.royalty`). LRP subtracts the ancestor's own stack from that; a group
    has no parents, so its stack is 0 and nothing is subtracted."""
    _wei(payment, "a payment")
    _units(group_share_units, "the group's share")
    _units(fee_percent_units, "the treasury fee")
    fee = payment * fee_percent_units // HUNDRED_PERCENT
    if fee_percent_units and payment and not fee:
        raise InvalidInput(
            f"a payment of {payment} wei is too small: the treasury fee rounds to 0, so Story refuses it",
            hint="pay a larger amount",
        )
    return (payment - fee) * group_share_units // HUNDRED_PERCENT


def into_member_vault(reward: int, member_stacks: Sequence[int] = ()) -> int:
    """What a member's own vault keeps of a pool payout of `reward` wei: the pool pays no treasury fee, but a
    member that is itself a remix passes `reward * stack // 100%` to each of its royalty policies with a
    stack (LAP, LRP), as any payment to it does."""
    _wei(reward, "a reward")
    kept = reward
    for stack in member_stacks:
        _units(stack, "a royalty stack")
        kept -= reward * stack // HUNDRED_PERCENT
    if kept < 0:
        raise InvalidInput("a member's royalty stacks add up to more than 100%")
    return kept


@dataclass
class EvenSplitPool:
    """One group's account in Story's even-split pool, step by step: members joining, deposits (the group
    vault's revenue collected into the pool) and payouts. `acc` is `accRewardPerIp` (scaled by 1,000),
    `pending` what was deposited while the group had no members, `paid` each member's debt."""

    acc: int = 0
    pending: int = 0
    paid: dict[str, int] = field(default_factory=dict)

    def add(self, member: str) -> None:
        """A member joins: it shares only in deposits made from now on (adding one already in does nothing)."""
        if member in self.paid:
            return
        if len(self.paid) >= MAX_GROUP_SIZE:
            raise InvalidInput(f"a group holds at most {MAX_GROUP_SIZE} members")
        self.paid[member] = self.acc // GROUP_SCALE

    def deposit(self, amount: int) -> None:
        _wei(amount, "a deposit")
        if not amount:
            return
        if not self.paid:
            self.pending += amount
            return
        self.acc += (amount + self.pending) * GROUP_SCALE // len(self.paid)
        self.pending = 0

    def available(self, member: str) -> int:
        """What the pool owes `member` now (GroupingModule.getClaimableReward); 0 for a non-member."""
        if member not in self.paid:
            return 0
        return self._spread() // GROUP_SCALE - self.paid[member]

    def pay(self, members: Sequence[str]) -> dict[str, int]:
        """Pays each listed member what it is due (distributeRewards); non-members and repeats get 0."""
        self.acc = self._spread()
        if self.paid:
            self.pending = 0
        out: dict[str, int] = {}
        for member in members:
            due = self.available(member)
            out[member] = out.get(member, 0) + due
            if member in self.paid:
                self.paid[member] += due
        return out

    def _spread(self) -> int:
        if not self.pending or not self.paid:
            return self.acc
        return self.acc + self.pending * GROUP_SCALE // len(self.paid)


def _wei(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{what} must be a whole number of wei, 0 or more, not {value!r}")


def _count(members: int) -> None:
    if isinstance(members, bool) or not isinstance(members, int) or not 0 <= members <= MAX_GROUP_SIZE:
        raise InvalidInput(f"a group has 0 to {MAX_GROUP_SIZE} members, not {members!r}")


def _units(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= HUNDRED_PERCENT:
        raise InvalidInput(f"{what} must be 0..{HUNDRED_PERCENT} Story units (100%), not {value!r}")


@dataclass(frozen=True)
class DataPayout:
    """What a payment to a work pays the data of one training set on Story: the group's due under LRP, shared
    evenly by the members that are on Story, summed per creator (the royalty engine's preview)."""

    group_work_id: str
    group_title: str
    payment: int
    group_due: int
    members: int
    creators: tuple[CreatorPayout, ...]

    @property
    def per_member(self) -> int:
        return member_share(self.group_due, self.members) if self.members else 0


def data_payout(group_work_id: str, group_title: str, payment: int, group_share_units: int,
                members: Sequence[tuple[str, str | None]], fee_percent_units: int = 0,
                stacks: Mapping[str, Sequence[int]] | None = None) -> DataPayout:
    """The preview of `payment` wei paid to a descendant whose revenue owes the group `group_share_units`, after
    the treasury's `fee_percent_units`; members that are remixes pass their own `stacks` on."""
    due = group_due(payment, group_share_units, fee_percent_units)
    creators = tuple(creator_payouts(due, members, stacks)) if members else ()
    return DataPayout(group_work_id, group_title, payment, due, len(members), creators)
