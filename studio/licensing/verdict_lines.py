"""Each answer of `check_work` with the reason for it: the user's own rights as the work's owner stated as
such, and what the work's license lets everyone else do."""

from __future__ import annotations

from collections.abc import Sequence

from studio.licensing.catalog import WorkTerms
from studio.licensing.codes import Reason, Scope, reason
from studio.licensing.license import License, LicenseFamily
from studio.licensing.wording import describe, describe_params
from studio.licensing.works import LicensedWork, VerdictLine

ACTIONS: tuple[tuple[str, Scope], ...] = (("remix", "make"), ("commercial", "commercial"), ("publish", "publish"))


def verdict_lines(
    work: LicensedWork, reasons: Sequence[Reason], story_terms: WorkTerms | None
) -> tuple[VerdictLine, ...]:
    lines = [_line(work, action, scope, reasons, story_terms) for action, scope in ACTIONS]
    if work.owned:
        lines += _others(work, reasons)
    return tuple(lines)


def _line(
    work: LicensedWork, action: str, scope: Scope, reasons: Sequence[Reason], story_terms: WorkTerms | None
) -> VerdictLine:
    if action == "publish":
        registered = next((r for r in reasons if r.code == "already_on_chain"), None)
        if registered is not None:
            return VerdictLine(action, "you", "done", registered)
    blockers = [r for r in reasons if r.blocks and r.scope == scope]
    if blockers and all(r.code == "condition_unconfirmed" for r in blockers):
        # Allowed once the creator confirms what only they know (e.g. their organisation's revenue).
        return VerdictLine(action, "you", "if", blockers[0])
    if blockers:
        return VerdictLine(action, "you", "no", blockers[0])
    confirmed = next((r for r in reasons if r.code == "condition_confirmed" and r.scope == scope), None)
    if confirmed is not None:
        return VerdictLine(action, "you", "yes", confirmed)
    through_group = next((r for r in reasons if r.code == "model_published_through_group"), None)
    if action == "publish" and through_group is not None:
        return VerdictLine(action, "you", "yes", through_group)
    return VerdictLine(action, "you", "yes", _why_yes(work, action, story_terms))


def _why_yes(work: LicensedWork, action: str, story_terms: WorkTerms | None) -> Reason:
    lic, title = work.license, work.title
    if action == "publish":
        terms = f" under {describe(story_terms)}" if story_terms is not None else ""
        return reason("publish_allowed", work.id, title=title, terms=terms)
    if action == "remix":
        if work.owned:
            return reason("owner_may_remix", work.id, title=title)
        return reason("license_allows_remix", work.id, title=title, license=lic.name,
                      conditions=_remix_conditions(lic, owner="its owner"))
    if work.owned:
        return reason("owner_may_use_commercially", work.id, title=title, license=lic.name)
    return reason("license_allows_commercial", work.id, title=title, license=lic.name,
                  conditions=_commercial_conditions(work))


def _others(work: LicensedWork, reasons: Sequence[Reason]) -> list[VerdictLine]:
    """What the license of a work the user owns lets everyone else do."""
    lic, title = work.license, work.title
    if lic.pil.derivatives_allowed and lic.family is not LicenseFamily.proprietary:
        remix = VerdictLine("remix", "others", "yes", reason(
            "others_may_remix", work.id, license=lic.name, title=title,
            conditions=_remix_conditions(lic, owner="your")))
    else:
        remix = VerdictLine("remix", "others", "no", reason(
            "others_may_not_remix", work.id, license=lic.name, title=title))
    source = next((r for r in reasons if r.blocks and r.scope == "commercial"), None)
    if lic.pil.commercial_use and source is None:
        commercial = VerdictLine("commercial", "others", "yes", reason(
            "others_may_use_commercially", work.id, license=lic.name, title=title,
            conditions=_commercial_conditions(work)))
    else:
        because = f" ({source.message})" if source is not None and lic.pil.commercial_use else ""
        commercial = VerdictLine("commercial", "others", "no", reason(
            "others_may_not_use_commercially", work.id, license=lic.name, title=title, source=because))
    return [remix, commercial]


def _remix_conditions(lic: License, *, owner: str) -> str:
    parts = []
    if lic.pil.derivatives_approval:
        parts.append(f"with {owner} approval for each remix" if owner == "your" else "with its owner's approval")
    if lic.attribution_required or lic.pil.derivatives_attribution:
        parts.append("crediting it")
    if lic.share_alike or (lic.is_pil and lic.pil.derivatives_reciprocal):
        parts.append("under the same terms")
    return ", " + ", ".join(parts) if parts else ""


def _commercial_conditions(work: LicensedWork) -> str:
    lic = work.license
    parts = []
    if lic.is_pil:
        parts.append("through a Story license" + describe_params(work.terms))
    elif lic.attribution_required:
        parts.append("crediting it")
    if lic.use_restrictions:
        parts.append(f"within its {len(lic.use_restrictions)} use restrictions")
    return ", " + ", ".join(parts) if parts else ""
