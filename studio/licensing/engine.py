"""The license engine: what may be made, used and published, decided from a work's ancestry.

Pure functions over plain values. `works` maps every work id of the ancestry to its `LicensedWork`; the
lead loads it from the database. PIL terms follow Story's on-chain rules exactly (LicensingModule,
PILicenseTemplate, LicenseRegistry); lineages that mix PIL with Creative Commons, OpenRAIL or
all-rights-reserved works follow the studio's decisions listed in `codes.CODES`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from studio.core.types import MAX_ANCESTORS, MAX_PARENTS, WorkKind
from studio.errors import InvalidInput
from studio.licensing.ancestry import (
    ParentLink,
    ParentRef,
    Works,
    ancestry,
    expiry_of,
    get_work,
    is_story_derivative,
    parents_of,
    resolve_parent,
)
from studio.licensing.catalog import (
    LicenseCatalog,
    LicenseFamily,
    WorkTerms,
    default_catalog,
    effective_pil,
    royalty_percent,
)
from studio.licensing.codes import Reason, Scope, reason
from studio.licensing.credits import attribution_for, obligations_from, required_credit, share_alike_duty
from studio.licensing.training import training_verdict
from studio.licensing.verdict_lines import verdict_lines
from studio.licensing.wording import date_text, describe, describe_params, percent, quoted
from studio.licensing.works import Attribution, DerivativePlan, LicensedWork, Obligation, Verdict

DEFAULT_COMMERCIAL_LICENSE = "pil-commercial-remix"
DEFAULT_NON_COMMERCIAL_LICENSE = "pil-non-commercial-social-remixing"


# --- public API ------------------------------------------------------------------------------------


def check_work(
    work_id: str,
    works: Works,
    *,
    now: int,
    approved: Collection[str] = (),
    catalog: LicenseCatalog | None = None,
) -> Verdict:
    """What may be done with `work_id` now: remix it, use it commercially, publish it on Story.

    `approved` holds the parents whose owners approved this work as their derivative (PIL approval).
    """
    work = get_work(works, work_id)
    catalog = catalog or default_catalog()

    # A derivative of the work, planned with no wishes, says whether it may be remixed and used
    # commercially, what remixes inherit, whom to credit and which duties travel with it.
    as_parent = _evaluate(
        [ParentLink(work, tool=work.kind is not WorkKind.image)], works,
        now=now, approved=(), catalog=catalog, request=_Request(),
    )
    reasons = [
        r for r in as_parent.reasons
        if r.scope != "publish" and not (r.code == "pil_parent_expired" and r.work_id == work.id)
    ]

    expiry = expiry_of(work, works)
    if expiry is not None and expiry <= now:
        # The owner may still use and remix an expired work locally; Story refuses it either way.
        scopes: tuple[Scope, ...] = ("publish",) if work.owned else ("make", "commercial", "publish")
        reasons += [
            reason("work_expired", work.id, scope=s, title=work.title, date=date_text(expiry)) for s in scopes
        ]

    own = _evaluate(
        parents_of(work, works), works, now=now, approved=approved, catalog=catalog, child=work,
    )
    flagged_codes = {f.code for f in work.flags}
    for r in own.reasons:
        if r.scope == "publish":
            reasons.append(r)
        elif r.blocks and r.scope == "make" and r.code not in flagged_codes:
            # The work already exists: breaking its parents' terms now stops it from being published.
            reasons.append(replace(r, scope="publish"))
    reasons += [reason("flagged", work.id, title=work.title, flag=f.message) for f in work.flags]
    if work.on_chain:
        reasons.append(reason("already_on_chain", work.id, title=work.title))

    reasons = _unique(reasons)
    can_remix = not _blocked(reasons, "make")
    # Training is answered in its own lines; its reasons stay out of the remix / commercial / publish ones.
    training = training_verdict(work)
    return Verdict(
        work_id=work.id,
        can_remix=can_remix,
        can_use_commercially=not _blocked(reasons, "commercial"),
        can_publish=not _blocked(reasons, "publish"),
        inherited_license=as_parent.forced if can_remix else None,
        story_terms=own.story_terms,
        attribution=tuple(as_parent.attribution),
        obligations=tuple(as_parent.obligations),
        reasons=tuple(reasons),
        lines=verdict_lines(work, reasons, own.story_terms) + training.lines,
        can_train=training.allowed,
        others_may_train=training.others_allowed,
    )


def plan_derivative(
    parent_ids: Sequence[ParentRef],
    works: Works,
    *,
    commercial: bool,
    license_id: str | None = None,
    rev_share: int | None = None,
    now: int,
    minting_fee: int | None = None,
    royalty_policy: str | None = None,
    approved: Collection[str] = (),
    catalog: LicenseCatalog | None = None,
) -> DerivativePlan:
    """May a new work with these parents be made (and used commercially, when `commercial`), which license
    must or may it carry, and could it be published on Story, under which inherited terms.

    `parent_ids` items are ids, or (id, relation) pairs; without a relation, models and LoRAs count as
    tools (generated_with / styled_with) and images as remixed. With reciprocal PIL parents the license is
    theirs and `rev_share` is Story's raise-only override; otherwise `license_id`, `rev_share`,
    `minting_fee` and `royalty_policy` choose the new work's own terms (default: PIL Commercial Remix when
    commercial terms are wanted and allowed, else PIL Non-Commercial Social Remixing).
    """
    if not parent_ids:
        raise InvalidInput("a derivative needs at least one parent", hint="pass the ids of the works it uses")
    catalog = catalog or default_catalog()
    parents = [resolve_parent(ref, works) for ref in parent_ids]
    out = _evaluate(
        parents, works, now=now, approved=approved, catalog=catalog, commercial=commercial,
        request=_Request(license_id, rev_share, minting_fee, royalty_policy),
    )
    reasons = _unique(out.reasons)
    can_make = not _blocked(reasons, "make")
    return DerivativePlan(
        parent_ids=tuple(p.work.id for p in parents),
        commercial=commercial,
        can_make=can_make,
        can_use_commercially=can_make and not _blocked(reasons, "commercial"),
        can_publish=can_make and not _blocked(reasons, "publish"),
        license=out.child_terms,
        license_required=out.forced is not None,
        story_terms=out.story_terms,
        on_chain_parents=out.on_chain_parents,
        expires_at=out.expires_at,
        attribution=tuple(out.attribution),
        obligations=tuple(out.obligations),
        reasons=tuple(reasons),
    )


def audit_recorded_derivative(
    work_id: str,
    works: Works,
    *,
    now: int,
    approved: Collection[str] = (),
    catalog: LicenseCatalog | None = None,
) -> list[Reason]:
    """The terms of its parents that an existing (imported or externally recorded) work breaks.

    The lead stores them as the work's flags; the work stays recorded and `check_work` then refuses to
    publish it, citing them.
    """
    work = get_work(works, work_id)
    if not work.parents:
        return []
    out = _evaluate(
        parents_of(work, works), works, now=now, approved=approved,
        catalog=catalog or default_catalog(), child=work,
    )
    return [r for r in _unique(out.reasons) if r.blocks and r.scope == "make"]


def royalty_links(work_id: str, works: Works) -> dict[str, list[tuple[str, int]]]:
    """The Story royalty edges of the work's ancestry, for `studio.royalty.royalty_split`.

    `links[child] = [(parent, percent)]` for every PIL link whose terms carry a royalty policy; the
    percent is the parent's royalty percent now (Story's getRoyaltyPercent). Story freezes the percent at
    link time, so prefer the on-chain value where the link already exists.
    """
    start = get_work(works, work_id)
    links: dict[str, list[tuple[str, int]]] = {}
    seen = {start.id}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for pid in node.parent_ids:
            parent = get_work(works, pid)
            if not parent.license.is_pil or effective_pil(parent.terms).royalty_policy is None:
                continue
            links.setdefault(node.id, []).append((parent.id, royalty_percent(parent.terms)))
            if parent.id not in seen:
                seen.add(parent.id)
                queue.append(parent)
    return links


# --- evaluation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    license_id: str | None = None
    rev_share: int | None = None
    minting_fee: int | None = None
    royalty_policy: str | None = None


@dataclass
class _Outcome:
    reasons: list[Reason] = field(default_factory=list)
    forced: WorkTerms | None = None
    child_terms: WorkTerms | None = None
    story_terms: WorkTerms | None = None
    on_chain_parents: tuple[str, ...] = ()
    expires_at: int | None = None
    attribution: list[Attribution] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)


def _evaluate(
    parents: list[ParentLink],
    works: Works,
    *,
    now: int,
    approved: Collection[str],
    catalog: LicenseCatalog,
    commercial: bool = False,
    child: LicensedWork | None = None,
    request: _Request | None = None,
) -> _Outcome:
    """Everything decided about a work (existing `child`, or one being planned) with these parents."""
    out = _Outcome()
    reasons = out.reasons
    child_id = child.id if child else None

    if len(parents) > MAX_PARENTS:
        reasons.append(reason("too_many_parents", child_id, count=len(parents), limit=MAX_PARENTS))
    seen: set[str] = set()
    for p in parents:
        if p.work.id in seen:
            reasons.append(reason("duplicate_parent", p.work.id, title=p.work.title))
        seen.add(p.work.id)
    depth, adapted = ancestry(parents, works, child_id)
    if len(depth) > MAX_ANCESTORS:
        reasons.append(reason("too_many_ancestors", child_id, count=len(depth), limit=MAX_ANCESTORS))

    for p in parents:
        reasons += _parent_reasons(p, works, now=now, approved=approved)

    non_commercial = _walk_ancestors(depth, adapted, works, out)

    adapted_ancestors = [works[a] for a in sorted(adapted, key=lambda a: (depth[a], a))]
    forced, forced_from, conflict = _forced_terms(parents, adapted_ancestors, reasons)
    out.forced = forced

    if child is None:
        out.child_terms = _choose_terms(
            request or _Request(), forced, forced_from, non_commercial, catalog, commercial, reasons
        )
    else:
        out.child_terms = child.terms
        if forced is not None and forced_from is not None:
            reasons += _recorded_license_reasons(child, forced, forced_from)
    if out.child_terms is not None and out.child_terms.license.pil.commercial_use and non_commercial:
        source = non_commercial[0]
        reasons.append(reason(
            "license_grants_more_than_parents", source.id, license=out.child_terms.license.name,
            title=source.title, parent_license=source.license.name,
            advice="these parents cannot be combined" if forced else "choose a non-commercial license",
        ))

    pil_parents = [p.work for p in parents if p.work.license.is_pil]
    out.on_chain_parents = tuple(w.id for w in pil_parents)
    reasons += _unpublished_parents(pil_parents, works)
    if not conflict:
        reasons += _story_compatibility(pil_parents)
    for w in pil_parents:
        if w.license.pil.derivatives_allowed and not w.license.pil.derivatives_reciprocal:
            reasons.append(reason("pil_child_dead_end", w.id, title=w.title, license=w.license.name))
    title = child.title if child else "this work"
    if pil_parents:
        inherited = forced if forced is not None and forced.license.is_pil else pil_parents[0].terms.inherited()
        terms = out.child_terms
        out.story_terms = terms if terms is not None and terms.same_terms(inherited) else inherited
    else:
        out.story_terms = _root_story_terms(out.child_terms, title, child_id, catalog, reasons)
    out.expires_at = _child_expiry(pil_parents, out.child_terms, child, works, now)
    return out


def _unpublished_parents(pil_parents: list[LicensedWork], works: Works) -> list[Reason]:
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


def _walk_ancestors(
    depth: dict[str, int], adapted: set[str], works: Works, out: _Outcome
) -> list[LicensedWork]:
    """Credits, duties and commercial limits from every ancestor (nearest first); returns those that
    forbid commercial use."""
    # Every ancestor that asks for credit gets a line; a restriction shared by many ancestors (one license
    # down a long chain) is reported once, citing the nearest of them.
    non_commercial: list[LicensedWork] = []
    reasons = out.reasons
    reported: set[str] = set()
    share_alike: set[str] = set()
    for aid in sorted(depth, key=lambda a: (depth[a], a)):
        ancestor = works[aid]
        if ancestor.owned:
            continue
        lic = ancestor.license
        needed = required_credit(ancestor)
        if needed:
            out.attribution.append(attribution_for(ancestor, needed))
        if not lic.pil.commercial_use:
            non_commercial.append(ancestor)
        if lic.share_alike and aid in adapted and lic.id not in share_alike:
            share_alike.add(lic.id)
            out.obligations.append(share_alike_duty(ancestor))
        if lic.id in reported:
            continue
        reported.add(lic.id)
        out.obligations += obligations_from(ancestor)
        if not lic.pil.commercial_use:
            reasons.append(_no_commercial_reason(ancestor))
        if lic.use_restrictions:
            reasons.append(reason(
                "use_restrictions_passed_on", aid, title=ancestor.title, license=lic.name,
                count=len(lic.use_restrictions),
            ))
    return non_commercial


def _parent_reasons(p: ParentLink, works: Works, *, now: int, approved: Collection[str]) -> list[Reason]:
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


def _forced_terms(
    parents: list[ParentLink], adapted: list[LicensedWork], reasons: list[Reason]
) -> tuple[WorkTerms | None, LicensedWork | None, bool]:
    """The license the child must carry (a PIL parent's reciprocal terms, or the share-alike license of
    any work it adapts, however far back), its source, and whether they demand incompatible ones (then
    nothing is forced and the conflict is a reason)."""
    pil = [
        (p.work, p.work.terms.inherited()) for p in parents
        if p.work.license.is_pil and p.work.license.pil.derivatives_allowed
        and p.work.license.pil.derivatives_reciprocal
    ]
    sa = [
        (w, WorkTerms(w.license)) for w in adapted
        if not w.license.is_pil and w.license.share_alike and not w.owned
    ]
    conflict = False
    if len(pil) > 1 and any(not t.same_terms(pil[0][1]) for _, t in pil[1:]):
        conflict = True
        reasons.append(reason(
            "pil_terms_differ", pil[0][0].id, scope=_conflict_scope(w for w, _ in pil),
            titles=quoted(*(w.title for w, _ in pil)), licenses="; ".join(describe(t) for _, t in pil),
        ))
    if len({t.license_id for _, t in sa}) > 1:
        conflict = True
        reasons.append(reason(
            "share_alike_conflict", sa[0][0].id, titles=quoted(*(w.title for w, _ in sa)),
            licenses=", ".join(sorted({t.license.name for _, t in sa})),
        ))
    if sa and pil:
        conflict = True
        (sa_work, sa_terms), (pil_work, pil_terms) = sa[0], pil[0]
        reasons.append(reason(
            "share_alike_conflicts_with_pil", sa_work.id, sa_title=sa_work.title,
            sa_license=sa_terms.license.name, pil_title=pil_work.title, pil_license=describe(pil_terms),
        ))
    if conflict or not (pil or sa):
        return None, None, conflict
    source, terms = (pil or sa)[0]
    if terms.license.is_pil:
        reasons.append(reason("pil_terms_inherited", source.id, title=source.title,
                              license=terms.license.name, params=describe_params(terms)))
    else:
        reasons.append(reason("share_alike_required", source.id, title=source.title, license=terms.license.name))
    return terms, source, False


def _conflict_scope(works: Iterable[LicensedWork]) -> Scope:
    # Parents that are all the user's own may be combined locally; only Story refuses to link them.
    return "publish" if all(w.owned for w in works) else "make"


def _story_compatibility(pil_parents: list[LicensedWork]) -> list[Reason]:
    """verifyCompatibleLicenses and the single-royalty-policy rule, for two or more PIL parents."""
    if len(pil_parents) < 2:
        return []
    titles = quoted(*(w.title for w in pil_parents))
    first = pil_parents[0].license.pil
    if any(w.license.pil.commercial_use != first.commercial_use for w in pil_parents):
        return [reason("pil_commercial_mismatch", pil_parents[0].id, titles=titles)]
    if any(w.license.pil.derivatives_reciprocal != first.derivatives_reciprocal for w in pil_parents):
        return [reason("pil_reciprocal_mismatch", pil_parents[0].id, titles=titles)]
    policies = {effective_pil(w.terms).royalty_policy for w in pil_parents}
    if len(policies) > 1:
        names = ", ".join(sorted((p or "none").upper() for p in policies))
        return [reason("royalty_policy_mismatch", pil_parents[0].id, titles=titles, policies=names)]
    return []


def _choose_terms(
    request: _Request,
    forced: WorkTerms | None,
    forced_from: LicensedWork | None,
    non_commercial: list[LicensedWork],
    catalog: LicenseCatalog,
    commercial: bool,
    reasons: list[Reason],
) -> WorkTerms:
    requested = catalog.get(request.license_id) if request.license_id is not None else None
    if forced is not None and forced_from is not None:
        lic = forced.license
        if requested is not None and requested.id != lic.id:
            code = "license_must_be_inherited" if lic.is_pil else "license_must_be_share_alike"
            reasons.append(reason(code, forced_from.id, title=forced_from.title, license=lic.name,
                                  requested=requested.name))
        if not lic.is_pil:
            for what, value in (("rev share", request.rev_share), ("minting fee", request.minting_fee),
                                ("royalty policy", request.royalty_policy)):
                if value is not None:
                    reasons.append(reason("parameter_not_applicable", forced_from.id, license=lic.name,
                                          what=what, suggest=""))
            return forced
        return _with_override(forced, forced_from, request, reasons)

    wants_commercial = commercial or request.rev_share is not None or request.minting_fee is not None
    if requested is None:
        default = DEFAULT_COMMERCIAL_LICENSE if wants_commercial and not non_commercial else (
            DEFAULT_NON_COMMERCIAL_LICENSE
        )
        requested = catalog.get(default)
    params: dict[str, Any] = {}
    for name, what, value, suggest in (
        ("rev_share", "rev share", request.rev_share, " or choose PIL Commercial Remix"),
        ("minting_fee", "minting fee", request.minting_fee, " or choose PIL Commercial Use or Commercial Remix"),
    ):
        if value is None:
            continue
        if name in requested.parameters:
            params[name] = value
        else:
            reasons.append(reason("parameter_not_applicable", None, license=requested.name, what=what,
                                  suggest=suggest))
    if request.royalty_policy is not None:
        if requested.is_pil and requested.pil.royalty_policy is not None:
            params["royalty_policy"] = request.royalty_policy
        else:
            reasons.append(reason("parameter_not_applicable", None, license=requested.name,
                                  what="royalty policy", suggest=" or choose a commercial PIL license"))
    return WorkTerms(requested, **params)


def _with_override(
    forced: WorkTerms, source: LicensedWork, request: _Request, reasons: list[Reason]
) -> WorkTerms:
    """The inherited PIL terms, with the requested rev share as Story's raise-only override."""
    pil = effective_pil(forced)
    for what, value, inherited in (
        ("minting fee", request.minting_fee, pil.default_minting_fee),
        ("royalty policy", request.royalty_policy, pil.royalty_policy),
    ):
        if value is not None and value != inherited:
            reasons.append(reason("inherited_terms_fixed", source.id, what=what, title=source.title,
                                  inherited=inherited or "none", requested=value))
    wanted = request.rev_share
    if wanted is None:
        return forced
    if not pil.commercial_use:
        reasons.append(reason("rev_share_needs_commercial_terms", source.id, license=forced.license.name))
        return forced
    if wanted != 0 and wanted < pil.commercial_rev_share:
        reasons.append(reason("rev_share_below_inherited", source.id, title=source.title,
                              requested=percent(wanted), inherited=percent(pil.commercial_rev_share)))
        return forced
    if wanted <= pil.commercial_rev_share:
        return forced
    reasons.append(reason("rev_share_raised", source.id, requested=percent(wanted),
                          inherited=percent(pil.commercial_rev_share)))
    return replace(forced, rev_share_override=wanted)


