"""The license engine: what may be made, used and published, decided from a work's ancestry.

Pure functions over plain values. `works` maps every work id of the ancestry to its `LicensedWork`; the
lead loads it from the database. PIL terms follow Story's on-chain rules exactly (LicensingModule,
PILicenseTemplate, LicenseRegistry); lineages that mix PIL with Creative Commons, OpenRAIL or
all-rights-reserved works follow the studio's decisions listed in `codes.CODES`. What each parent and ancestor
brings is in `parent_rules`, the terms a new work gets in `child_terms`; this module weighs them into verdicts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace

from studio.core.types import MAX_ANCESTORS, MAX_PARENTS, Relation, WorkKind
from studio.errors import InvalidInput
from studio.licensing.ancestry import (
    ParentRef,
    ParentUse,
    Works,
    ancestry,
    expiry_of,
    get_work,
    parents_of,
    resolve_parent,
)
from studio.licensing.catalog import (
    LicenseCatalog,
    WorkTerms,
    default_catalog,
    effective_pil,
    royalty_percent,
)
from studio.licensing.child_terms import (
    DEFAULT_COMMERCIAL_LICENSE,  # noqa: F401 (the suggested licenses, read from here)
    DEFAULT_NON_COMMERCIAL_LICENSE,  # noqa: F401
    TermsRequest,
    child_expiry,
    choose_terms,
    forced_terms,
    recorded_license_reasons,
    root_story_terms,
    story_compatibility,
)
from studio.licensing.codes import Reason, Scope, reason
from studio.licensing.model_terms import lineage_conditions, model_use_reasons, running_model_reason
from studio.licensing.parent_rules import parent_reasons, unpublished_parents, walk_ancestors
from studio.licensing.training import training_verdict
from studio.licensing.verdict_lines import verdict_lines
from studio.licensing.wording import date_text, describe
from studio.licensing.works import Attribution, ConditionState, DerivativePlan, LicensedWork, Obligation, Verdict

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
        [ParentUse(work, tool=work.kind is not WorkKind.image)], works,
        now=now, approved=(), catalog=catalog, request=TermsRequest(), confirmed=work.confirmed, judging=True,
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
    reasons = _model_reasons(work, reasons, own.forced)
    if work.kind in (WorkKind.model, WorkKind.lora):
        reasons = model_use_reasons(work) + reasons
    if work.on_chain:
        reasons.append(reason("already_on_chain", work.id, title=work.title))

    reasons = _unique(reasons)
    can_remix = not _blocked(reasons, "make")
    # Training is answered in its own lines; its reasons stay out of the remix / commercial / publish ones.
    training = training_verdict(work, works=works)
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
        conditions=tuple(
            ConditionState(c.id, c.applies_to, c.statement, source.license.id, source.license.name,
                           source.license.legal_url, c.id in work.confirmed)
            for c, source in lineage_conditions(work.id, works).values()
        ),
    )


_OFF_STORY = frozenset({"share_alike_not_on_story", "license_not_on_story"})


def _model_reasons(work: LicensedWork, reasons: list[Reason], forced: WorkTerms | None) -> list[Reason]:
    """A model or LoRA trained on a training set: the license its data and base bind it to, and how it reaches
    Story (as a derivative of its training set's group, under the group's terms, whatever its own license)."""
    if work.kind not in (WorkKind.model, WorkKind.lora):
        return reasons
    if forced is not None:
        reasons = [*reasons, reason("model_license_bound", work.id, title=work.title, required=describe(forced),
                                    license=describe(work.terms))]
    if not any(rel is Relation.trained_on for _, rel in work.parents):
        return reasons
    kept = [r for r in reasons if r.code not in _OFF_STORY]
    return [*kept, reason("model_published_through_group", work.id, title=work.title)]


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
    confirmed: Collection[str] = (),
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
        request=TermsRequest(license_id, rev_share, minting_fee, royalty_policy), confirmed=confirmed,
    )
    running = [r for p in parents if p.tool and (r := running_model_reason(p.work)) is not None]
    reasons = _unique(running + out.reasons)
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
    parents: list[ParentUse],
    works: Works,
    *,
    now: int,
    approved: Collection[str],
    catalog: LicenseCatalog,
    commercial: bool = False,
    child: LicensedWork | None = None,
    request: TermsRequest | None = None,
    confirmed: Collection[str] = (),
    judging: bool = False,
) -> _Outcome:
    """Everything decided about a work (existing `child`, or one being planned) with these parents; `confirmed`
    and `judging` as in `walk_ancestors`."""
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
        reasons += parent_reasons(p, works, now=now, approved=approved)

    non_commercial = walk_ancestors(depth, adapted, works, reasons, out.attribution, out.obligations,
                                    confirmed=confirmed, judging=judging)

    adapted_ancestors = [works[a] for a in sorted(adapted, key=lambda a: (depth[a], a))]
    forced, forced_from, conflict = forced_terms(parents, adapted_ancestors, reasons)
    out.forced = forced

    if child is None:
        out.child_terms = choose_terms(
            request or TermsRequest(), forced, forced_from, non_commercial, catalog, commercial, reasons
        )
    else:
        out.child_terms = child.terms
        if forced is not None and forced_from is not None:
            reasons += recorded_license_reasons(child, forced, forced_from)
    if out.child_terms is not None and out.child_terms.license.pil.commercial_use and non_commercial:
        source = non_commercial[0]
        reasons.append(reason(
            "license_grants_more_than_parents", source.id, license=out.child_terms.license.name,
            title=source.title, parent_license=source.license.name,
            advice="these parents cannot be combined" if forced else "choose a non-commercial license",
        ))

    pil_parents = [p.work for p in parents if p.work.license.is_pil]
    out.on_chain_parents = tuple(w.id for w in pil_parents)
    reasons += unpublished_parents(pil_parents, works)
    if not conflict:
        reasons += story_compatibility(pil_parents)
    for w in pil_parents:
        if w.license.pil.derivatives_allowed and not w.license.pil.derivatives_reciprocal:
            reasons.append(reason("pil_child_dead_end", w.id, title=w.title, license=w.license.name))
    title = child.title if child else "this work"
    if pil_parents:
        inherited = forced if forced is not None and forced.license.is_pil else pil_parents[0].terms.inherited()
        terms = out.child_terms
        out.story_terms = terms if terms is not None and terms.same_terms(inherited) else inherited
    else:
        out.story_terms = root_story_terms(out.child_terms, title, child_id, catalog, reasons)
    out.expires_at = child_expiry(pil_parents, out.child_terms, child, works, now)
    return out


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
