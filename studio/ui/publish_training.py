"""What the publish dialog lists for a plan: each step as what it is (an image as a root or a remix, a training
set as a Story group its members join, a model as a derivative of its training set's group), the engines' notes,
the terms the dialog lets the user choose, and what a payment to the work pays each training set's group and
the data's creators. Only formatting and small widgets: the plan itself comes from the publish planner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from studio.app.amount_fields import fee_text as ip_text
from studio.app.rows_model import RowsModel
from studio.app.royalty_view import percent_text
from studio.core.types import WorkKind, units_to_percent
from studio.licensing import effective_pil
from studio.royalty.groups import DataPayout
from studio.services.publishing import PublishPlan
from studio.story.group_publisher import GroupStep
from studio.story.journal import Publication
from studio.story.publisher import StepPlan
from studio.ui.theme import ALLOWED, REFUSED, WARNED

PAYOUT_ROWS = 5  # creators listed per training set; the rest are counted in one line
INDENT = "&nbsp;&nbsp;"
MODEL_KINDS = (WorkKind.model, WorkKind.lora)
NO_CREATOR = "(no creator named)"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _colored(color: str, text: str) -> str:
    return f"<span style='color:{color}'>{text}</span>"


# -- the terms the user may choose ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TermsState:
    """Which of the dialog's terms fields apply to the plan, and the line under them saying why."""

    license: bool
    minting_fee: bool
    rev_share_default: str  # the spin box's text when left at 0
    note: str


def terms_state(plan: PublishPlan, group_on_chain: bool) -> TermsState:
    """A new training set's group takes the chosen license and rev share (a group asks no minting fee), also when
    it goes first in a model's plan; a group already on the network keeps its terms; a model and a remix carry
    their parents' terms."""
    group = next((s for s in plan.steps if isinstance(s, GroupStep)), None)
    target = plan.steps[-1] if plan.steps else None
    if group is not None and group_on_chain:
        return TermsState(False, False, "as on Story",
                          f"“{group.work.title}” is a group on {plan.network.name} already: its terms stay; the "
                          "members that reached Story since it was published join it.")
    if group is not None:
        carried = "" if target is group else f" “{target.work.title}” carries them on Story as its derivative."
        return TermsState(True, False, "default",
                          "The training set is offered on Story as a group under these terms (a royalty policy, "
                          f"no minting fee); its members share what it earns.{carried}")
    if isinstance(target, StepPlan) and target.work.kind in MODEL_KINDS:
        return TermsState(False, False, "inherited",
                          "A model carries its training set's group's terms on Story. You may only raise the revenue "
                          "share its own remixes pay.")
    if target is not None and target.is_derivative:
        return TermsState(False, False, "inherited",
                          "A remix carries its parents' terms on Story. You may only raise the revenue share its own "
                          "remixes pay.")
    return TermsState(True, True, "as recorded", "A root work offers these terms to everyone who remixes it on Story.")


# -- the plan as lines -------------------------------------------------------------------------------------------
def _kind(step: StepPlan | GroupStep) -> str:
    if isinstance(step, GroupStep):
        return "training set, as a group"
    if step.work.kind in MODEL_KINDS:
        what = "LoRA" if step.work.kind is WorkKind.lora else "model"
        return f"{what}, derivative of its training set's group" if step.is_derivative else what
    return "remix" if step.is_derivative else "root"


def step_lines(n: int, step: StepPlan | GroupStep, network: str) -> list[str]:
    pil = effective_pil(step.terms)
    lines = [f"{n}. <b>{escape(step.work.title)}</b> ({_kind(step)}) under {escape(step.terms.license.name)}"]
    if isinstance(step, GroupStep):
        own = sum(1 for m in step.joining if m.own)
        lines.append(f"{INDENT}{_count(len(step.joining), 'member')} on {escape(network)} join its reward pool; "
                     f"all {len(step.members):,} are credited in its metadata")
        if own:
            lines.append(f"{INDENT}{own:,} of them {'is' if own == 1 else 'are'} yours: offered under the group's "
                         "terms to its pool first")
        if pil.commercial_use:
            lines.append(f"{INDENT}its derivatives pay it {percent_text(units_to_percent(pil.commercial_rev_share))} "
                         f"of their revenue ({(pil.royalty_policy or '').upper()}); its members share it evenly")
        return lines
    if step.work.kind in MODEL_KINDS and step.is_derivative:
        lines.append(f"{INDENT}under its training set's group's terms, as every derivative of them")
    if pil.commercial_use:
        lines.append(f"{INDENT}remixes pay it {percent_text(units_to_percent(pil.commercial_rev_share))} "
                     f"of their revenue; minting fee {ip_text(pil.default_minting_fee)}")
    if step.override:
        lines.append(f"{INDENT}its own remixes will pay {percent_text(units_to_percent(step.override))} "
                     "(raised by its creator)")
    for p in step.parents:
        lines.append(f"{INDENT}linked to “{escape(p.title)}”: {percent_text(units_to_percent(p.royalty_percent))} "
                     f"of revenue, fee {ip_text(p.minting_fee)}")
    for credit in step.credits:
        lines.append(f"{INDENT}credits “{escape(credit.title)}” ({escape(credit.license_id)}), not linked on chain")
    return lines


