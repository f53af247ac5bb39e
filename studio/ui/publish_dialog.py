"""Publishing the selected work on Story: the network, the wallet and its balance, the terms (chosen for a root
work, inherited by a remix), the fees and the split, then a confirmation, progress and the result.

Everything that talks to the network or the keyring runs as a job with its own connection to the library; the
dialog only shows what the publishing service planned and answered.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.app.amount_fields import balance_text
from studio.app.publish_model import PublishCheck, PublishModel, PublishOptions, PublishPlan
from studio.app.publish_plan_text import plan_lines, result_line, terms_state
from studio.app.royalty_view import royalty_slices
from studio.app.session import StudioSession
from studio.app.values import InvalidInput, Work
from studio.ui.publish_training import DataPayoutsView
from studio.ui.royalty_chart import RoyaltyChart
from studio.ui.settings_dialog import NETWORK_NAMES
from studio.ui.theme import ALLOWED, REFUSED

REPLAN_DELAY_MS = 300
PLAN_HEIGHT = 760  # the height the dialog opens at; a longer plan scrolls within it


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class PublishDialog(QDialog):
    checked = Signal()
    published = Signal(object)  # list of the service's step results

    def __init__(self, session: StudioSession, work: Work, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.work = work
        self.setWindowTitle(f"Publish “{work.title}” on Story")
        self.setMinimumWidth(640)
        self.model = PublishModel(session, work)
        self.network = QComboBox()
        for name, label in NETWORK_NAMES.items():
            self.network.addItem(label, name)
        self.network.setCurrentIndex(max(0, self.network.findData(self.model.default_network())))
        self.wallet = QLabel("Checking the wallet…", wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.wallet.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.create_wallet = QPushButton("Create a wallet")
        self.key = QLineEdit(placeholderText="or paste a private key to import (kept in the system keyring)")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.import_key = QPushButton("Import key")
        self.create_wallet.clicked.connect(self._create_wallet)
        # On the devnet only, as `make demo` does without a keyring: anvil's public development account.
        self.dev_wallet = QPushButton("Use the devnet's development wallet")
        self.dev_wallet.setToolTip("A public test account of the local devnet; no other network accepts it")
        self.dev_wallet.clicked.connect(self._use_dev_wallet)
        self.import_key.clicked.connect(self._import_key)

        self.license = QComboBox()
        self.license.addItem("Its own license", None)
        for name, license_id in self.model.pil_licenses():
            self.license.addItem(name, license_id)
        self.rev_share = QDoubleSpinBox(suffix=" %", decimals=2, maximum=100.0, specialValueText="as recorded")
        self.minting_fee = QLineEdit(placeholderText="as recorded (IP)")
        self.terms_note = QLabel(wordWrap=True)
        self.plan_text = QLabel("Planning…", wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.plan_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chart = RoyaltyChart()
        self.payouts = DataPayoutsView()  # what 1 IP to the work pays each training set's group and its creators
        self.confirm = QCheckBox(
            "I have read the terms, fees and split above. Sign and send with my wallet; this cannot be undone."
        )
        self.publish_button = QPushButton("Publish")
        self.publish_button.setDefault(True)
        self.close_button = QPushButton("Close")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.result = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText, openExternalLinks=True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        heading = QLabel(f"<h3 style='margin:0'>Publish “{_escape(work.title)}” on Story</h3>")
        top = QFormLayout()
        top.addRow(heading)
        top.addRow("Network", self.network)
        wallet_box = QGroupBox("Wallet")
        wallet_layout = QVBoxLayout(wallet_box)
        wallet_layout.addWidget(self.wallet)
        key_row = QHBoxLayout()
        key_row.addWidget(self.create_wallet)
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.import_key)
        wallet_layout.addLayout(key_row)
        wallet_layout.addWidget(self.dev_wallet, 0, Qt.AlignmentFlag.AlignLeft)
        terms_box = QGroupBox("Terms")
        terms = QFormLayout(terms_box)
        terms.addRow("License", self.license)
        terms.addRow("Revenue share", self.rev_share)
        terms.addRow("Minting fee", self.minting_fee)
        terms.addRow(self.terms_note)
        plan_box = QGroupBox("What will be sent")
        plan_layout = QVBoxLayout(plan_box)
        plan_layout.addWidget(self.plan_text)
        plan_layout.addWidget(self.chart)
        plan_layout.addWidget(self.payouts)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.publish_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(wallet_box)
        layout.addWidget(terms_box)
        # A training set's plan (its members, the notes, the creators' payouts) outgrows a screen: it scrolls.
        plan_scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        plan_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        plan_scroll.setWidget(plan_box)
        layout.addWidget(plan_scroll, 1)
        layout.addWidget(self.confirm)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addLayout(buttons)

        self.check: PublishCheck | None = None
        self.results: list[Any] = []
        self._check_job: int | None = None
        self._publish_job: int | None = None
        self._wallet_jobs: set[int] = set()
        self._replan = QTimer(self, singleShot=True, interval=REPLAN_DELAY_MS)
        self._replan.timeout.connect(self.refresh)
        self.network.currentIndexChanged.connect(self.refresh)
        for signal in (self.license.currentIndexChanged, self.rev_share.valueChanged, self.minting_fee.textChanged):
            signal.connect(lambda *_: self._replan.start())
        self.confirm.toggled.connect(self._update_buttons)
        self.publish_button.clicked.connect(self.publish)
        self.close_button.clicked.connect(self.reject)
        session.jobs.job_finished.connect(self._job_finished)
        session.jobs.job_failed.connect(self._job_failed)
        self.finished.connect(self._detach)
        self._update_buttons()
        self.resize(self.sizeHint().width(), PLAN_HEIGHT)
        self.refresh()

    # -- options ------------------------------------------------------------------------------------------
    def options(self) -> PublishOptions:
        return self.model.options(
            self.network.currentData(),
            self.license.currentData() if self.license.isEnabled() else None,
            self.rev_share.value(),
            self.minting_fee.text() if self.minting_fee.isEnabled() else None,
        )

    # -- checking: wallet and plan, off the GUI thread ----------------------------------------------------
    def refresh(self) -> None:
        self._replan.stop()
        try:
            options = self.options()
        except InvalidInput as exc:
            self._show_plan_error(str(exc))
            return
        self.check = None
        self.plan_text.setText("Planning…")
        self._update_buttons()
        self._check_job = self.model.check(options)

    def _job_finished(self, job_id: int, result: Any) -> None:
        if job_id == self._check_job:
            self._check_job = None
            self._show_check(result)
            self.checked.emit()
        elif job_id == self._publish_job:
            self._publish_job = None
            self._show_results(result)
        elif job_id in self._wallet_jobs:
            self._wallet_jobs.discard(job_id)
            self.refresh()

    def _job_failed(self, job_id: int, message: str) -> None:
        if job_id == self._check_job:
            self._check_job = None
            self._show_plan_error(message)
            self.checked.emit()
        elif job_id == self._publish_job:
            self._publish_job = None
            self.progress.hide()
            self.result.setText(f"<span style='color:{REFUSED.name()}'><b>Not published.</b> {_escape(message)}</span>")
            self._update_buttons()
            self.session.library_changed.emit()  # the journal may have recorded the failed attempt
        elif job_id in self._wallet_jobs:
            self._wallet_jobs.discard(job_id)
            self.wallet.setText(f"<span style='color:{REFUSED.name()}'>{_escape(message)}</span>")

    def _show_check(self, check: PublishCheck) -> None:
        self.check = check
        has_wallet = check.wallet is not None
        # Without a keyring no wallet can be created or imported: only the keyring's line (and, on the devnet,
        # its development wallet) is offered.
        can_keep_keys = check.need is None or check.need.missing != "keyring"
        for widget in (self.create_wallet, self.key, self.import_key):
            widget.setVisible(not has_wallet and can_keep_keys)
        self.dev_wallet.setVisible(not has_wallet and check.need is not None and self._on_devnet())
        if check.wallet is not None:
            status = check.wallet
            line = (
                f"<b>{status.wallet.address}</b><br>{balance_text(status.balance)} and "
                f"{balance_text(status.wip)[:-3]} WIP on {_escape(status.network.name)}"
            )
            if status.funded:
                line += " (just funded by the devnet)"
            if status.note:
                line += f"<br><span style='color:{REFUSED.name()}'>{_escape(status.note)}</span>"
            self.wallet.setText(line)
        elif check.need is not None:
            self.wallet.setText(_escape(check.need.line))
        else:
            self.wallet.setText(f"<span style='color:{REFUSED.name()}'>{_escape(check.wallet_error or '')}</span>")
        if check.plan is None and check.plan_error is None:
            self._show_plan_error("")
            self.plan_text.setText("<i>The plan, its fees and its split are shown once a wallet is ready.</i>")
        elif check.plan is None:
            self._show_plan_error(check.plan_error or "")
        else:
            self._show_plan(check.plan)
        self._update_buttons()

    def _show_plan_error(self, message: str) -> None:
        self.plan_text.setText(f"<span style='color:{REFUSED.name()}'>{_escape(message)}</span>")
        self.chart.set_slices([])
        self.chart.setVisible(False)  # no split to draw: no empty chart saying nothing is selected
        self.payouts.show_plan(None)
        self._update_buttons()

    def _show_plan(self, plan: PublishPlan) -> None:
        target = plan.steps[-1] if plan.steps else None
        state = terms_state(plan, self.model.is_on_chain(plan.target.id, plan.network.name))
        self.license.setEnabled(state.license)
        self.minting_fee.setEnabled(state.minting_fee)
        self.rev_share.setSpecialValueText(state.rev_share_default)
        self.terms_note.setText(state.note)
        self.plan_text.setText("<br>".join(plan_lines(plan)))
        self.payouts.show_plan(plan)
        split = target.split if target is not None else None
        if split is not None:
            ids = [a.id for a in split.ancestors] + [split.work_id]
            titles = self.model.titles(ids)
            self.chart.set_slices(royalty_slices(split, titles), caption=f"Revenue split ({split.policy.upper()})")
        else:
            self.chart.set_slices([])
        self.chart.setVisible(split is not None)

    # -- wallet -------------------------------------------------------------------------------------------
    def _on_devnet(self) -> bool:
        return self.model.is_devnet(self.network.currentData())

    def _use_dev_wallet(self) -> None:
        """Publish on the devnet with its development wallet from now on in this dialog (each job's own studio is
        told so, as `studio demo` tells its one)."""
        self.model.use_dev_wallet = True
        self.refresh()

    def _create_wallet(self) -> None:
        self._wallet_jobs.add(self.model.create_wallet())

    def _import_key(self) -> None:
        text = self.key.text()
        self.key.clear()  # the key leaves the widget at once; the keyring is its only home
        if not text.strip():
            return
        self._wallet_jobs.add(self.model.import_wallet(text))

    # -- publishing ---------------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        ready = (
            self.check is not None
            and self.check.plan is not None
            and self.check.plan.allowed
            and self.check.wallet is not None
            and self._publish_job is None
            and not self.results
        )
        self.confirm.setEnabled(ready)
        self.publish_button.setEnabled(ready and self.confirm.isChecked())

    def publish(self) -> int | None:
        if not self.publish_button.isEnabled() or self.check is None or self.check.plan is None:
            return None
        plan = self.check.plan
        for widget in (self.network, self.license, self.rev_share, self.minting_fee, self.confirm):
            widget.setEnabled(False)
        self.progress.show()
        self.result.setText(f"Publishing {len(plan.steps)} work{'s' if len(plan.steps) != 1 else ''}…")
        self._publish_job = self.model.publish(plan)
        self._update_buttons()
        return self._publish_job

    def _show_results(self, results: list[Any]) -> None:
        self.results = list(results)
        self.progress.hide()
        explorer = self.check.plan.network.explorer if self.check and self.check.plan else None
        lines = [f"<span style='color:{ALLOWED.name()}'><b>Published.</b></span>"]
        for result in self.results:
            pub = result.publication
            lines.append(result_line(pub, self.model.title(pub.work_id), explorer))
        self.result.setText("<br>".join(lines))
        self.close_button.setText("Done")
        self._update_buttons()
        self.session.library_changed.emit()
        self.published.emit(self.results)

    def _detach(self) -> None:
        # A closed dialog no longer follows the queue; a publish still running finishes in the jobs panel.
        self.session.jobs.job_finished.disconnect(self._job_finished)
        self.session.jobs.job_failed.disconnect(self._job_failed)

    def ip_ids(self) -> list[str]:
        return [r.publication.ip_id for r in self.results if r.publication.ip_id]
