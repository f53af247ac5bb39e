"""The publish dialog's list of what the data's creators receive: per training set, a heading and a compact
table of its creators. The text comes from `studio.app.publish_plan_text`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from studio.app.publish_plan_text import PAYOUT_ROWS, DataPayout, PublishPlan, escape, payout_heading, payout_rows
from studio.app.rows_model import RowsModel

__all__ = ["PAYOUT_ROWS", "DataPayoutsView"]


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
