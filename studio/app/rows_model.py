"""A read-only table of rows for the window's small lists (a model's data creators, their earnings): each cell a
text and the value it sorts by, so counts and amounts sort as numbers under a `QSortFilterProxyModel`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

SortRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
Cell = str | tuple[str, Any]  # a text, or (text, sort value)


class RowsModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], numeric: Sequence[int] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._numeric = frozenset(numeric)  # columns aligned right
        self._rows: list[tuple[tuple[str, Any], ...]] = []

    def set_rows(self, rows: Sequence[Sequence[Cell]]) -> None:
        self.beginResetModel()
        self._rows = [tuple(c if isinstance(c, tuple) else (c, c.casefold()) for c in row) for row in rows]
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        return self._rows[row][column][0]

    def value(self, row: int, column: int) -> Any:
        return self._rows[row][column][1]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        text, value = self._rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text
        if role == SortRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self._numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None
