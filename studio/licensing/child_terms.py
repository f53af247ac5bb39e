"""The terms a new work gets: those its parents force on it, those the creator asked for or the catalogue suggests,
the terms it carries on Story, and when its license ends."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from studio.licensing.ancestry import ParentUse, Works, expiry_of
from studio.licensing.catalog import LicenseCatalog, WorkTerms, effective_pil
from studio.licensing.codes import Reason, Scope, reason
from studio.licensing.wording import describe, describe_params, percent, quoted
from studio.licensing.works import LicensedWork


@dataclass(frozen=True)
class TermsRequest:
    license_id: str | None = None
    rev_share: int | None = None
    minting_fee: int | None = None
    royalty_policy: str | None = None



DEFAULT_COMMERCIAL_LICENSE = "pil-commercial-remix"
DEFAULT_NON_COMMERCIAL_LICENSE = "pil-non-commercial-social-remixing"


def forced_terms(
    parents: list[ParentUse], adapted: list[LicensedWork], reasons: list[Reason]
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


def story_compatibility(pil_parents: list[LicensedWork]) -> list[Reason]:
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


def choose_terms(
    request: TermsRequest,
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

    # A rev share, a minting fee or a royalty policy exist only in commercial terms: asking for one asks for those.
    wants_commercial = commercial or any(
        v is not None for v in (request.rev_share, request.minting_fee, request.royalty_policy))
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
    forced: WorkTerms, source: LicensedWork, request: TermsRequest, reasons: list[Reason]
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


def recorded_license_reasons(child: LicensedWork, forced: WorkTerms, source: LicensedWork) -> list[Reason]:
    if forced.license.is_pil:
        carries_it = child.terms.same_terms(forced)
    else:
        carries_it = child.license.id == forced.license_id
    if carries_it:
        return []
    return [reason("license_differs_from_inherited", child.id, title=child.title,
                   license=describe(child.terms), parent=source.title, required=describe(forced))]


def root_story_terms(
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


def child_expiry(
    pil_parents: list[LicensedWork], terms: WorkTerms | None, child: LicensedWork | None, works: Works, now: int
) -> int | None:
    """Story's rule: the earliest of the parents' expiries and (link time + the terms' expiration)."""
    if child is not None:
        return expiry_of(child, works)
    candidates = [e for e in (expiry_of(w, works) for w in pil_parents) if e is not None]
    if terms is not None and terms.license.pil.expiration:
        candidates.append(now + terms.license.pil.expiration)
    return min(candidates, default=None)
