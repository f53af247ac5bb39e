"""The pure royalty engine: Story's LAP and LRP splits in exact fractions and in Story's integers."""

from __future__ import annotations

from studio.royalty.checks import Reason, check_link
from studio.royalty.payout import Payout, payout
from studio.royalty.split import AncestorShare, RoyaltySplit, lap_stack, lrp_stack, royalty_split

__all__ = [
    "AncestorShare",
    "Payout",
    "Reason",
    "RoyaltySplit",
    "check_link",
    "lap_stack",
    "lrp_stack",
    "payout",
    "royalty_split",
]
