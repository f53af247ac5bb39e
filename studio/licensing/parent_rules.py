"""What each parent and ancestor brings to a new work: refusals and warnings per parent, credits, duties and
commercial limits from the whole ancestry, and the parents that must be on Story first."""

from __future__ import annotations

from collections.abc import Collection

from studio.licensing.ancestry import ParentUse, Works, expiry_of, get_work, is_story_derivative
from studio.licensing.codes import Reason, Scope, reason
from studio.licensing.credits import attribution_for, obligations_from, required_credit, share_alike_duty
from studio.licensing.license import LicenseFamily
from studio.licensing.model_terms import commercial_allowed, condition_reasons, outputs_reason
from studio.licensing.wording import date_text, quoted
from studio.licensing.works import Attribution, LicensedWork, Obligation


def unpublished_parents(pil_parents: list[LicensedWork], works: Works) -> list[Reason]:
    """Parents not on Story yet. Publishing registers the user's own ones first (their own unpublished Story
    ancestors too), so only a work the user does not own, found on that way up, must be published first."""
    found: list[Reason] = []
    for parent in pil_parents:
        if parent.on_chain:
            continue
        blocker = _first_foreign_unpublished(parent, works)
        if blocker is None:
            found.append(reason("parent_published_first", parent.id, title=parent.title))
        else:
            found.append(reason("parent_not_on_chain", blocker.id, titles=quoted(blocker.title)))
    return found


def _first_foreign_unpublished(start: LicensedWork, works: Works) -> LicensedWork | None:
    stack, seen = [start], {start.id}
    while stack:
        node = stack.pop()
        if not node.owned:
            return node
        for pid in node.parent_ids:
            parent = get_work(works, pid)
            if pid not in seen and parent.license.is_pil and not parent.on_chain:
                seen.add(pid)
                stack.append(parent)
    return None


def walk_ancestors(
    depth: dict[str, int],
    adapted: set[str],
    works: Works,
    reasons: list[Reason],
    attribution: list[Attribution],
    obligations: list[Obligation],
    *,
    confirmed: Collection[str] = (),
    judging: bool = False,
) -> list[LicensedWork]:
    """Credits, duties and commercial limits from every ancestor (nearest first), added to the lists given;
    returns the ancestors that forbid commercial use.

    A model only used up the lineage (not adapted) binds by its license's terms for outputs where it has them.
    Conditions its license sets are met by `confirmed`; an unconfirmed one blocks commercial use when `judging`
    an existing work, and warns before one is made."""
    # Every ancestor that asks for credit gets a line; a restriction shared by many ancestors (one license
    # down a long chain) is reported once, citing the nearest of them.
    non_commercial: list[LicensedWork] = []
    reported: set[str] = set()
    share_alike: set[str] = set()
    for aid in sorted(depth, key=lambda a: (depth[a], a)):
        ancestor = works[aid]
        if ancestor.owned:
            continue
        lic = ancestor.license
        used_only = aid not in adapted
        commercial = commercial_allowed(lic, not used_only)
        needed = required_credit(ancestor, used_only=used_only)
        if needed:
            attribution.append(attribution_for(ancestor, needed))
        if not commercial:
            non_commercial.append(ancestor)
        if lic.share_alike and aid in adapted and lic.id not in share_alike:
            share_alike.add(lic.id)
            obligations.append(share_alike_duty(ancestor))
        if lic.id in reported:
            continue
        reported.add(lic.id)
        obligations += obligations_from(ancestor, commercial_use=commercial)
        if not commercial:
            reasons.append(_no_commercial_reason(ancestor))
        elif used_only and (outputs := outputs_reason(ancestor)) is not None:
            reasons.append(outputs)
        if commercial:
            reasons += condition_reasons(ancestor, confirmed, judging=judging)
        if lic.use_restrictions:
            reasons.append(reason(
                "use_restrictions_passed_on", aid, title=ancestor.title, license=lic.name,
                count=len(lic.use_restrictions),
            ))
    return non_commercial


def parent_reasons(p: ParentUse, works: Works, *, now: int, approved: Collection[str]) -> list[Reason]:
    w, lic = p.work, p.work.license
    found: list[Reason] = []
    if w.flags:
        found.append(reason("parent_flagged", w.id, title=w.title, flag=w.flags[0].message))
    if lic.is_pil:
        # The owner may do as they like with their own work, but Story still refuses the link.
        scope: Scope = "publish" if w.owned else "make"
        if not lic.pil.derivatives_allowed:
            found.append(reason("pil_derivatives_not_allowed", w.id, scope=scope, title=w.title, license=lic.name))
        elif is_story_derivative(w, works) and not lic.pil.derivatives_reciprocal:
            found.append(reason("pil_parent_is_dead_end", w.id, scope=scope, title=w.title, license=lic.name))
        if lic.pil.derivatives_approval:
            if w.owned:
                found.append(reason("pil_approval_by_you", w.id, title=w.title))
            elif w.id not in approved:
                found.append(reason("pil_approval_required", w.id, title=w.title, license=lic.name))
        expiry = expiry_of(w, works)
        if expiry is not None and expiry <= now:
            found.append(reason("pil_parent_expired", w.id, scope=scope, title=w.title, date=date_text(expiry)))
        return found

    found.append(reason("credited_off_chain", w.id, title=w.title, license=lic.name))
    restrictive = lic.family is LicenseFamily.proprietary or not lic.pil.derivatives_allowed
    if w.owned:
        if restrictive:
            found.append(reason("own_work", w.id, title=w.title, license=lic.name))
        return found
    if lic.family is LicenseFamily.proprietary:
        found.append(reason("all_rights_reserved", w.id, title=w.title))
    elif not lic.pil.derivatives_allowed:
        if p.tool:
            found.append(reason("tool_use_not_adaptation", w.id, title=w.title, clause="no-derivatives"))
        else:
            found.append(reason("cc_no_derivatives", w.id, title=w.title, license=lic.name))
    if p.tool and lic.share_alike:
        found.append(reason("tool_use_not_adaptation", w.id, title=w.title, clause="share-alike"))
    return found


def _no_commercial_reason(work: LicensedWork) -> Reason:
    lic = work.license
    if lic.family is LicenseFamily.pil:
        return reason("pil_non_commercial", work.id, title=work.title, license=lic.name)
    if lic.family is LicenseFamily.proprietary:
        return reason("all_rights_reserved", work.id, scope="commercial", title=work.title)
    return reason("cc_non_commercial", work.id, title=work.title, license=lic.name)
