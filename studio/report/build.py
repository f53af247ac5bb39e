"""From what the library knows about a work (works, edges, verdicts, splits, journal rows) to a `LineageReport`.

Pure: the services layer loads the inputs; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from studio.core.types import Edge, Work, units_to_percent
from studio.errors import StudioError
from studio.licensing import CODES, LicensedWork, Reason, Verdict, effective_pil, royalty_percent
from studio.report.model import (
    ConditionEntry,
    CredentialsVerdict,
    Credit,
    DataShare,
    Duty,
    LicenseSummary,
    LineageReport,
    Link,
    Node,
    Problem,
    PublicationEntry,
    ReviewNote,
    RoyaltyTable,
    Share,
    VerdictEntry,
)
from studio.report.registrations import confirmed
from studio.royalty import RoyaltySplit

# Flags the library sets itself, outside the license engine's table of codes.
STUDIO_RULES = {
    "credentials_tampered": "C2PA: the image's hash no longer matches its signed Content Credentials",
    "credentials_invalid": "C2PA: the Content Credentials fail validation, so what they state cannot be relied on",
}
POLICIES = ("lap", "lrp")


@dataclass(frozen=True)
class ReportInputs:
    subject: Work
    works: Mapping[str, Work]  # the subject and every ancestor
    licensed: Mapping[str, LicensedWork]  # the same works as the license engine sees them
    edges: Sequence[Edge]  # every edge of the ancestry
    verdicts: Mapping[str, Verdict]  # one per work
    royalties: Mapping[str, RoyaltySplit | StudioError]  # by policy: the split, or why Story refuses it
    publications: Mapping[str, Sequence[PublicationEntry]]
    credentials: Mapping[str, CredentialsVerdict]
    generated_at: str
    review: ReviewNote | None = None
    data_shares: Sequence[DataShare] = ()


def build_report(inputs: ReportInputs) -> LineageReport:
    subject = inputs.subject
    edges = sorted(set(inputs.edges), key=lambda e: (e.child_id, e.position, e.parent_id))
    generation = generations(subject.id, edges)
    relation = _nearest_relation(edges, generation)
    verdict = inputs.verdicts[subject.id]
    nodes = [
        _node(inputs, work_id, generation[work_id], relation.get(work_id))
        for work_id in sorted(generation, key=lambda w: (generation[w], inputs.works[w].title.lower(), w))
    ]
    problems, notes = _problems(verdict, nodes)
    return LineageReport(
        work_id=subject.id,
        title=subject.title,
        generated_at=inputs.generated_at,
        can_remix=verdict.can_remix,
        can_use_commercially=verdict.can_use_commercially,
        can_publish=verdict.can_publish,
        nodes=tuple(nodes),
        links=tuple(Link(e.child_id, e.parent_id, e.relation.value, e.weight) for e in edges),
        credits=tuple(
            Credit(a.work_id, a.text, a.required_for, a.license_id, a.legal_url) for a in verdict.attribution
        ),
        duties=tuple(Duty(o.code, o.text, o.work_id) for o in verdict.obligations),
        problems=problems,
        notes=notes,
        royalties=tuple(
            _royalty_table(p, inputs.royalties[p], inputs.works) for p in POLICIES if p in inputs.royalties
        ),
        review=inputs.review,
        verdicts=tuple(
            VerdictEntry(v.action, v.who, v.answer, v.label, v.reason.code, v.reason.message) for v in verdict.lines
        ),
        registrations=tuple(confirmed(inputs.publications.get(subject.id, ()))),
        data_shares=tuple(inputs.data_shares),
        conditions=tuple(
            ConditionEntry(c.id, c.applies_to, c.statement, c.license_name, c.legal_url, c.confirmed)
            for c in verdict.conditions
        ),
    )


def generations(subject_id: str, edges: Sequence[Edge]) -> dict[str, int]:
    """Each work's longest path down to the subject, so that every parent sits above all of its children."""
    parents: dict[str, list[str]] = {}
    waiting: dict[str, int] = {subject_id: 0}
    for edge in edges:
        parents.setdefault(edge.child_id, []).append(edge.parent_id)
        waiting[edge.parent_id] = waiting.get(edge.parent_id, 0) + 1
        waiting.setdefault(edge.child_id, 0)
    generation = dict.fromkeys(waiting, 0)
    ready = [subject_id]
    while ready:
        node = ready.pop()
        for parent in parents.get(node, ()):
            generation[parent] = max(generation[parent], generation[node] + 1)
            waiting[parent] -= 1
            if waiting[parent] == 0:
                ready.append(parent)
    return generation


