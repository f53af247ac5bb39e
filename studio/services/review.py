"""Studio review: lineage & compliance reports of works, and release approvals bound to what was reviewed.

A decision records the sha256 of the report the reviewer read and a sha256 of the work's lineage: every work
of its ancestry, every edge, and each work's license (its catalogue terms) and own terms. An approval holds
exactly while the lineage hashes the same; a new parent edge or an ancestor's changed license voids it. When
the library requires review (`settings` key `review.required`), `ensure_release_allowed` is the gate that
publishing and export call before anything is signed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from PIL import Image

from studio.core.types import Work, WorkKind
from studio.errors import InvalidInput, LicenseRefused, NotFound, StudioError
from studio.licensing import LicenseCatalog, Reason, check_work
from studio.report import (
    FINGERPRINT_META,
    LineageReport,
    ReportInputs,
    ReviewNote,
    build_report,
    draw_lineage,
    fingerprint,
    render_html,
    report_json,
)
from studio.report import records as report_records
from studio.report.graph_image import COMPACT_ABOVE
from studio.royalty import RoyaltySplit
from studio.services.licensing_view import now
from studio.store.files import write_atomic
from studio.store.output_paths import check_output_path
from studio.store.works import now_iso

if TYPE_CHECKING:
    from studio.services.studio import Studio

REQUIRE_KEY = "review.required"
GRAPH_THUMB = 160
TABLE_THUMB = 112
MAX_REVIEWER = 100
MAX_COMMENT = 2000
MAX_REPORT_FILE = 256 * 1024 * 1024

Decision = Literal["approved", "rejected"]
State = Literal["approved", "rejected", "voided", "none"]
Format = Literal["html", "json"]
_FINGERPRINT = re.compile(rf'<meta name="{FINGERPRINT_META}" content="([0-9a-f]{{64}})"')


class ReleaseNotApproved(LicenseRefused):
    """The library requires a reviewer's approval, and the work has none that still holds."""


@dataclass(frozen=True)
class ReviewDecision:
    id: int
    work_id: str
    decision: Decision
    reviewer: str
    comment: str | None
    report_sha256: str
    lineage_sha256: str
    decided_at: str


@dataclass(frozen=True)
class ApprovalStatus:
    work_id: str
    state: State
    required: bool
    decision: ReviewDecision | None  # the latest decision, whatever it was
    lineage_sha256: str  # the work's lineage now

    @property
    def allows_release(self) -> bool:
        return self.state == "approved" or not self.required

    @property
    def explanation(self) -> str:
        d = self.decision
        if d is None:
            return "No reviewer has decided on this work yet."
        who = f"{d.reviewer} on {d.decided_at}"
        if self.state == "approved":
            return f"Approved by {who}; the lineage is unchanged since."
        if self.state == "rejected":
            return f"Rejected by {who}" + (f": {d.comment}" if d.comment else ".")
        return (
            f"The approval by {who} was voided: the lineage changed since (a new parent, or an ancestor's "
            "license or terms)."
        )


@dataclass(frozen=True)
class RenderedReport:
    report: LineageReport
    text: str
    format: Format
    fingerprint: str


# -- reports ---------------------------------------------------------------------------------------------------


