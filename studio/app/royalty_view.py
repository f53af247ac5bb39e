"""A royalty split as the chart draws it: one slice per ancestor, then the creator's own share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from studio.core.reasons import Reason
from studio.core.types import units_to_percent
from studio.royalty import RoyaltySplit

POLICY_NAMES = {"lap": "LAP (absolute)", "lrp": "LRP (relative)"}
# The library's judgement that an ancestor is only credited in the metadata, so takes no royalty.
CREDITED_OFF_CHAIN = "credited_off_chain"
LINKED_ON_STORY = "royalty_linked_on_story"


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


def reasons_agreeing_with(reasons: Sequence[Reason], split: RoyaltySplit, titles: Mapping[str, str],
                          where: str = "on Story") -> list[Reason]:
    """The reasons of a work's verdict, made to agree with the split the chart draws from the same engine.

    The library judges a model that is not a Story asset in its own license as credited off chain, so as taking
    no royalty; once the work is published linking to that model on the network, the network's split gives the
    model (and through it, its training set's group) a share. Where the split pays an ancestor the library said
    takes nothing, that line is replaced by what the split says, and one line names every share it pays.
    """
    paid = {a.id: units_to_percent(float(a.share)) for a in split.ancestors if a.share > 0}
    kept: list[Reason] = []
    contradicted = False
    for r in reasons:
        if r.code == CREDITED_OFF_CHAIN and r.work_id in paid:
            contradicted = True
            title = titles.get(r.work_id, r.work_id)
            kept.append(Reason(LINKED_ON_STORY, f"“{title}” is linked {where}: it receives "
                               f"{percent_text(paid[r.work_id])} of every payment this work receives.",
                               r.work_id, severity="info", scope="publish"))
        else:
            kept.append(r)
    if contradicted:
        shares = ", ".join(
            f"{s.label} {percent_text(s.percent)}" for s in royalty_slices(split, titles) if not s.is_creator
        )
        own = percent_text(units_to_percent(float(split.creator_share)))
        kept.append(Reason(LINKED_ON_STORY, f"{where[0].upper()}{where[1:]}, every payment is split under "
                           f"{split.policy.upper()}: {shares}; the creator keeps {own}.", split.work_id,
                           severity="info", scope="publish"))
    return kept