def _nearest_relation(edges: Sequence[Edge], generation: Mapping[str, int]) -> dict[str, str]:
    found: dict[str, tuple[int, int, str]] = {}
    for edge in edges:
        key = (generation[edge.child_id], edge.position, edge.relation.value)
        if edge.parent_id not in found or key < found[edge.parent_id]:
            found[edge.parent_id] = key
    return {work_id: key[2] for work_id, key in found.items()}


def _node(inputs: ReportInputs, work_id: str, generation: int, relation: str | None) -> Node:
    work = inputs.works[work_id]
    verdict = inputs.verdicts[work_id]
    return Node(
        id=work.id,
        title=work.title,
        creator=work.creator,
        kind=work.kind.value,
        origin=work.origin.value,
        generation=generation,
        relation=relation,
        license=license_summary(inputs.licensed[work_id]),
        can_remix=verdict.can_remix,
        can_use_commercially=verdict.can_use_commercially,
        can_publish=verdict.can_publish,
        publications=tuple(inputs.publications.get(work_id, ())),
        credentials=inputs.credentials.get(work_id),
        flags=tuple(_problem(Reason.from_dict(flag), default_work=work.id) for flag in work.flags),
        recipe=work.recipe.to_dict() if work.recipe is not None else None,
        sha256=work.sha256,
        created_at=work.created_at,
    )


def license_summary(work: LicensedWork) -> LicenseSummary:
    lic = work.license
    pil = effective_pil(work.terms)
    paid = lic.is_pil and pil.commercial_use
    return LicenseSummary(
        id=lic.id,
        name=lic.name,
        legal_url=lic.legal_url,
        family=lic.family.value,
        commercial_use=pil.commercial_use,
        derivatives_allowed=pil.derivatives_allowed,
        share_alike=lic.share_alike,
        rev_share_percent=units_to_percent(royalty_percent(work.terms)) if paid else None,
        royalty_policy=pil.royalty_policy if lic.is_pil else None,
    )


def _problem(reason: Reason, default_work: str | None = None) -> Problem:
    code = CODES.get(reason.code)
    return Problem(
        code=reason.code,
        severity=reason.severity,
        scope=reason.scope,
        message=reason.message,
        work_id=reason.work_id or default_work,
        rule=code.rule if code is not None else STUDIO_RULES.get(reason.code),
    )


STATUS_CODES = frozenset({"already_on_chain"})


def _problems(verdict: Verdict, nodes: Sequence[Node]) -> tuple[tuple[Problem, ...], tuple[Problem, ...]]:
    # A stored flag is listed under its own code (e.g. credentials_tampered), so the engine's generic
    # "flagged" reason that cites it would only repeat it.
    found = [_problem(r) for r in verdict.reasons if r.code != "flagged"]
    found += [flag for node in nodes for flag in node.flags]
    unique = list(dict.fromkeys(found))
    # Being on Story already blocks publishing again, but for a reviewer it is a status, not a problem.
    problems = tuple(p for p in unique if p.severity in ("block", "warn") and p.code not in STATUS_CODES)
    notes = tuple(p for p in unique if p.severity == "info" or p.code in STATUS_CODES)
    order = {"block": 0, "warn": 1}
    return tuple(sorted(problems, key=lambda p: order[p.severity])), notes


def _royalty_table(policy: str, split: RoyaltySplit | StudioError, works: Mapping[str, Work]) -> RoyaltyTable:
    if isinstance(split, StudioError):
        return RoyaltyTable(policy=policy, stack_percent=None, creator_percent=None, shares=(), error=str(split))
    shares = tuple(
        Share(
            work_id=a.id,
            title=works[a.id].title if a.id in works else a.id,
            depth=a.depth,
            percent=units_to_percent(float(a.share)),
            units=a.units,
        )
        for a in split.ancestors
    )
    return RoyaltyTable(
        policy=policy,
        stack_percent=units_to_percent(split.stack),
        creator_percent=units_to_percent(float(split.creator_share)),
        shares=shares,
    )
