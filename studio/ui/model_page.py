"""Model: the page of the selected model or LoRA (the built-in emoji model included). What it was trained on
(the collection, its member count and training-set hash, the base model a LoRA adapts), the data's creators with
their work counts, and, where the model and its training set are published on the library's network, their IPs
and what the data's creators will receive from the training set's group.

The library's facts are a few grouped queries, read on the GUI thread when the selection changes. What the
creators earned is read from the chain by a job of the window's queue, only while the page is on screen; a
network that cannot be reached is one line on the page. "Publish on Story…" opens the publish dialog for the
model (its training set's group goes first when it is not on the network yet).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from studio.app.amount_fields import wip_short, wip_text
from studio.app.model_facts import (
    NO_CREATOR,
    EarningsRead,
    ModelFacts,
    ModelPageModel,
    StoryFacts,
    StoryPlace,
    shared_pictures_note,
)
from studio.app.rows_model import RowsModel, SortRole
from studio.app.session import StudioSession
from studio.app.values import StudioError, WorkKind
from studio.ui.publish_dialog import PublishDialog
from studio.ui.theme import REFUSED

if TYPE_CHECKING:
    from studio.app.model_facts import TrainingEarnings

# A chain read the window does for itself: the jobs list does not show it (see studio.app.jobs).
EARNINGS_JOB_KIND = "publish-check"
TABLE_ROWS = 10  # creators visible at once; the rest scroll


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _amount_cell(wei: int) -> tuple[str, int, str]:
    """Rounded in the cell, exact in its tooltip, sorted by the wei."""
    return wip_short(wei), wei, f"{wip_text(wei)} ({wei:,} wei)"


def _table(model: RowsModel, parent: QWidget) -> QTableView:
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SortRole)
    view = QTableView(parent)
    view.setModel(proxy)
    # Unsorted at first: the rows keep the order they are given in (most first, ties by name) until a header click.
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    # Names and amounts both shown whole: each column as wide as its content, the last taking what is left.
    for column in range(model.columnCount()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    view.setMinimumHeight(view.verticalHeader().defaultSectionSize() * (TABLE_ROWS + 1) + 4)
    return view


class ModelPage(QScrollArea):
    def __init__(self, session: StudioSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.page = ModelPageModel(session)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.setWidget(body)
        self.heading = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        # The way here without the gallery's filter: every model and LoRA of the library.
        self.picker = QComboBox()
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(24)
        self.picker.activated.connect(self._picked)
        self.publish_button = QPushButton("Publish on Story…")
        self.publish_button.setToolTip("Publish the model and, when it is not there yet, its training set as a group")
        self.publish_button.clicked.connect(self.open_publish)
        self.publish_dialog: PublishDialog | None = None

        self.training_box = QGroupBox("Training set")
        self.set_title = QLabel(wordWrap=True)
        self.set_count = QLabel(wordWrap=True)
        # 64 hex digits do not wrap: a read-only field scrolls and copies them without widening the page.
        self.set_hash = QLineEdit(readOnly=True, frame=False)
        self.set_hash.setFont(QFont("monospace"))
        self.base = QLabel(wordWrap=True)
        form = QFormLayout(self.training_box)
        form.addRow("Collection", self.set_title)
        form.addRow("Works", self.set_count)
        form.addRow("Training-set hash", self.set_hash)
        form.addRow("Base model", self.base)

        self.creators_box = QGroupBox("The data's creators")
        self.credit = QLabel(wordWrap=True)
        self.creators = RowsModel(["Creator", "Works", "License"], numeric=(1,), parent=self)
        self.creators_view = _table(self.creators, self)
        creators_layout = QVBoxLayout(self.creators_box)
        creators_layout.addWidget(self.credit)
        creators_layout.addWidget(self.creators_view)

        self.story_box = QGroupBox("On Story")
        self.ips = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True, openExternalLinks=True)
        self.ips.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.earnings_note = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.earnings = RowsModel(["Creator", "Works in the group", "Will receive", "In their vaults"],
                                  numeric=(1, 2, 3), parent=self)
        self.earnings_view = _table(self.earnings, self)
        self.read_again = QPushButton("Read again")
        self.read_again.clicked.connect(self.read_earnings)
        story_layout = QVBoxLayout(self.story_box)
        story_layout.addWidget(self.ips)
        story_layout.addWidget(self.earnings_note)
        story_layout.addWidget(self.earnings_view)
        story_layout.addWidget(self.read_again, 0, Qt.AlignmentFlag.AlignLeft)

        layout = QVBoxLayout(body)
        picker_row = QHBoxLayout()
        picker_row.addWidget(QLabel("Model or LoRA"))
        picker_row.addWidget(self.picker, 1)
        layout.addLayout(picker_row)
        layout.addWidget(self.heading)
        layout.addWidget(self.publish_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.training_box)
        layout.addWidget(self.creators_box)
        layout.addWidget(self.story_box)
        layout.addStretch(1)

        self.facts: ModelFacts | None = None
        self.earnings_read: EarningsRead | None = None
        self._earnings_job: int | None = None
        self._earnings_wanted = False  # a read waits for the page to be shown
        session.selection_changed.connect(self.refresh)
        session.library_changed.connect(self.refresh)
        session.live_changes.connect(self._live_changes)
        session.jobs.job_finished.connect(self._job_finished)
        session.jobs.job_failed.connect(self._job_failed)
        self.refresh()

    # -- the library's facts --------------------------------------------------------------------------------
    def _fill_picker(self, current: str | None) -> None:
        models = self.page.models()
        self.picker.blockSignals(True)
        self.picker.clear()
        self.picker.addItem("Choose a model or LoRA…", None)
        for work in sorted(models, key=lambda w: (w.kind is not WorkKind.model, w.title.casefold())):
            kind = "LoRA" if work.kind is WorkKind.lora else "model"
            self.picker.addItem(f"{work.title} ({kind})", work.id)
        self.picker.setCurrentIndex(max(0, self.picker.findData(current)))
        self.picker.blockSignals(False)

    def _picked(self, index: int) -> None:
        work_id = self.picker.itemData(index)
        if work_id is not None:
            self.session.select([work_id])

    def _live_changes(self, changes: Any) -> None:
        # A model another machine added to the team library, or a publication of one.
        if changes.tables & {"models", "publications"}:
            self.refresh()

    def refresh(self) -> None:
        work = self.session.current()
        self._fill_picker(work.id if work is not None else None)
        try:
            facts = self.page.facts(work) if work is not None else None
        except StudioError as exc:
            self._show_nothing(f"<span style='color:{REFUSED.name()}'>{_escape(str(exc))}</span>")
            return
        if facts is None:
            self._show_nothing("<i>Choose a model or LoRA above (or select one in the gallery) to see what it was "
                               "trained on and who made its data.</i>")
            return
        changed = self.facts is None or self.facts.model.id != facts.model.id
        self.facts = facts
        model = facts.model
        who = f" by {_escape(model.creator)}" if model.creator else ""
        kind = "LoRA" if model.kind.value == "lora" else "Model"
        license_name = _escape(self.page.license_name(model.license_id))
        self.heading.setText(f"<h3 style='margin:0'>{_escape(model.title)}</h3>{kind}{who} · {license_name}")
        if changed:
            self._clear_earnings()
        self._show_training(facts)
        self._show_story(facts.story)
        published_on = facts.story.network if facts.story is not None and facts.story.model is not None else None
        self.publish_button.setVisible(True)
        self.publish_button.setEnabled(published_on is None)
        self.publish_button.setText("Publish on Story…" if published_on is None else f"Published on {published_on}")
        for box in (self.training_box, self.creators_box):
            box.setVisible(True)
        if facts.story is not None and facts.story.published and (changed or self.earnings_read is None):
            self._want_earnings()

    def _show_nothing(self, text: str) -> None:
        self.facts = None
        self.heading.setText(text)
        self.publish_button.setVisible(False)
        for box in (self.training_box, self.creators_box, self.story_box):
            box.setVisible(False)
        self.creators.set_rows([])
        self._clear_earnings()

    def _show_training(self, facts: ModelFacts) -> None:
        summary = facts.training_set
        self.credit.setText(facts.credit_line())
        self.base.setText(f"{facts.base.title} (fine-tuned from it)" if facts.base is not None else "none recorded")
        if summary is None:
            for label in (self.set_title, self.set_count, self.set_hash):
                label.setText("—")
            self.creators.set_rows([])
            self.creators_view.setVisible(False)
            return
        more = f" (and {facts.other_sets} more)" if facts.other_sets else ""
        self.set_title.setText(summary.work.title + more)
        self.set_title.setToolTip(summary.work.id)
        plural = "s" if summary.creators != 1 else ""
        note = shared_pictures_note(summary.work)
        count = f"{summary.count:,} by {summary.creators:,} creator{plural}"
        self.set_count.setText(count + (f"\n{note}" if note else ""))
        self.set_hash.setText(summary.members_sha256)
        self.set_hash.setCursorPosition(0)  # its start in view, as it is read
        self.creators.set_rows([
            [row.name if row.creator else (NO_CREATOR, ""), (f"{row.works:,}", row.works), ", ".join(row.licenses)]
            for row in facts.creators
        ])
        self.creators_view.setVisible(True)

    def _show_story(self, story: StoryFacts | None) -> None:
        self.story_box.setVisible(story is not None)
        if story is None:
            return
        self.story_box.setTitle(f"On Story ({story.network})")
        lines = [
            f"Training set: {self._place_html('group IP', story.group, 'not a group on ' + story.network)}",
            f"Model: {self._place_html('IP', story.model, 'not published on ' + story.network)}",
        ]
        if story.group is not None:
            lines.append(f"{story.members_added:,} of the set's works are members of the group; the others are "
                         "credited in its metadata.")
        self.ips.setText("<br>".join(lines))
        self.read_again.setVisible(story.published)
        if not story.published:
            self._note("The data's creators earn on Story once the model and its training set are "
                                       "published there.")

    def open_publish(self) -> PublishDialog | None:
        """The publish dialog for the model: its plan puts the training set's group first when it is not on the
        network yet; publishing runs on the window's job queue, and the page reads itself again when it is done."""
        if self.facts is None:
            return None
        self.publish_dialog = PublishDialog(self.session, self.facts.model, self.window())
        self.publish_dialog.open()
        return self.publish_dialog

    @staticmethod
    def _place_html(what: str, place: StoryPlace | None, missing: str) -> str:
        if place is None:
            return f"<i>{_escape(missing)}</i>"
        if place.explorer_url:
            return f"{what} <a href='{place.explorer_url}'>{place.ip_id}</a>"
        return f"{what} {place.ip_id} <span style='color:gray'>(no block explorer: a local chain)</span>"

    # -- what the creators earned (a job) -------------------------------------------------------------------
    def _clear_earnings(self) -> None:
        self.earnings_read = None
        self._earnings_wanted = False
        self.earnings.set_rows([])
        self.earnings_view.setVisible(False)
        self._note("")

    def _want_earnings(self) -> None:
        self._earnings_wanted = True
        if self.isVisible():
            self.read_earnings()
        else:
            self._note("What the data's creators will receive is read when this page is shown.")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._earnings_wanted and self._earnings_job is None:
            self.read_earnings()

    def read_earnings(self) -> int | None:
        """Read what the data's creators will receive, on the io lane; returns the job's id."""
        facts = self.facts
        if facts is None or facts.story is None or facts.training_set is None or not facts.story.published:
            return None
        self._earnings_wanted = False
        self._note(f"Reading what the data's creators will receive on {facts.story.network}…")
        self._earnings_job = self.page.read_earnings(facts, EARNINGS_JOB_KIND)
        return self._earnings_job

    def _job_finished(self, job_id: int, result: Any) -> None:
        if job_id != self._earnings_job:
            return
        self._earnings_job = None
        if not isinstance(result, EarningsRead) or self.facts is None or result.model_id != self.facts.model.id:
            return  # another model was selected meanwhile
        self.earnings_read = result
        if result.earnings is None:
            self._note(result.problem or "", problem=True)
            self.earnings_view.setVisible(False)
            return
        self.show_earnings(result.earnings)

    def _job_failed(self, job_id: int, message: str) -> None:
        if job_id == self._earnings_job:
            self._earnings_job = None
            self._note(message, problem=True)

    def _note(self, text: str, *, problem: bool = False) -> None:
        self.earnings_note.setText(text)
        self.earnings_note.setToolTip("")
        self.earnings_note.setStyleSheet(f"color: {REFUSED.name()}" if problem else "")

    def show_earnings(self, earnings: TrainingEarnings) -> None:
        """The note above the table in rounded amounts (exact ones in its tooltip), then one row per creator."""
        n = len(earnings.creators)
        if not earnings.members:
            self._note("No work of the training set is a member of the group yet: there is nothing "
                                       "for its creators to receive.")
        else:
            members = f"{earnings.members:,} works by {n:,} creator{'s' if n != 1 else ''} are members of the group"
            if earnings.claimable:
                coming = (f"they will receive {wip_short(earnings.claimable)} more in all once the group's "
                          "royalties are collected and paid into their vaults")
            else:
                coming = "the group holds nothing more for them now"
            held = (f"their vaults hold {wip_short(earnings.in_vaults)} for them to claim now"
                    if earnings.in_vaults else "nothing waits in their vaults yet")
            self._note(f"{members}; {coming}, and {held}.")
            self.earnings_note.setToolTip(
                f"Exact amounts: {wip_text(earnings.claimable)} ({earnings.claimable:,} wei) to receive, "
                f"{wip_text(earnings.in_vaults)} ({earnings.in_vaults:,} wei) in their vaults.")
        self.earnings.set_rows([
            [c.creator or (NO_CREATOR, ""), (f"{c.members:,}", c.members), _amount_cell(c.claimable),
             _amount_cell(c.in_vaults)]
            for c in earnings.creators
        ])
        self.earnings_view.setVisible(bool(earnings.creators))