def _recorded_license_reasons(child: LicensedWork, forced: WorkTerms, source: LicensedWork) -> list[Reason]:
    if forced.license.is_pil:
        carries_it = child.terms.same_terms(forced)
    else:
        carries_it = child.license.id == forced.license_id
    if carries_it:
        return []
    return [reason("license_differs_from_inherited", child.id, title=child.title,
                   license=describe(child.terms), parent=source.title, required=describe(forced))]


def _root_story_terms(
    terms: WorkTerms | None, title: str, work_id: str | None, catalog: LicenseCatalog, reasons: list[Reason]
) -> WorkTerms | None:
    """The terms a work with no PIL parent is registered with on Story, if its license has a PIL form."""
    if terms is None:
        return None
    lic = terms.license
    if lic.is_pil:
        return terms
    if lic.share_alike:
        reasons.append(reason("share_alike_not_on_story", work_id, license=lic.name))
        return None
    if lic.on_story is None:
        reasons.append(reason("license_not_on_story", work_id, license=lic.name, title=title))
        return None
    flavor = catalog.get(lic.on_story)
    reasons.append(reason("published_as_flavor", work_id, title=title, license=lic.name, flavor=flavor.name))
    return WorkTerms(flavor)


def _child_expiry(
    pil_parents: list[LicensedWork], terms: WorkTerms | None, child: LicensedWork | None, works: Works, now: int
) -> int | None:
    """Story's rule: the earliest of the parents' expiries and (link time + the terms' expiration)."""
    if child is not None:
        return expiry_of(child, works)
    candidates = [e for e in (expiry_of(w, works) for w in pil_parents) if e is not None]
    if terms is not None and terms.license.pil.expiration:
        candidates.append(now + terms.license.pil.expiration)
    return min(candidates, default=None)


def _blocked(reasons: Iterable[Reason], scope: Scope) -> bool:
    return any(r.blocks and r.scope == scope for r in reasons)


def _unique(reasons: Iterable[Reason]) -> list[Reason]:
    seen: set[tuple[str, str | None, str, str]] = set()
    kept = []
    for r in reasons:
        key = (r.code, r.work_id, r.scope, r.message)
        if key not in seen:
            seen.add(key)
            kept.append(r)
    return kept