def note_lines(plan: PublishPlan) -> list[str]:
    """The engines' notes about training sets, models and links, once each."""
    seen: set[str] = set()
    lines = []
    for note in plan.notes:
        if note.message in seen:
            continue
        seen.add(note.message)
        mark = _colored(WARNED.name(), "<b>!</b>") if note.severity == "warn" else "•"
        lines.append(f"{mark} {escape(note.message)}")
    return lines


def plan_lines(plan: PublishPlan) -> list[str]:
    """The plan as the dialog shows it before signing: where, each step, the notes, fees and the verdict."""
    lines = [f"On <b>{escape(plan.network.name)}</b> (chain id {plan.network.chain_id}):"]
    for n, step in enumerate(plan.steps, 1):
        lines += step_lines(n, step, plan.network.name)
    lines += note_lines(plan)
    lines.append(f"Minting fees to pay: <b>{ip_text(plan.minting_fee)}</b> (plus gas)")
    fee_line = plan.fee_line()
    if fee_line is not None:
        lines.append(escape(fee_line[0].upper() + fee_line[1:]))
    if plan.refusals:
        lines.append(_colored(REFUSED.name(), "<b>Cannot be published:</b>"))
        lines += [_colored(REFUSED.name(), f"✗ {escape(r.message)}") for r in plan.refusals]
    else:
        lines.append(_colored(ALLOWED.name(), "✓ The license and royalty engines allow it."))
    return lines


def result_line(pub: Publication, title: str, explorer: str | None) -> str:
    """One published step: its IP and transaction (linked where the network has an explorer), the members its
    group holds when it is a training set, and whether the chain agrees with the plan."""
    ip = pub.ip_id or "–"
    if explorer and pub.ip_id:
        ip = f"<a href='{explorer}/address/{pub.ip_id}'>{pub.ip_id}</a>"
    tx = pub.tx_hash or "–"
    if explorer and pub.tx_hash:
        tx = f"<a href='{explorer}/tx/{pub.tx_hash}'>{pub.tx_hash}</a>"
    readback = pub.readback or {}
    what = "group IP" if (pub.prediction or {}).get("kind") == "group" else "IP"
    lines = [f"“{escape(title)}”: {what} <b>{ip}</b>", f"{INDENT}transaction {tx}"]
    if what == "group IP" and readback.get("members") is not None:
        lines.append(f"{INDENT}{_count(int(readback['members']), 'member')} in the group on chain")
    check = {True: "the chain agrees with the plan", False: "the chain differs from the plan"}.get(
        readback.get("agrees"), "")
    if check:
        lines.append(f"{INDENT}{check}")
    return "<br>".join(lines)


# -- what the data's creators receive ----------------------------------------------------------------------------
def payout_heading(payout: DataPayout, target: str, network: str) -> str:
    return (f"A payment of {ip_text(payout.payment)} to “{target}” pays the training set “{payout.group_title}” "
            f"{ip_text(payout.group_due)}, shared evenly by its {_count(payout.members, 'member')} on {network}"
            + (":" if payout.creators else "; none is on Story yet, so the group keeps it until members join."))


def payout_rows(payout: DataPayout, limit: int = PAYOUT_ROWS) -> tuple[list[list[str]], int]:
    """The first `limit` creators (those who receive the most first) and how many more there are."""
    rows = [[c.creator or NO_CREATOR, f"{c.members:,}", ip_text(c.amount)] for c in payout.creators[:limit]]
    return rows, max(0, len(payout.creators) - limit)


class DataPayoutsView(QWidget):
    """Per training set among the work's Story ancestors: the heading line, a compact table of its creators
    (most first) and "… and N more creators". Hidden when the plan pays no training set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.headings: list[QLabel] = []
        self.tables: list[QTableView] = []
        self.more: list[QLabel] = []
        self.setVisible(False)

    def show_plan(self, plan: PublishPlan | None) -> None:
        payouts: Sequence[DataPayout] = plan.data_payouts if plan is not None and plan.allowed else ()
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.headings, self.tables, self.more = [], [], []
        for payout in payouts:
            assert plan is not None
            heading = QLabel(escape(payout_heading(payout, plan.target.title, plan.network.name)), wordWrap=True)
            heading.setTextFormat(Qt.TextFormat.RichText)
            rows, more = payout_rows(payout)
            table = _compact_table(rows, self)
            extra = QLabel(f"… and {more:,} more creator{'s' if more != 1 else ''}" if more else "")
            extra.setVisible(bool(more))
            for widget in (heading, table, extra):
                self._layout.addWidget(widget)
            self.headings.append(heading)
            self.tables.append(table)
            self.more.append(extra)
        self.setVisible(bool(payouts))

    def rows(self, index: int = 0) -> list[tuple[str, ...]]:
        model = self.tables[index].model()
        return [tuple(model.index(r, c).data() for c in range(model.columnCount())) for r in range(model.rowCount())]


def _compact_table(rows: list[list[str]], parent: QWidget) -> QTableView:
    model = RowsModel(["Creator", "Works in the group", "Receives"], numeric=(1, 2), parent=parent)
    model.set_rows(rows)
    view = QTableView(parent)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)  # compact rows
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in (1, 2):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    # As tall as its rows: the table never scrolls, since it lists a few rows and counts the rest.
    view.setFixedHeight(header.sizeHint().height() + view.verticalHeader().defaultSectionSize() * len(rows) + 4)
    view.setVisible(bool(rows))
    return view
