"""Publishing the selected work on Story: the network, the wallet and its balance, the terms (chosen for a root
work, inherited by a remix), the fees and the split, then a confirmation, progress and the result.

Everything that talks to the network or the keyring runs as a job with its own connection to the library; the
dialog only shows what the publish planner planned and the runner answered.
"""

from __future__ import annotations

from dataclasses import dataclass
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

from studio.app.amount_fields import balance_text, fee_from_text
from studio.app.publish_setup import SetupNeed, setup_need
from studio.app.royalty_view import royalty_slices
from studio.app.session import StudioSession
from studio.app.workers import TaskContext
from studio.core.types import Work, percent_to_units
from studio.errors import InvalidInput, StudioError
from studio.services import Studio
from studio.services.publishing import PublishOptions, PublishPlan, WalletStatus
from studio.ui.publish_training import DataPayoutsView, plan_lines, result_line, terms_state
from studio.ui.royalty_chart import RoyaltyChart
from studio.ui.settings_dialog import NETWORK_NAMES
from studio.ui.theme import ALLOWED, REFUSED

REPLAN_DELAY_MS = 300
PLAN_HEIGHT = 760  # the height the dialog opens at; a longer plan scrolls within it


@dataclass(frozen=True)
class PublishCheck:
    """What the dialog shows before anything is signed; the errors are the user's plain-language messages."""

    wallet: WalletStatus | None
    wallet_error: str | None
    plan: PublishPlan | None
    plan_error: str | None
    need: SetupNeed | None = None  # the keyring or a wallet is missing: one line says so, for wallet and plan


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
        publish_setup = session.studio.publish_setup
        self.network = QComboBox()
        for name, label in NETWORK_NAMES.items():
            self.network.addItem(label, name)
        self.network.setCurrentIndex(max(0, self.network.findData(publish_setup.default_network())))
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
        self.use_dev_wallet = False
        self.import_key.clicked.connect(self._import_key)

        self.license = QComboBox()
        self.license.addItem("Its own license", None)
        for lic in session.studio.catalog.all():
            if lic.is_pil:
                self.license.addItem(lic.name, lic.id)
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
        share = self.rev_share.value()
        return PublishOptions(
            network=self.network.currentData(),
            license_id=self.license.currentData() if self.license.isEnabled() else None,
            rev_share=percent_to_units(share) if share > 0 else None,
            minting_fee=fee_from_text(self.minting_fee.text()) if self.minting_fee.isEnabled() else None,
        )

    # -- checking: wallet and plan, off the GUI thread ----------------------------------------------------
    def refresh(self) -> None:
        self._replan.stop()
        try:
            options = self.options()
        except InvalidInput as exc:
            self._show_plan_error(str(exc))
            return
        work_id = self.work.id
        self.check = None
        self.plan_text.setText("Planning…")
        self._update_buttons()

        use_dev = self._dev_wallet_applies(options.network)

        def task(ctx: TaskContext, studio: Studio) -> PublishCheck:
            setup = studio.publish_setup
            if use_dev:
                setup.use_devnet_dev_account()
            devnet = setup.network(options.network).is_devnet
            wallet = wallet_error = plan = plan_error = need = None
            try:
                wallet = setup.wallet_status(options.network, options.rpc_url)
            except StudioError as exc:
                need = setup_need(exc, devnet=devnet)
                wallet_error = None if need is not None else str(exc)
            ctx.raise_if_cancelled()
            try:
                plan = studio.publish_planner.plan(work_id, options)
            except StudioError as exc:
                # The same missing keyring or wallet is said once, in the wallet's box; what the license says of
                # publishing needs no wallet, so a refusal is still explained.
                plan_error = None if need is not None and setup_need(exc, devnet=devnet) else str(exc)
                if plan_error is None:
                    refused = [line.reason.message for line in studio.license_check(work_id).lines
                               if line.action == "publish" and line.answer == "no"]
                    plan_error = " ".join(refused) or None
            return PublishCheck(wallet, wallet_error, plan, plan_error, need)

        self._check_job = self.session.submit("publish-check", f"Check publishing of {self.work.title}", task)

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
        journal = self.session.studio.journal
        state = terms_state(plan, journal.is_on_chain(plan.target.id, plan.network.name))
        self.license.setEnabled(state.license)
        self.minting_fee.setEnabled(state.minting_fee)
        self.rev_share.setSpecialValueText(state.rev_share_default)
        self.terms_note.setText(state.note)
        self.plan_text.setText("<br>".join(plan_lines(plan)))
        self.payouts.show_plan(plan)
        split = target.split if target is not None else None
        if split is not None:
            ids = [a.id for a in split.ancestors] + [split.work_id]
            titles = {i: w.title for i, w in self.session.studio.library.works.get_many(ids).items()}
            self.chart.set_slices(royalty_slices(split, titles), caption=f"Revenue split ({split.policy.upper()})")
        else:
            self.chart.set_slices([])
        self.chart.setVisible(split is not None)

    # -- wallet -------------------------------------------------------------------------------------------
    def _on_devnet(self) -> bool:
        try:
            return self.session.studio.publish_setup.network(self.network.currentData()).is_devnet
        except StudioError:
            return False

    def _dev_wallet_applies(self, network: str | None) -> bool:
        if not self.use_dev_wallet:
            return False
        try:
            return self.session.studio.publish_setup.network(network).is_devnet
        except StudioError:
            return False

    def _use_dev_wallet(self) -> None:
        """Publish on the devnet with its development wallet from now on in this dialog (each job's own studio is
        told so, as `studio demo` tells its one)."""
        self.use_dev_wallet = True
        self.refresh()

    def _create_wallet(self) -> None:
        job = self.session.submit("wallet", "Create a wallet", lambda ctx, studio: studio.publish_setup.create_wallet())
        self._wallet_jobs.add(job)

    def _import_key(self) -> None:
        text = self.key.text()
        self.key.clear()  # the key leaves the widget at once; the keyring is its only home
        if not text.strip():
            return
        job = self.session.submit(
            "wallet", "Import a wallet key", lambda ctx, studio: studio.publish_setup.import_wallet(text)
        )
        self._wallet_jobs.add(job)

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
        use_dev = self._dev_wallet_applies(plan.network.name)

        def task(ctx: TaskContext, studio: Studio) -> list[Any]:
            if use_dev:
                studio.publish_setup.use_devnet_dev_account()
            ctx.raise_if_cancelled()  # the last moment a cancel stops it: after this, transactions are signed
            return studio.publish_runner.execute(plan)

        for widget in (self.network, self.license, self.rev_share, self.minting_fee, self.confirm):
            widget.setEnabled(False)
        self.progress.show()
        self.result.setText(f"Publishing {len(plan.steps)} work{'s' if len(plan.steps) != 1 else ''}…")
        self._publish_job = self.session.submit("publish", f"Publish {self.work.title}", task)
        self._update_buttons()
        return self._publish_job

    def _show_results(self, results: list[Any]) -> None:
        self.results = list(results)
        self.progress.hide()
        explorer = self.check.plan.network.explorer if self.check and self.check.plan else None
        lines = [f"<span style='color:{ALLOWED.name()}'><b>Published.</b></span>"]
        for result in self.results:
            pub = result.publication
            lines.append(result_line(pub, self.session.studio.work(pub.work_id).title, explorer))
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
