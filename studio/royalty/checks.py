"""The royalty-stack checks that make Story refuse a license mint or a derivative link (above 100%)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from studio.core.reasons import Reason
from studio.core.types import HUNDRED_PERCENT
from studio.errors import InvalidInput
from studio.royalty.split import Links, lap_stack, parse_policy

# code -> (Story rule, message template)
CODES: Mapping[str, tuple[str, str]] = {
    "lap_parent_stack_above_100": (
        "RoyaltyPolicyLAP.onLicenseMinting: globalRoyaltyStack(parent) + percent ≤ 100%",
        "Licensing “{parent}” at {percent} would take its royalty stack of {stack} to {total}, above 100%: "
        "Story refuses the license.",
    ),
    "lap_stack_above_100": (
        "RoyaltyModule.onLinkToParents: the child's royalty stack ≤ 100% (RoyaltyModule__AboveMaxPercent)",
        "This remix would owe {total} of its revenue to its ancestors (LAP), above 100%: Story refuses the "
        "link. Choose parents with lower rev shares.",
    ),
    "lrp_parent_stack_above_100": (
        "RoyaltyPolicyLRP.onLicenseMinting: LAP stack(parent) + percent ≤ 100%",
        "Licensing “{parent}” at {percent} on top of its LAP stack of {stack} makes {total}, above 100%: "
        "Story refuses the license.",
    ),
    "lrp_stack_above_100": (
        "RoyaltyModule.onLinkToParents: the child's royalty stack ≤ 100% (RoyaltyModule__AboveMaxPercent)",
        "This remix would pay its parents {total} of its revenue (LRP), above 100%: Story refuses the link.",
    ),
    "already_linked": (
        "LicenseRegistry: DerivativeAlreadyRegistered (one link per child, ever)",
        "“{child}” is already linked to parents on Story; a work is linked once only.",
    ),
}


def check_link(
    child_id: str,
    parents: Sequence[tuple[str, int]],
    links: Links,
    policy: str,
    *,
    parent_lap_stacks: Mapping[str, int] | None = None,
) -> list[Reason]:
    """Why linking `child_id` to `parents` [(parent, percent)] would revert for its royalty stacks.

    `links` are the existing royalty edges of the parents' ancestries under `policy`. Under LRP the
    parents' LAP stacks count too (`parent_lap_stacks`; zero for a chain that uses LRP only).
    """
    kind = parse_policy(policy)
    if not parents:
        raise InvalidInput("a link needs at least one parent")
    seen: set[str] = set()
    for pid, pct in parents:
        if isinstance(pct, bool) or not isinstance(pct, int) or not 0 <= pct <= HUNDRED_PERCENT:
            raise InvalidInput(f"royalty percent {pct!r} for {pid!r} is outside 0..{HUNDRED_PERCENT} (100%)")
        if pid in seen or pid == child_id:
            raise InvalidInput(f"{pid!r} cannot be linked twice, nor to itself")
        seen.add(pid)

    found: list[Reason] = []
    if links.get(child_id):
        found.append(_reason("already_linked", child_id, child=child_id))
    for pid, pct in parents:
        if kind == "lap":
            stack = lap_stack(pid, links)
            code = "lap_parent_stack_above_100"
        else:
            stack = (parent_lap_stacks or {}).get(pid, 0)
            code = "lrp_parent_stack_above_100"
        if stack + pct > HUNDRED_PERCENT:
            found.append(_reason(code, pid, parent=pid, percent=_pct(pct), stack=_pct(stack), total=_pct(stack + pct)))
    if kind == "lap":
        total = lap_stack(child_id, {**links, child_id: list(parents)})
        code = "lap_stack_above_100"
    else:
        total = sum(pct for _, pct in parents)
        code = "lrp_stack_above_100"
    if total > HUNDRED_PERCENT:
        found.append(_reason(code, child_id, total=_pct(total)))
    return found


def _reason(code: str, work_id: str, **values: str) -> Reason:
    return Reason(code, CODES[code][1].format(**values), work_id, scope="publish")


def _pct(units: int) -> str:
    return f"{(Decimal(units) / 1_000_000).normalize():f}%"
