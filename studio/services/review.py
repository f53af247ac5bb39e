"""Studio review: lineage & compliance reports of works, and release approvals bound to what was reviewed.

A decision records the sha256 of the report the reviewer read and a sha256 of the work's lineage: every work
of its ancestry, every edge, and each work's license (its catalogue terms) and own terms. An approval holds
exactly while the lineage hashes the same; a new parent edge or an ancestor's changed license voids it. When
the library requires review (setting `review.required`), the service is the release gate publishing and export
ask before anything is signed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from studio.core.types import WorkKind
from studio.errors import InvalidInput, NotFound, StudioError
from studio.licensing import LicenseCatalog, check_work
from studio.lineage.graph import LineageGraph
from studio.report import LineageReport, ReportInputs, ReviewNote, build_report, fingerprint
from studio.report import records as report_records
from studio.royalty import RoyaltySplit
from studio.services.approval import ApprovalStatus, ReleaseNotApproved, State, ensure_released
from studio.services.data_shares import data_shares
from studio.services.licensing_view import LicenseView, now
from studio.services.reports import Format, RenderedReport, Thumbnail, check_format, render, report_fingerprint_in
from studio.store.credentials import CredentialRecords
from studio.store.files import write_atomic
from studio.store.group_members import GroupMemberRecords
from studio.store.output_paths import check_output_path
from studio.store.publications import PublicationRecords
from studio.store.reviews import Decision, ReviewDecision, ReviewRecords
from studio.store.settings import SettingRecords
from studio.store.works import WorkRepository, now_iso

__all__ = [
    "ApprovalStatus", "Decision", "Format", "ReleaseNotApproved", "RenderedReport", "ReviewDecision", "ReviewService",
    "State", "report_fingerprint_in",
]

REQUIRE_KEY = "review.required"
MAX_REVIEWER = 100
MAX_COMMENT = 2000


class ReviewService:
    """Reports and approvals of one library's works; also its `ReleaseGate`."""

    def __init__(
        self,
        *,
        works: WorkRepository,
        reviews: ReviewRecords,
        settings: SettingRecords,
        publications: PublicationRecords,
        credentials: CredentialRecords,
        graph: LineageGraph,
        licenses: LicenseView,
        thumbnail: Thumbnail,
        library_root: Path,
        group_members: GroupMemberRecords | None = None,
    ) -> None:
        self.works = works
        self.reviews = reviews
        self.settings = settings
        self.publications = publications
        self.credentials = credentials
        self.graph = graph
        self.licenses = licenses
        self.thumbnail = thumbnail
        self.library_root = library_root
        self.group_members = group_members or GroupMemberRecords(publications.db)

    # -- reports -----------------------------------------------------------------------------------------------
    def lineage_report(self, ref: str) -> LineageReport:
        """Everything the report states about a work and its ancestry, as values."""
        work = self.works.resolve(ref)
        licensed = self.licenses.ancestry([work.id])
        moment = now()
        catalog = self.licenses.catalog
        verdicts = {work_id: check_work(work_id, licensed, now=moment, catalog=catalog) for work_id in licensed}
        royalties: dict[str, RoyaltySplit | StudioError] = {}
        for policy in ("lap", "lrp"):
            try:
                royalties[policy] = self.licenses.royalty(work, policy)
            except StudioError as exc:  # a split Story would refuse is itself a finding of the report
                royalties[policy] = exc
        status = self.approval_status(work.id)
        return build_report(
            ReportInputs(
                subject=work,
                works=self.works.get_many(licensed),
                licensed=licensed,
                edges=self.graph.ancestor_edges(work.id),
                verdicts=verdicts,
                royalties=royalties,
                publications=report_records.publications(self.publications, licensed),
                credentials=report_records.credentials(self.credentials, licensed),
                generated_at=now_iso(),
                data_shares=data_shares(work.id, self.publications, self.group_members, self.works),
                review=ReviewNote(
                    state=status.state,
                    required=status.required,
                    reviewer=status.decision.reviewer if status.decision else None,
                    decided_at=status.decision.decided_at if status.decision else None,
                    comment=status.decision.comment if status.decision else None,
                    explanation=status.explanation,
                ),
            )
        )

    def render_report(self, ref: str, fmt: Format = "html") -> RenderedReport:
        fmt = check_format(fmt)
        report = self.lineage_report(ref)
        works = self.works.get_many(n.id for n in report.nodes) if fmt == "html" else {}
        return render(report, fmt, works, self.thumbnail)

    def write_report(
        self, ref: str, path: Path, fmt: Format | None = None, *, overwrite: bool = False
    ) -> RenderedReport:
        """Write the report to `path` (format from the suffix when not given: .json, else HTML).

        Refused inside any library folder, and over an existing file unless `overwrite`."""
        chosen: Format = fmt or ("json" if path.suffix.lower() == ".json" else "html")
        path = check_output_path(path, library_root=self.library_root, overwrite=overwrite)
        rendered = self.render_report(ref, chosen)
        try:
            write_atomic(path, rendered.text.encode("utf-8"))
        except OSError as exc:
            raise InvalidInput(f"cannot write the report to {path}: {exc.strerror}") from None
        return rendered

    # -- the lineage an approval is bound to ------------------------------------------------------------------
    def lineage_sha256(self, work_id: str) -> str:
        edges = sorted(
            {(e.child_id, e.parent_id, e.relation.value, e.weight) for e in self.graph.ancestor_edges(work_id)},
            key=lambda e: (e[0], e[1]),
        )
        ids = {work_id} | {e[0] for e in edges} | {e[1] for e in edges}
        works = self.works.get_many(ids)
        state = {
            "edges": [list(e) for e in edges],
            "works": [
                {
                    "id": w.id,
                    "sha256": w.sha256,
                    "license": _license_terms(self.licenses.catalog, w.license_id),
                    "rev_share": w.terms.rev_share,
                    "rev_share_override": w.terms.rev_share_override,
                    "minting_fee": w.terms.minting_fee,
                    "royalty_policy": w.terms.royalty_policy,
                }
                for w in sorted(works.values(), key=lambda w: w.id)
            ],
        }
        canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    # -- approvals ---------------------------------------------------------------------------------------------
    def review_required(self) -> bool:
        return self.settings.get_bool(REQUIRE_KEY)

    def set_review_required(self, required: bool) -> None:
        self.settings.set_bool(REQUIRE_KEY, required)

    def decisions(self, ref: str) -> list[ReviewDecision]:
        """Every decision on the work, oldest first."""
        return self.reviews.of_work(self.works.resolve(ref).id)

    def approval_status(self, ref: str) -> ApprovalStatus:
        work = self.works.resolve(ref)
        return _status(work.id, work.title, self.reviews.latest(work.id), self.lineage_sha256(work.id),
                       self.review_required())

    def status(self, work_id: str) -> ApprovalStatus:
        """The release gate's answer: the work's approval status now."""
        return self.approval_status(work_id)

    def ensure_release_allowed(self, ref: str) -> ApprovalStatus:
        """Refuse (ReleaseNotApproved) when the library requires review and the work's approval is missing,
        voided by a lineage change, or was a rejection; otherwise return the status."""
        return ensure_released(self, ref)

    def record_decision(
        self,
        work_id: str,
        decision: Decision,
        reviewer: str,
        comment: str | None = None,
        *,
        reviewed_fingerprint: str | None = None,
    ) -> ApprovalStatus:
        """Record a reviewer's decision on the work as it is now.

        `reviewed_fingerprint` is the fingerprint of the report the reviewer read; when it no longer matches the
        report of the work now, nothing is recorded: the reviewer would be deciding on something they did not see.
        """
        if decision not in ("approved", "rejected"):
            raise InvalidInput(f"unknown decision {decision!r}", hint="approve or reject")
        reviewer = _checked_reviewer(reviewer)
        comment = _checked_comment(comment)
        work = self.works.resolve(work_id)
        current = fingerprint(self.lineage_report(work.id))
        if reviewed_fingerprint is not None and reviewed_fingerprint != current:
            raise InvalidInput(
                f"the report you reviewed no longer matches “{work.title}” ({work.id}): the work or its lineage "
                "changed",
                hint=f"write a new one with `studio report {work.id}`, read it and decide again",
            )
        self.reviews.add(work.id, decision, reviewer, comment, report_sha256=current,
                         lineage_sha256=self.lineage_sha256(work.id))
        return self.approval_status(work.id)

    def awaiting_review(self) -> list[ApprovalStatus]:
        """Image works not approved (never reviewed, rejected, or with their approval voided), oldest first."""
        required = self.review_required()
        latest = self.reviews.latest_of_each()
        waiting = []
        for work in self.works.list(kind=WorkKind.image):
            status = _status(work.id, work.title, latest.get(work.id), self.lineage_sha256(work.id), required)
            if status.state != "approved":
                waiting.append(status)
        return waiting