def lineage_report(studio: Studio, ref: str) -> LineageReport:
    """Everything the report states about a work and its ancestry, as values."""
    work = studio.work(ref)
    licensed = studio.licenses.ancestry([work.id])
    moment = now()
    verdicts = {work_id: check_work(work_id, licensed, now=moment, catalog=studio.catalog) for work_id in licensed}
    royalties: dict[str, RoyaltySplit | StudioError] = {}
    for policy in ("lap", "lrp"):
        try:
            royalties[policy] = studio.royalty(work.id, policy)
        except StudioError as exc:  # a split Story would refuse is itself a finding of the report
            royalties[policy] = exc
    status = approval_status(studio, work.id)
    return build_report(
        ReportInputs(
            subject=work,
            works=studio.library.works.get_many(licensed),
            licensed=licensed,
            edges=studio.graph.ancestor_edges(work.id),
            verdicts=verdicts,
            royalties=royalties,
            publications=report_records.publications(studio.library.db, licensed),
            credentials=report_records.credentials(studio.library.db, licensed),
            generated_at=now_iso(),
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


def render_report(studio: Studio, ref: str, fmt: Format = "html") -> RenderedReport:
    if fmt not in ("html", "json"):
        raise InvalidInput(f"unknown report format {fmt!r}", hint="use html or json")
    report = lineage_report(studio, ref)
    if fmt == "json":
        text = report_json(report)
    else:
        works = studio.library.works.get_many(n.id for n in report.nodes)
        graph_thumbs = (
            {wid: img for wid, w in works.items() if (img := _thumbnail_image(studio, w)) is not None}
            if len(report.nodes) <= COMPACT_ABOVE
            else {}
        )
        table_thumbs = {wid: png for wid, w in works.items() if (png := _thumbnail_png(studio, w)) is not None}
        text = render_html(report, draw_lineage(report, graph_thumbs), table_thumbs)
    return RenderedReport(report, text, fmt, fingerprint(report))


def write_report(
    studio: Studio, ref: str, path: Path, fmt: Format | None = None, *, overwrite: bool = False
) -> RenderedReport:
    """Write the report to `path` (format from the suffix when not given: .json, else HTML).

    Refused inside any library folder, and over an existing file unless `overwrite`."""
    chosen: Format = fmt or ("json" if path.suffix.lower() == ".json" else "html")
    path = check_output_path(path, library_root=studio.library.root, overwrite=overwrite)
    rendered = render_report(studio, ref, chosen)
    try:
        write_atomic(path, rendered.text.encode("utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot write the report to {path}: {exc.strerror}") from None
    return rendered


def report_fingerprint_in(path: Path) -> str:
    """The fingerprint recorded in a saved report (HTML or JSON)."""
    try:
        if path.stat().st_size > MAX_REPORT_FILE:
            raise InvalidInput(f"{path} is too large to be a Remix Studio report")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise InvalidInput(
            f"cannot read the report {path}", hint="give the HTML or JSON file `studio report` wrote"
        ) from None
    found: Any = None
    if text.lstrip().startswith("{"):
        try:
            found = json.loads(text).get("fingerprint")
        except (ValueError, AttributeError):
            found = None
    else:
        match = _FINGERPRINT.search(text)
        found = match.group(1) if match else None
    if not isinstance(found, str) or not re.fullmatch(r"[0-9a-f]{64}", found):
        raise InvalidInput(
            f"{path} is not a Remix Studio report", hint="write one with `studio report ID --output FILE`"
        )
    return found


def _thumbnail(studio: Studio, work: Work, size: int) -> Path | None:
    if work.kind is not WorkKind.image or not work.file_path:
        return None
    try:
        return studio.thumbnail(work, size)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a missing or damaged file shows as an empty box, not a failed report


def _thumbnail_image(studio: Studio, work: Work) -> Image.Image | None:
    path = _thumbnail(studio, work, GRAPH_THUMB)
    if path is None:
        return None
    with Image.open(path) as image:
        image.load()
        return image.copy()


def _thumbnail_png(studio: Studio, work: Work) -> bytes | None:
    path = _thumbnail(studio, work, TABLE_THUMB)
    return path.read_bytes() if path is not None else None


# -- the lineage an approval is bound to ----------------------------------------------------------------------


def lineage_sha256(studio: Studio, work_id: str) -> str:
    edges = sorted(
        {(e.child_id, e.parent_id, e.relation.value, e.weight) for e in studio.graph.ancestor_edges(work_id)},
        key=lambda e: (e[0], e[1]),
    )
    ids = {work_id} | {e[0] for e in edges} | {e[1] for e in edges}
    works = studio.library.works.get_many(ids)
    state = {
        "edges": [list(e) for e in edges],
        "works": [
            {
                "id": w.id,
                "sha256": w.sha256,
                "license": _license_terms(studio.catalog, w.license_id),
                "rev_share": w.rev_share,
                "rev_share_override": w.rev_share_override,
                "minting_fee": w.minting_fee,
                "royalty_policy": w.royalty_policy,
            }
            for w in sorted(works.values(), key=lambda w: w.id)
        ],
    }
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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


# -- approvals -------------------------------------------------------------------------------------------------


def review_required(studio: Studio) -> bool:
    row = studio.library.db.one("SELECT value FROM settings WHERE key = ?", (REQUIRE_KEY,))
    return row is not None and row["value"] == "on"


def set_review_required(studio: Studio, required: bool) -> None:
    with studio.library.db.atomic():
        studio.library.db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (REQUIRE_KEY, "on" if required else "off"),
        )


def _decision(row) -> ReviewDecision:
    return ReviewDecision(
        id=row["id"],
        work_id=row["work_id"],
        decision=row["decision"],
        reviewer=row["reviewer"],
        comment=row["comment"],
        report_sha256=row["report_sha256"],
        lineage_sha256=row["lineage_sha256"],
        decided_at=row["decided_at"],
    )


def decisions(studio: Studio, ref: str) -> list[ReviewDecision]:
    """Every decision on the work, oldest first."""
    work = studio.work(ref)
    rows = studio.library.db.query("SELECT * FROM reviews WHERE work_id = ? ORDER BY id", (work.id,))
    return [_decision(row) for row in rows]


def _status(work_id: str, latest: ReviewDecision | None, lineage: str, required: bool) -> ApprovalStatus:
    if latest is None:
        state: State = "none"
    elif latest.decision == "rejected":
        state = "rejected"
    else:
        state = "approved" if latest.lineage_sha256 == lineage else "voided"
    return ApprovalStatus(work_id=work_id, state=state, required=required, decision=latest, lineage_sha256=lineage)


def approval_status(studio: Studio, work_id: str) -> ApprovalStatus:
    work = studio.work(work_id)
    row = studio.library.db.one("SELECT * FROM reviews WHERE work_id = ? ORDER BY id DESC LIMIT 1", (work.id,))
    latest = _decision(row) if row is not None else None
    return _status(work.id, latest, lineage_sha256(studio, work.id), review_required(studio))


def record_decision(
    studio: Studio,
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
    work = studio.work(work_id)
    current = fingerprint(lineage_report(studio, work.id))
    if reviewed_fingerprint is not None and reviewed_fingerprint != current:
        raise InvalidInput(
            f"the report you reviewed no longer matches “{work.title}” ({work.id}): the work or its lineage changed",
            hint=f"write a new one with `studio report {work.id}`, read it and decide again",
        )
    with studio.library.db.atomic():
        studio.library.db.execute(
            "INSERT INTO reviews (work_id, decision, reviewer, comment, report_sha256, lineage_sha256, decided_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (work.id, decision, reviewer, comment, current, lineage_sha256(studio, work.id), now_iso()),
        )
    return approval_status(studio, work.id)


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


def awaiting_review(studio: Studio) -> list[ApprovalStatus]:
    """Image works not approved (never reviewed, rejected, or with their approval voided), oldest first."""
    required = review_required(studio)
    latest = {
        row["work_id"]: _decision(row)
        for row in studio.library.db.query(
            "SELECT * FROM reviews WHERE id IN (SELECT max(id) FROM reviews GROUP BY work_id)"
        )
    }
    waiting = []
    for work in studio.works(kind=WorkKind.image):
        status = _status(work.id, latest.get(work.id), lineage_sha256(studio, work.id), required)
        if status.state != "approved":
            waiting.append(status)
    return waiting


def ensure_release_allowed(studio: Studio, work_id: str) -> ApprovalStatus:
    """Refuse (ReleaseNotApproved) when the library requires review and the work's approval is missing,
    voided by a lineage change, or was a rejection; otherwise return the status."""
    status = approval_status(studio, work_id)
    if status.allows_release:
        return status
    work = studio.work(status.work_id)
    name = f"“{work.title}” ({work.id})"
    d = status.decision
    if status.state == "voided" and d is not None:
        code = "release_approval_voided"
        message = (
            f"the approval of {name} by {d.reviewer} on {d.decided_at} was voided: its lineage changed since "
            "(a new parent, or an ancestor's license or terms)"
        )
        hint = f"review the new report (`studio report {work.id}`) and approve it again"
    elif status.state == "rejected" and d is not None:
        code = "release_rejected"
        said = f": {' '.join(d.comment.split())}" if d.comment else ""
        message = f"{name} was rejected by {d.reviewer} on {d.decided_at}{said}"
        hint = "address the reviewer's comment, then ask for a new review"
    else:
        code = "release_not_approved"
        message = f"{name} needs a reviewer's approval before it is released (this library requires review)"
        hint = f"read `studio report {work.id}`, then run `studio review approve {work.id} --reviewer NAME`"
    reason = Reason(code=code, message=message, work_id=work.id, severity="block", scope="publish")
    raise ReleaseNotApproved(message, [reason], hint=hint)
