"""The Review tab's view-model: the works waiting for a reviewer, the lineage & compliance report of the one under
review, and decisions bound to the report that was shown.

Listing the waiting works hashes every image work's lineage and a report draws a graph with thumbnails, so both
run as jobs with their own connection, and only while the tab is on screen (a hidden tab remembers what it has to
do and does it when shown). A decision is recorded in a job too, against the fingerprint of the report on screen:
when the lineage changed since, nothing is recorded and the new report takes its place, for the reviewer to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from studio.app.session import StudioSession
from studio.app.workers import TaskContext
from studio.errors import InvalidInput
from studio.report import ReviewNote
from studio.services import Studio
from studio.services.review import MAX_COMMENT as MAX_COMMENT
from studio.services.review import MAX_REVIEWER as MAX_REVIEWER
from studio.services.review import ApprovalStatus, Decision

WorkIdRole = Qt.ItemDataRole.UserRole + 1
StateRole = Qt.ItemDataRole.UserRole + 2
WaitingRole = Qt.ItemDataRole.UserRole + 3

STATE_TEXT = {
    "none": "not reviewed yet",
    "voided": "approval voided: the lineage changed",
    "rejected": "rejected",
    "approved": "approved",
}

Index = QModelIndex | QPersistentModelIndex


OWN_WORK = "You made this work: another reviewer decides on it (the team library refuses your own decision)."


@dataclass(frozen=True)
class WaitingWork:
    work_id: str
    title: str
    state: str  # none | voided | rejected
    explanation: str
    made_by: str | None = None  # a team library's member; None on a local library
    own: bool = False  # made by the member reviewing: theirs to wait on, not to decide

    @property
    def state_text(self) -> str:
        """The list's second line: the state, and on a team library who made the work."""
        text = STATE_TEXT.get(self.state, self.state)
        if self.own:
            return f"{text} · made by you: not yours to review"
        return f"{text} · made by {self.made_by}" if self.made_by else text


@dataclass(frozen=True)
class ShownReport:
    """A report as the reviewer reads it: the page, and the fingerprint a decision on it is bound to."""

    work_id: str
    title: str
    html: str
    fingerprint: str
    review: ReviewNote | None
    credit: str = ""  # on a team library: who made the work and who decided on it last
    own: bool = False  # the reviewing member made it (the team library refuses their decision)


@dataclass(frozen=True)
class DecisionOutcome:
    status: ApprovalStatus | None  # what was recorded; None when the decision was refused
    report: ShownReport  # the work's report after the decision (the new one when refused)
    refused: str | None = None


@dataclass(frozen=True)
class WaitingList:
    works: tuple[WaitingWork, ...]


def waiting_works(studio: Studio) -> WaitingList:
    """The works a reviewer still has to decide on; a work already published on a network was released, so it no
    longer waits (the gate applies before publishing)."""
    released = {p.work_id for p in studio.journal.list(states=("confirmed",))}
    statuses = [s for s in studio.review.awaiting_review() if s.work_id not in released]
    works = studio.library.works
    titles = works.get_many(s.work_id for s in statuses)
    makers = works.makers(s.work_id for s in statuses)
    member = studio.library.member
    return WaitingList(tuple(
        WaitingWork(s.work_id, titles[s.work_id].title, s.state, s.explanation, made_by=makers.get(s.work_id),
                    own=member is not None and makers.get(s.work_id) == member)
        for s in statuses
    ))


def work_credit(studio: Studio, work_id: str) -> str:
    """Who made the work and where its latest decision stands, by the team library's members (the names its
    database recorded, not the ones typed); empty on a local library, which records no members."""
    if studio.library.member is None:
        return ""
    made_by = studio.library.works.makers([work_id]).get(work_id)
    parts = [f"made by {made_by}" if made_by else "maker not recorded"]
    status = studio.review.status(work_id)
    decision = status.decision
    if decision is None:
        parts.append("not reviewed yet")
    else:
        who = decision.decided_by or decision.reviewer
        if decision.decision == "rejected":
            parts.append(f"rejected by {who} at {decision.decided_at}")
        elif decision.voided_by:
            parts.append(f"approval by {who} voided by {decision.voided_by}'s change at {decision.voided_at}")
        elif status.state == "voided":
            parts.append(f"approval by {who} voided: the lineage changed since")
        else:
            parts.append(f"approved by {who} at {decision.decided_at}")
    return " · ".join(parts)


