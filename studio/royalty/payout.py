"""What each party receives of one payment to a work, computed as Story's contracts compute it."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.types import HUNDRED_PERCENT
from studio.errors import InvalidInput
from studio.royalty.split import RoyaltySplit


@dataclass(frozen=True)
class Payout:
    """The parts of `amount` (wei): the treasury fee, the work's own vault, each ancestor's vault, and the
    rounding left in the royalty policy contract (`rounding`; negative when Story's rounding pays an
    ancestor a few wei more than the work sent the policy, which the contract's pooled balance covers).
    `amount == fee + creator + sum(ancestors) + rounding` always holds."""

    amount: int
    fee: int
    creator: int
    ancestors: tuple[tuple[str, int], ...]
    rounding: int

    def to(self, ancestor_id: str) -> int:
        return next((amt for aid, amt in self.ancestors if aid == ancestor_id), 0)


def payout(split: RoyaltySplit, amount_wei: int, fee_percent_units: int = 0) -> Payout:
    """Split a payment of `amount_wei` to the work: the treasury fee first, then the royalty stack to the
    policy, the rest to the work's vault; each ancestor then claims its share (transferToVault)."""
    if isinstance(amount_wei, bool) or not isinstance(amount_wei, int) or amount_wei <= 0:
        raise InvalidInput(f"payment {amount_wei!r} must be a positive whole number of wei")
    if isinstance(fee_percent_units, bool) or not isinstance(fee_percent_units, int) or not (
        0 <= fee_percent_units <= HUNDRED_PERCENT
    ):
        raise InvalidInput(f"treasury fee {fee_percent_units!r} must be 0..{HUNDRED_PERCENT} (100%)")
    fee = amount_wei * fee_percent_units // HUNDRED_PERCENT
    if fee_percent_units and not fee:
        raise InvalidInput(
            f"a payment of {amount_wei} wei is too small: the treasury fee rounds to 0, so Story refuses it",
            hint="pay a larger amount",
        )
    after_fee = amount_wei - fee
    to_policy = after_fee * split.stack // HUNDRED_PERCENT
    parts = []
    for ancestor in split.ancestors:
        due = after_fee * ancestor.royalty // HUNDRED_PERCENT
        if split.policy == "lrp":
            due -= due * ancestor.own_stack // HUNDRED_PERCENT
        parts.append((ancestor.id, due))
    paid = sum(amt for _, amt in parts)
    return Payout(amount_wei, fee, after_fee - to_policy, tuple(parts), to_policy - paid)