def _status(work_id: str, title: str, latest: ReviewDecision | None, lineage: str, required: bool) -> ApprovalStatus:
    if latest is None:
        state: State = "none"
    elif latest.decision == "rejected":
        state = "rejected"
    else:
        held = latest.lineage_sha256 == lineage and latest.voided_at is None
        state = "approved" if held else "voided"
    return ApprovalStatus(work_id=work_id, state=state, required=required, decision=latest, lineage_sha256=lineage,
                          title=title)


def _license_terms(catalog: LicenseCatalog, license_id: str) -> dict[str, Any]:
    try:
        lic = catalog.get(license_id)
    except NotFound:
        return {"id": license_id, "missing": True}
    return {
        "id": lic.id,
        "name": lic.name,
        "legal_url": lic.legal_url,
        "share_alike": lic.share_alike,
        "attribution_required": lic.attribution_required,
        "use_restrictions": list(lic.use_restrictions),
        "pil": lic.pil.story_fields(),
    }


def _jsonable(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot hash {type(value).__name__}")


def _checked_reviewer(reviewer: str) -> str:
    name = " ".join(str(reviewer or "").split())
    if not name or len(name) > MAX_REVIEWER or not name.isprintable():
        raise InvalidInput(f"invalid reviewer name {reviewer!r}", hint=f"give 1 to {MAX_REVIEWER} printable characters")
    return name


def _checked_comment(comment: str | None) -> str | None:
    if comment is None or not comment.strip():
        return None
    text = comment.strip()
    if len(text) > MAX_COMMENT or not text.replace("\n", " ").replace("\t", " ").isprintable():
        raise InvalidInput(
            "invalid review comment", hint=f"use at most {MAX_COMMENT} printable characters (new lines are fine)"
        )
    return text
