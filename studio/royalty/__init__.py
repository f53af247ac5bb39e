"""The pure royalty engine: Story's LAP and LRP splits in exact fractions and in Story's integers, and what a
training set's group pays its members."""

from __future__ import annotations

from studio.royalty.checks import Reason, check_link
from studio.royalty.groups import (
    GROUP_SCALE,
    CreatorPayout,
    EvenSplitPool,
    creator_payouts,
    group_due,
    into_member_vault,
    member_payouts,
    member_share,
)
from studio.royalty.payout import Payout, payout
from studio.royalty.split import AncestorShare, RoyaltySplit, lap_stack, lrp_stack, royalty_split

__all__ = [
    "GROUP_SCALE",
    "AncestorShare",
    "CreatorPayout",
    "EvenSplitPool",
    "Payout",
    "Reason",
    "RoyaltySplit",
    "check_link",
    "creator_payouts",
    "group_due",
    "into_member_vault",
    "lap_stack",
    "lrp_stack",
    "member_payouts",
    "member_share",
    "payout",
    "royalty_split",
]
