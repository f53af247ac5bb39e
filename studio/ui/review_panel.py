"""The Review tab: the works waiting for a reviewer, the lineage & compliance report of the one under review,
Approve / Reject bound to the report on screen, and the library's "approval before publishing" switch."""

from __future__ import annotations

import re
from html import escape

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFont, QFontMetrics, QHideEvent, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from studio.app.review_model import (
    MAX_COMMENT,
    MAX_REVIEWER,
    OWN_WORK,
    Decision,
    DecisionOutcome,
    ReviewModel,
    WaitingRole,
    WaitingWork,
    WorkIdRole,
)
from studio.app.session import StudioSession
from studio.ui.theme import ALLOWED, REFUSED, WARNED

VERDICT_CODE = re.compile(r'<span class="code">\([^<]*\)</span>')
PLACEHOLDER = "<p style='color:gray'><i>Select a work waiting for review to read its lineage &amp; compliance report."
BUILDING = "<p style='color:gray'><i>Building the report…</i></p>"
PAD = 4
STATE_COLOURS = {"rejected": REFUSED, "voided": WARNED}


class WaitingDelegate(QStyledItemDelegate):
    """A waiting work as its title in bold over its review state, coloured when a decision stands against it."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(0, 2 * option.fontMetrics.lineSpacing() + 2 * PAD)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        row: WaitingWork | None = index.data(WaitingRole)
        if row is None:
            return
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)  # background
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text = palette.highlightedText().color() if selected else palette.text().color()
        rect = option.rect.adjusted(PAD, PAD, -PAD, -PAD)
        line = option.fontMetrics.lineSpacing()
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text)
        title = QFontMetrics(bold).elidedText(row.title, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect.adjusted(0, 0, 0, -line), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, title)
        painter.setFont(option.font)
        colour = STATE_COLOURS.get(row.state, palette.placeholderText().color())
        painter.setPen(text if selected else colour)
        state = option.fontMetrics.elidedText(row.state_text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect.adjusted(0, line, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, state)
        painter.restore()


class ReviewPanel(QWidget):
    def __init__(self, session: StudioSession, reviewer: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = ReviewModel(session, self)
        self.required = QCheckBox("Require approval before publishing")
        self.required.setToolTip(
            "When on, a work is published on Story or exported only after a reviewer approved its current lineage."
        )
        self.count = QLabel()
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAlternatingRowColors(True)
        self.list.setItemDelegate(WaitingDelegate(self.list))
        self.report = QTextBrowser()
        self.report.setOpenLinks(False)  # a report's links are licenses on the web: the browser opens them
        self.report.anchorClicked.connect(_open_external)
        self.report.setHtml(PLACEHOLDER)
        # A team library's work: who made it and who decided on it last (the database's names for its members).
        self.credit = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.credit.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.credit.hide()
        self.reviewer = QLineEdit(reviewer or "", placeholderText="Your name")
        self._default_reviewer = reviewer or ""
        self.comment = QLineEdit(placeholderText="Comment: what to fix, or why it may be released")
        self.comment.setMaxLength(MAX_COMMENT)
        self.reviewer.setMaxLength(MAX_REVIEWER)
        self.approve = QPushButton("Approve")
        self.reject = QPushButton("Reject")
        self.message = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(self.credit)
        details_layout.addWidget(self.report, 1)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        # Short minimums keep the window's own minimum size where the other tabs put it.
        self.list.setMinimumHeight(48)
        self.report.setMinimumHeight(64)
        # The comment has a row of its own, wide enough for what it asks; the name and the decision below it.
        self.comment.setMinimumWidth(self.comment.fontMetrics().horizontalAdvance(self.comment.placeholderText()) + 16)
        decision = QHBoxLayout()
        decision.addWidget(self.reviewer, 1)
        decision.addStretch(1)
        decision.addWidget(self.reject)
        decision.addWidget(self.approve)
        layout = QVBoxLayout(self)
        layout.addWidget(self.required, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.count)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.comment)
        layout.addLayout(decision)
        layout.addWidget(self.message)

        self._shown_id: str | None = None
        self.list.selectionModel().currentChanged.connect(self._picked)
        self.model.listed.connect(self._listed)
        self.model.current_changed.connect(self._select_current)
        self.model.report_changed.connect(self._show_report)
        self.model.decided.connect(self._decided)
        self.model.refused.connect(lambda text: self._say(text, REFUSED))
        self.model.failed.connect(lambda text: self._say(text, REFUSED))
        self.required.toggled.connect(self.model.set_required)
        self.reviewer.textChanged.connect(self._update_buttons)
        self.approve.clicked.connect(lambda: self.decide("approved"))
        self.reject.clicked.connect(lambda: self.decide("rejected"))
        session.selection_changed.connect(self._follow_gallery)
        session.library_changed.connect(self._sync_required)
        self._sync_required()
        self._follow_gallery()
        self._listed()
        self._update_buttons()

    # -- the tab is read only while on screen -------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.model.set_active(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.model.set_active(False)

    def close_model(self) -> None:
        """The library is closing: ask for nothing more."""
        self.model.close()
        self._update_buttons()

    # -- deciding -----------------------------------------------------------------------------------------
    def decide(self, decision: Decision) -> int | None:
        comment = self.comment.text()
        job = self.model.decide(decision, self.reviewer.text(), comment or None)
        if job is not None:
            self._say("Recording the approval…" if decision == "approved" else "Recording the rejection…", None)
        self._update_buttons()
        return job

    def set_default_reviewer(self, name: str | None) -> None:
        """The creator name from the settings; it replaces the reviewer only where the user has not typed one."""
        if self.reviewer.text() in ("", self._default_reviewer):
            self.reviewer.setText(name or "")
        self._default_reviewer = name or ""

    def _decided(self, outcome: DecisionOutcome) -> None:
        status = outcome.status
        assert status is not None and status.decision is not None
        title = escape(outcome.report.title)
        if status.state == "approved":
            self._say(f"Approved “{title}” as {escape(status.decision.reviewer)}.", ALLOWED)
        else:
            self._say(f"Rejected “{title}”; it stays in the list until approved.", REFUSED)
        self.comment.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self.model.can_decide() and bool(self.reviewer.text().strip())
        own = self.model.report is not None and self.model.report.own
        for button in (self.approve, self.reject):
            button.setEnabled(ready)
            button.setToolTip(OWN_WORK if own else "")

    def _say(self, text: str, colour: QColor | None) -> None:
        self.message.setText(text if colour is None else f"<span style='color:{colour.name()}'>{escape(text)}</span>")
        self._update_buttons()

    # -- the list and the report --------------------------------------------------------------------------
    def _picked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        work_id = current.data(WorkIdRole) if current.isValid() else None
        if work_id is not None and work_id != self.model.current_id:
            self.message.clear()
            self.model.show(work_id)

    def _select_current(self) -> None:
        row = self.model.row_of(self.model.current_id)
        selection = self.list.selectionModel()
        if row is None:
            selection.clearSelection()
            return
        index = self.model.index(row)
        if selection.currentIndex() != index:
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list.scrollTo(index)

    def _listed(self) -> None:
        n = self.model.rowCount()
        self.count.setText(f"{n} work{'s' if n != 1 else ''} waiting for review" if n else "No work waits for review")
        self._select_current()

    def _show_report(self) -> None:
        shown = self.model.report
        self.credit.setText(shown.credit if shown is not None else "")
        self.credit.setVisible(bool(shown is not None and shown.credit))
        if shown is not None and shown.own:
            self._say(OWN_WORK, WARNED)
        if shown is None:
            self.report.setHtml(BUILDING if self.model.current_id is not None else PLACEHOLDER)
            self._shown_id = None
        else:
            # The same work's report rebuilt after a change keeps the reader's place in it.
            bar = self.report.verticalScrollBar()
            keep = bar.value() if shown.work_id == self._shown_id else 0
            # Qt's rich text has no flex gap: a space keeps the report's verdict pills apart.
            # The verdicts' internal codes are for the exported report's readers and tools, not for reading here.
            html = VERDICT_CODE.sub("", shown.html)
            self.report.setHtml(html.replace('</span><span class="pill', '</span> <span class="pill'))
            bar.setValue(keep)
            self._shown_id = shown.work_id
        self._update_buttons()

    def _follow_gallery(self) -> None:
        current = self.session.current()
        if current is not None:
            self.model.follow(current.id)

    def _sync_required(self) -> None:
        if self.model.closed:
            return
        self.required.blockSignals(True)
        self.required.setChecked(self.model.required())
        self.required.blockSignals(False)


def _open_external(url: QUrl) -> None:
    if url.scheme() in ("http", "https"):
        QDesktopServices.openUrl(url)
