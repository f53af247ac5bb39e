"""What the royalty engine decides about publishing one remix: the royalty stacks Story would refuse, the split
it will pay, and the ceilings the publisher set on what the parents may take (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from studio.core.reasons import Reason
from studio.royalty.checks import check_link
from studio.royalty.split import Links, RoyaltySplit, royalty_split


def publish_royalty(work_id: str, parents: Sequence[tuple[str, int]], links: Links, policy: str | None,
                    refused: Sequence[Reason] = ()) -> tuple[list[Reason], RoyaltySplit | None]:
    """The refusals of linking `work_id` to its Story `parents` [(parent, royalty percent)] under `policy`,
    and the split its revenue follows (none while a stack above 100% is among these or the `refused` already
    known). `links` are the royalty edges of the work's whole ancestry (`studio.licensing.royalty_links`);
    the work's own edges are the link being checked."""
    if not policy:
        return [], None
    refusals: list[Reason] = []
    if parents:
        existing = {child: edges for child, edges in links.items() if child != work_id}
        found = check_link(work_id, list(parents), existing, policy)
        refusals = [Reason(r.code, r.message, r.work_id, r.severity, "publish") for r in found if r.blocks]
    if not parents or any(r.code.endswith("above_100") for r in [*refused, *refusals]):
        return refusals, None
    return refusals, royalty_split(work_id, links, policy)


def cap_refusals(work_id: str, title: str, *, revenue_share: int, minting_fee: int,
                 max_revenue_share: int | None, max_minting_fee: int | None) -> list[Reason]:
    """What the parents take beyond the ceilings the publisher allows (`--max-rev-share`, `--max-fee`)."""
    found = []
    if max_revenue_share is not None and revenue_share > max_revenue_share:
        found.append(Reason(
            "rev_share_above_ceiling",
            f"The parents of “{title}” take {revenue_share / 1e6:g}% of its revenue, above the "
            f"{max_revenue_share / 1e6:g}% you allow.", work_id, "block", "publish",
        ))
    if max_minting_fee is not None and minting_fee > max_minting_fee:
        found.append(Reason(
            "minting_fee_above_ceiling",
            f"The parents of “{title}” charge {minting_fee} wei in minting fees, above the "
            f"{max_minting_fee} wei you allow.", work_id, "block", "publish",
        ))
    return found
