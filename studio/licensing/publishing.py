"""What the license engine decides about publishing one work on Story: the terms a publish request asks for,
and the judgement of the work with the Story parents it links to (pure: plain values in, plain values out)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from studio.core.types import Relation, WorkKind
from studio.errors import InvalidInput
from studio.licensing.catalog import LicenseCatalog, WorkTerms, effective_pil, royalty_percent
from studio.licensing.codes import Reason
from studio.licensing.engine import check_work
from studio.licensing.story_rules import PilTerms
from studio.licensing.works import LicensedWork, Verdict


@dataclass(frozen=True)
class ParentPlan:
    """A Story parent of the work: the terms it is linked with and what the engines expect the link to cost."""

    work_id: str
    title: str
    relation: Relation
    pil: PilTerms
    royalty_percent: int
    minting_fee: int


@dataclass(frozen=True)
class PublishJudgement:
    """The license engine's answer for one work to publish: `terms` is None when it cannot go on Story."""

    verdict: Verdict
    refusals: tuple[Reason, ...]
    terms: WorkTerms | None
    parents: tuple[ParentPlan, ...]
    credited: tuple[tuple[str, Relation], ...]  # parents outside Story: credited in the metadata, not linked
    policy: str | None


def requested_terms(work_id: str, works: Mapping[str, LicensedWork], catalog: LicenseCatalog, *,
                    license_id: str | None = None, rev_share: int | None = None,
                    minting_fee: int | None = None) -> WorkTerms | None:
    """The terms `--license/--rev-share/--minting-fee` ask for, checked as the engine would for a new work:
    a root takes them (keeping what the request leaves out when the license stays the same); a remix keeps its
    inherited terms and may only raise the rev share its own remixes pay. None when nothing is asked."""
    if license_id is None and rev_share is None and minting_fee is None:
        return None
    work = works[work_id]
    current = work.terms
    pil_parents = [pid for pid, _ in work.parents if works[pid].license.is_pil]
    if not pil_parents:
        license_ = catalog.get(license_id or current.license_id)
        same = license_.id == current.license_id
        return WorkTerms(
            license_,
            rev_share=rev_share if rev_share is not None else (current.rev_share if same else None),
            minting_fee=minting_fee if minting_fee is not None else (current.minting_fee if same else None),
            royalty_policy=current.royalty_policy if same else None,
        )
    if license_id is not None and catalog.get(license_id).id != current.license_id:
        raise InvalidInput(f"a remix carries its parents' terms ({current.license.name}); it cannot be "
                           f"published under {catalog.get(license_id).name}")
    if minting_fee is not None:
        raise InvalidInput("a remix's minting fee is inherited from its parents' terms; leave --minting-fee out")
    if rev_share is None:
        return None
    return replace(current, rev_share_override=rev_share)


def judge_publication(work_id: str, works: Mapping[str, LicensedWork], *, now: int, catalog: LicenseCatalog,
                      has_image: bool, new_terms: WorkTerms | None = None) -> PublishJudgement:
    """May the work go on Story (with `new_terms` if the request changes them), under which terms, linked to
    which parents at which percent and fee, crediting which others."""
    works = dict(works)
    if new_terms is not None:
        works[work_id] = replace(works[work_id], terms=new_terms)
    me = works[work_id]
    verdict = check_work(work_id, works, now=now, catalog=catalog)
    refusals = list(verdict.blocking("publish"))
    if me.kind is not WorkKind.image or not has_image:
        refusals.append(Reason("not_an_image", f"“{me.title}” is a {me.kind.value}: only images are "
                               "published on Story.", work_id, "block", "publish"))
    terms = verdict.story_terms
    if terms is None:
        return PublishJudgement(verdict, tuple(refusals), None, (), (), None)
    parents = tuple(
        ParentPlan(p.id, p.title, rel, effective_pil(p.terms), royalty_percent(p.terms),
                   effective_pil(p.terms).default_minting_fee)
        for p, rel in ((works[pid], rel) for pid, rel in me.parents) if p.license.is_pil
    )
    credited = tuple((pid, rel) for pid, rel in me.parents if not works[pid].license.is_pil)
    return PublishJudgement(verdict, tuple(refusals), terms, parents, credited, effective_pil(terms).royalty_policy)
