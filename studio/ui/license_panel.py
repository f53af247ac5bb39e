"""License & royalty: what may be done with the selected work and why, the credits it owes, and who earns
what share of its revenue under the chosen royalty policy."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.app.royalty_view import POLICY_NAMES, percent_text, reasons_agreeing_with, royalty_slices
from studio.app.session import StudioSession
from studio.core.reasons import Reason
from studio.core.types import Relation, Work, units_to_percent
from studio.errors import StudioError
from studio.licensing import Verdict, effective_pil
from studio.licensing.works import VerdictLine
from studio.report.registrations import Registration, registrations_of
from studio.royalty import RoyaltySplit
from studio.services.new_work_defaults import LICENSE_SOURCE_KEY, license_source_text
from studio.ui.royalty_chart import RoyaltyChart
from studio.ui.theme import ALLOWED, REFUSED, WARNED

MODEL_LINK = "studio-model:"
TOOL_RELATIONS = {Relation.generated_with: "Made with", Relation.styled_with: "styled with"}
MARKS = {"block": ("✗", REFUSED), "warn": ("!", WARNED), "info": ("i", None)}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class LicensePanel(QScrollArea):
    policy_changed = Signal(str)
    publish_requested = Signal()
    model_requested = Signal(str)  # a model or LoRA the work was made with, clicked in its details

    def __init__(self, session: StudioSession, policy: str = "lap", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.setWidget(body)
        self.heading = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.heading.linkActivated.connect(self._link)
        self.verdicts = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True, openExternalLinks=True)
        self.publish = QPushButton("Publish on Story…")
        self.publish.clicked.connect(self.publish_requested)
        self.reasons = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.credits = QPlainTextEdit(readOnly=True)
        self.credits.setMaximumHeight(110)
        self.copy_credits = QPushButton("Copy credits")
        self.copy_credits.clicked.connect(self.copy_attribution)
        self.lap = QRadioButton(POLICY_NAMES["lap"])
        self.lrp = QRadioButton(POLICY_NAMES["lrp"])
        self._policy_group = QButtonGroup(self)
        for button in (self.lap, self.lrp):
            self._policy_group.addButton(button)
        (self.lrp if policy == "lrp" else self.lap).setChecked(True)
        self._preferred = "lrp" if policy == "lrp" else "lap"  # the creator's choice for works not yet published
        self.lap.toggled.connect(self._policy_toggled)
        self.stack = QLabel(wordWrap=True)
        self.chart = RoyaltyChart()

        why_box = QGroupBox("Why")
        QVBoxLayout(why_box).addWidget(self.reasons)
        credit_box = QGroupBox("Required credits")
        credit_layout = QVBoxLayout(credit_box)
        credit_layout.addWidget(self.credits)
        credit_layout.addWidget(self.copy_credits, 0, Qt.AlignmentFlag.AlignRight)
        royalty_box = QGroupBox("Royalty split")
        royalty_layout = QVBoxLayout(royalty_box)
        switch = QHBoxLayout()
        switch.addWidget(QLabel("Policy:"))
        switch.addWidget(self.lap)
        switch.addWidget(self.lrp)
        switch.addStretch(1)
        royalty_layout.addLayout(switch)
        royalty_layout.addWidget(self.stack)
        royalty_layout.addWidget(self.chart)

        layout = QVBoxLayout(body)
        layout.addWidget(self.heading)
        layout.addWidget(self.verdicts)
        layout.addWidget(self.publish, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(why_box)
        layout.addWidget(credit_box)
        layout.addWidget(royalty_box)
        layout.addStretch(1)
        self.verdict: Verdict | None = None
        self._work: Work | None = None
        session.selection_changed.connect(self.refresh)
        session.library_changed.connect(self.refresh)
        self.refresh()

    @property
    def policy(self) -> str:
        return "lap" if self.lap.isChecked() else "lrp"

    def _policy_toggled(self, _checked: bool) -> None:
        self._preferred = self.policy
        self._show_royalty()
        self.policy_changed.emit(self.policy)

    def refresh(self) -> None:
        work = self.session.current()
        self._work = work
        if work is None:
            self.verdict = None
            self.heading.setText("<i>Select a work to see what its license allows.</i>")
            for label in (self.verdicts, self.reasons, self.stack):
                label.clear()
            self.credits.clear()
            self.copy_credits.setEnabled(False)
            self.publish.setEnabled(False)
            self.publish.setVisible(True)
            self.chart.set_slices([])
            return
        try:
            verdict = self.session.studio.license_check(work.id)
        except StudioError as exc:
            self.verdict = None
            self.heading.setText(f"<b>{_escape(work.title)}</b>")
            self.verdicts.setText(f"<span style='color:{REFUSED.name()}'>{_escape(str(exc))}</span>")
            return
        self.verdict = verdict
        published = registrations_of(self.session.studio.library.publications, work.id)
        # The dialog plans the whole publication (own unpublished ancestors go first) and says what stops it.
        self.publish.setEnabled(work.kind.value == "image" and not published)
        self.publish.setVisible(not published)
        self.publish.setToolTip(published[-1].text if published else "")
        lic = self.session.studio.catalog.get(work.license_id)
        who = f" by {_escape(work.creator)}" if work.creator else ""
        self.heading.setText(
            f"<h3 style='margin:0'>{_escape(work.title)}</h3>{who} · <a href='{lic.legal_url}'>{_escape(lic.name)}</a>"
            + self._tools_html(work)
            + f"<br><span style='color:gray'>{_escape(lic.summary)}</span>"
            + self._license_source_html(work)
        )
        html = "".join(self._line_html(line, published) for line in verdict.lines)
        if verdict.inherited_license is not None:
            terms = verdict.inherited_license
            pil = effective_pil(terms)
            share = (
                f" at {percent_text(units_to_percent(pil.commercial_rev_share))} rev share"
                if pil.commercial_use
                else ""
            )
            html += f"<div>Remixes inherit <b>{_escape(terms.license.name)}</b>{share}</div>"
        self.verdicts.setText(html)
        self.reasons.setText(self._reasons_html(verdict))
        text = "\n".join(a.text for a in verdict.attribution)
        duties = "\n".join(f"• {o.text}" for o in verdict.obligations)
        self.credits.setPlainText(text + ("\n\nObligations:\n" + duties if duties else ""))
        self.copy_credits.setEnabled(bool(verdict.attribution))
        self._show_royalty()

    @staticmethod
    def _license_source_html(work: Work) -> str:
        """Where a made work's licence came from (recorded when it was made), so nobody wonders why."""
        source = work.recipe.extra.get(LICENSE_SOURCE_KEY) if work.recipe is not None else None
        text = license_source_text(source if isinstance(source, str) else None)
        return f"<br>License: {_escape(text)}" if text else ""

    def _tools_html(self, work: Work) -> str:
        """'Made with studio-emoji': each model or LoRA the work was made with, a link to its Model tab."""
        studio = self.session.studio
        edges = [e for e in studio.parents(work.id) if e.relation in TOOL_RELATIONS]
        if not edges:
            return ""
        tools = studio.library.works.get_many([e.parent_id for e in edges])
        links = [
            f"{TOOL_RELATIONS[e.relation]} <a href='{MODEL_LINK}{tools[e.parent_id].id}'>"
            f"{_escape(tools[e.parent_id].title)}</a>"
            for e in edges if e.parent_id in tools
        ]
        return "<br>" + ", ".join(links) if links else ""

    def _link(self, href: str) -> None:
        if href.startswith(MODEL_LINK):
            self.model_requested.emit(href.removeprefix(MODEL_LINK))
        elif href.startswith(("https://", "http://")):
            QDesktopServices.openUrl(QUrl(href))

    @staticmethod
    def _line_html(line: VerdictLine, published: list[Registration]) -> str:
        if line.answer == "done" and published:
            return "".join(
                f"<div><span style='color:{ALLOWED.name()}; font-weight:bold'>✓</span>&nbsp;"
                f"{_escape(reg.text)}<br><span style='color:gray'>"
                + (f"<a href='{reg.explorer_url}'>{_escape(reg.explorer_url)}</a>" if reg.explorer_url
                   else _escape(reg.explorer_text))
                + "</span></div>"
                for reg in published
            )
        colour = ALLOWED if line.answer in ("yes", "done") else REFUSED
        mark = {"yes": "✓", "done": "✓", "if": "?"}.get(line.answer, "✗")
        label = line.label.capitalize() + (" only if confirmed" if line.answer == "if" else "")
        return (
            f"<div><span style='color:{colour.name()}; font-weight:bold'>{mark}</span>&nbsp;{label}"
            f"<br><span style='color:gray'>{_escape(line.reason.message)}</span></div>"
        )

    @staticmethod
    def _reasons_html(verdict: Verdict, reasons: list[Reason] | None = None) -> str:
        """The verdict's further reasons in plain words (their codes are for the CLI's --json, not for reading)."""
        stated = {line.reason.message for line in verdict.lines}
        seen: set[str] = set(stated)
        lines = []
        for r in verdict.reasons if reasons is None else reasons:
            if r.message in seen:
                continue
            seen.add(r.message)
            mark, colour = MARKS[r.severity]
            style = f"color:{colour.name()};" if colour is not None else ""
            lines.append(
                f"<div><span style='{style}font-weight:bold'>{mark}</span>&nbsp;{_escape(r.message)}</div>"
            )
        return "".join(lines) or "<i>Nothing restricts this work.</i>"

    def _show_royalty(self) -> None:
        work = self._work
        if work is None:
            return
        try:
            split = self._split(work.id)
        except StudioError as exc:
            self.stack.setText(str(exc))
            self.chart.set_slices([])
            return
        ids = [a.id for a in split.ancestors] + [split.work_id]
        titles = {i: w.title for i, w in self.session.studio.library.works.get_many(ids).items()}
        where = self._where(work.id)
        self.stack.setText(
            f"Royalty stack {percent_text(units_to_percent(split.stack))}: the ancestors' part of every payment "
            f"this work receives under {POLICY_NAMES[split.policy]}" + (f", {where}." if where else ".")
        )
        self.chart.set_slices(royalty_slices(split, titles), caption=f"Split under {split.policy.upper()}")
        if self.verdict is not None:
            # The "Why" box and the chart say one thing: what the split pays, drawn from the same computation.
            agreed = reasons_agreeing_with(self.verdict.reasons, split, titles, where or "on Story")
            self.reasons.setText(self._reasons_html(self.verdict, agreed))

    def _where(self, work_id: str) -> str:
        """'on devnet' for a work published there (its split is the network's), else '' (the library's view)."""
        if work_id in self.session.published_ids():
            return f"on {self.session.studio.publish_setup.default_network()}"
        return ""

    def _split(self, work_id: str) -> RoyaltySplit:
        """A work published on the library's network: its split as there (a model it links to, and that model's
        training set, take their shares); otherwise the library's view."""
        studio = self.session.studio
        published = work_id in self.session.published_ids()
        for button in (self.lap, self.lrp):
            button.setEnabled(not published)
            button.setToolTip("A published work is paid under the policy of its terms on Story" if published else "")
        if not published:
            self._check_policy(self._preferred)
            return studio.royalty(work_id, self._preferred)
        # Not a what-if: the policy its terms carry there, shown checked, so the chart and the Why box say what the
        # network really pays (the creator's own choice comes back for the next unpublished work).
        split = studio.publish_planner.royalty_on(work_id, studio.publish_setup.default_network())
        self._check_policy(split.policy)
        return split

    def _check_policy(self, policy: str) -> None:
        for button in (self.lap, self.lrp):
            button.blockSignals(True)
        (self.lrp if policy == "lrp" else self.lap).setChecked(True)
        for button in (self.lap, self.lrp):
            button.blockSignals(False)

    def copy_attribution(self) -> None:
        if self.verdict is None:
            return
        QGuiApplication.clipboard().setText("\n".join(a.text for a in self.verdict.attribution))