def shown_report(studio: Studio, work_id: str) -> ShownReport:
    rendered = studio.review.render_report(work_id, "html")
    member = studio.library.member
    own = member is not None and studio.library.works.makers([work_id]).get(work_id) == member
    return ShownReport(work_id, rendered.report.title, rendered.text, rendered.fingerprint, rendered.report.review,
                       credit=work_credit(studio, work_id), own=own)


def decide_on(
    studio: Studio, work_id: str, decision: Decision, reviewer: str, comment: str | None, fingerprint: str
) -> DecisionOutcome:
    """Record the decision bound to `fingerprint`; a lineage changed since refuses it with the new report."""
    try:
        status = studio.review.record_decision(work_id, decision, reviewer, comment, reviewed_fingerprint=fingerprint)
    except InvalidInput as exc:
        fresh = shown_report(studio, work_id)
        if fresh.fingerprint == fingerprint:
            raise  # the reviewer's name or comment, not the lineage
        return DecisionOutcome(
            None, fresh, f"Not recorded: {exc.message}. The new report is shown; read it and decide again."
        )
    return DecisionOutcome(status, shown_report(studio, work_id))


class ReviewModel(QAbstractListModel):
    listed = Signal()  # the waiting list was read again
    current_changed = Signal()  # another work is under review (chosen in the tab, or followed from the gallery)
    report_changed = Signal()  # `report` was replaced (None while the current work's report is being built)
    decided = Signal(object)  # the DecisionOutcome of a decision just recorded
    refused = Signal(str)  # a decision that was not recorded, and why
    failed = Signal(str)  # the list or a report could not be read

    def __init__(self, session: StudioSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.rows: list[WaitingWork] = []
        self.current_id: str | None = None
        self.report: ShownReport | None = None
        self._active = False
        self._closed = False
        self._list_stale = True
        self._report_stale = False
        self._follow: str | None = None
        self._list_job: int | None = None
        self._list_again = False
        self._report_job: int | None = None
        self._decision_job: int | None = None
        session.jobs.job_finished.connect(self._job_finished)
        session.jobs.job_failed.connect(self._job_failed)
        session.library_changed.connect(self._library_changed)
        session.live_changes.connect(self._live_changes)

    # -- Qt model API -------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.title} — {row.state_text}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.title} ({row.work_id})\n{row.explanation}" + (f"\n{OWN_WORK}" if row.own else "")
        if role == WorkIdRole:
            return row.work_id
        if role == StateRole:
            return row.state
        if role == WaitingRole:
            return row
        return None

    def roleNames(self) -> dict[int, bytes]:
        names = dict(super().roleNames())
        names.update({WorkIdRole: b"workId", StateRole: b"state", WaitingRole: b"waiting"})
        return names

    def row_of(self, work_id: str | None) -> int | None:
        return next((n for n, row in enumerate(self.rows) if row.work_id == work_id), None)

    # -- what the tab asks --------------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def can_decide(self) -> bool:
        return (
            not self._closed
            and self._decision_job is None
            and self.report is not None
            and self.report.work_id == self.current_id
            and not self.report.own
        )

    def set_active(self, active: bool) -> None:
        """The tab is on screen (True) or hidden; a hidden tab defers listing and reports until it is shown."""
        self._active = active
        if active and not self._closed:
            if self._list_stale:
                self.refresh()
            if self._report_stale:
                self._load_report()

    def refresh(self) -> None:
        """Read the waiting list again (one listing at a time; a request meanwhile lists once more after it)."""
        if self._closed:
            return
        if not self._active:
            self._list_stale = True
            return
        self._list_stale = False
        if self._list_job is not None:
            self._list_again = True
            return
        self._list_job = self.session.submit("review-list", "List the works waiting for review", _list_task)

    def show(self, work_id: str | None) -> None:
        """Put a work under review: its report is built in a job (None shows nothing)."""
        self._follow = None  # a work chosen since outranks a gallery selection still waiting to be followed
        if work_id == self.current_id or self._closed:
            return
        self.current_id = work_id
        self.report = None
        self.current_changed.emit()
        self.report_changed.emit()
        self._load_report()

    def follow(self, work_id: str | None) -> None:
        """The gallery's selection: reviewed when it is waiting for review (now, or once a list read later has it)."""
        if self.row_of(work_id) is not None:
            self.show(work_id)
        else:
            self._follow = work_id

    def decide(self, decision: Decision, reviewer: str, comment: str | None = None) -> int | None:
        """Record a decision on the report shown; None when no report is shown or a decision is in flight."""
        if not self.can_decide():
            return None
        shown = self.report
        assert shown is not None
        verb = "Approve" if decision == "approved" else "Reject"

        def task(ctx: TaskContext, studio: Studio) -> DecisionOutcome:
            return decide_on(studio, shown.work_id, decision, reviewer, comment, shown.fingerprint)

        self._decision_job = self.session.submit("review-decision", f"{verb} “{shown.title}”", task)
        return self._decision_job

    def required(self) -> bool:
        return self.session.studio.review.review_required()

    def set_required(self, required: bool) -> None:
        """Whether publishing and export wait for an approval; the report shown says so once rebuilt."""
        if self._closed or required == self.required():
            return
        self.session.studio.review.set_review_required(required)
        self._load_report()

    def close(self) -> None:
        """Stop asking for jobs (the session is closing); results still in flight are dropped."""
        self._closed = True
        self._list_job = self._report_job = self._decision_job = None

    # -- jobs ---------------------------------------------------------------------------------------------
    def _live_changes(self, changes: Any) -> None:
        # Another machine's review decision, new work or lineage change: the queue and the report are read again.
        if changes.tables & {"works", "edges", "reviews"}:
            self._library_changed()

    def _library_changed(self) -> None:
        self.refresh()
        self._load_report()  # the lineage may have changed; the report on screen stays until the new one

    def _load_report(self) -> None:
        if self._report_job is not None:
            self.session.jobs.cancel(self._report_job)
            self._report_job = None
        work_id = self.current_id
        if work_id is None or self._closed:
            return
        if not self._active:
            self._report_stale = True
            return
        self._report_stale = False
        row = self.row_of(work_id)
        title = self.rows[row].title if row is not None else work_id

        def task(ctx: TaskContext, studio: Studio) -> ShownReport:
            return shown_report(studio, work_id)

        self._report_job = self.session.submit("review-report", f"Report on “{title}”", task)

    def _job_finished(self, job_id: int, result: Any) -> None:
        if job_id == self._list_job:
            self._list_job = None
            if self._list_again:  # the library changed while listing: this list may already be outdated
                self._list_again = False
                self.refresh()
                return
            self._set_rows(list(result.works))
        elif job_id == self._report_job:
            self._report_job = None
            self.report = result
            self.report_changed.emit()
        elif job_id == self._decision_job:
            self._decision_job = None
            outcome: DecisionOutcome = result
            if outcome.report.work_id == self.current_id:
                self.report = outcome.report
                self.report_changed.emit()
            if outcome.status is not None:
                self.decided.emit(outcome)
            else:
                self.refused.emit(outcome.refused or "")
            self.refresh()

    def _job_failed(self, job_id: int, message: str) -> None:
        if job_id == self._list_job:
            self._list_job = None
            self._list_again = False
            self.failed.emit(message)
        elif job_id == self._report_job:
            self._report_job = None
            self.failed.emit(message)
        elif job_id == self._decision_job:
            self._decision_job = None
            self.refused.emit(message)

    def _set_rows(self, rows: list[WaitingWork]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()
        self.listed.emit()
        if self._follow is not None and self.row_of(self._follow) is not None:
            self.show(self._follow)


def _list_task(ctx: TaskContext, studio: Studio) -> WaitingList:
    return waiting_works(studio)
