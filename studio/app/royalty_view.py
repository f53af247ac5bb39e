"""A royalty split as the chart draws it: one slice per ancestor, then the creator's own share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from studio.core.types import units_to_percent
from studio.royalty import RoyaltySplit

POLICY_NAMES = {"lap": "LAP (absolute)", "lrp": "LRP (relative)"}


@dataclass(frozen=True)
class Slice:
    work_id: str
    label: str
    percent: float
    depth: int
    is_creator: bool = False


def royalty_slices(split: RoyaltySplit, titles: Mapping[str, str]) -> list[Slice]:
    """Ancestors nearest first, then the creator; the percents add up to 100."""
    slices = [
        Slice(a.id, titles.get(a.id, a.id), units_to_percent(float(a.share)), a.depth)
        for a in sorted(split.ancestors, key=lambda a: (a.depth, -a.share, a.id))
    ]
    own = titles.get(split.work_id, split.work_id)
    slices.append(Slice(split.work_id, f"{own} (creator keeps)", units_to_percent(float(split.creator_share)), 0, True))
    return slices


def percent_text(value: float) -> str:
    """10.0 -> '10%', 2.5 -> '2.5%', 1/3 -> '0.3333%' (shares under LRP need more digits)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return f"{text}%"
