"""Deleting works: a move to the trash that Edit ▸ Undo takes back, and the Trash view to restore later."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.app.session import StudioSession


class TrashCommand(QUndoCommand):
    """Moving works to the trash; undo restores exactly the works this command moved."""

    def __init__(self, session: StudioSession, work_ids: Sequence[str]) -> None:
        count = len(work_ids)
        super().__init__(f"Delete {count} work{'s' if count != 1 else ''}")
        self.session = session
        self.requested = tuple(work_ids)
        self.moved: tuple[str, ...] = ()

    def redo(self) -> None:
        self.moved = tuple(self.session.trash(self.requested))

    def undo(self) -> None:
        self.session.restore(self.moved)
        self.session.select(self.moved)


class TrashDialog(QDialog):
    def __init__(self, session: StudioSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Trash")
        self.session = session
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.restore_button = QPushButton("Restore")
        self.restore_button.clicked.connect(self.restore_selected)
        self.note = QLabel(
            "Deleted works stay here, with their files and lineage, until you restore them.", wordWrap=True
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.list.itemSelectionChanged.connect(lambda: self.restore_button.setEnabled(bool(self.list.selectedItems())))
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for work in self.session.trashed():
            item = QListWidgetItem(f"{work.title}  ·  {work.license_id}  ·  {work.id}")
            item.setData(Qt.ItemDataRole.UserRole, work.id)
            self.list.addItem(item)
        self.restore_button.setEnabled(False)
        if not self.list.count():
            self.note.setText("The trash is empty.")

    def restore_selected(self) -> list[str]:
        ids = [item.data(Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()]
        restored = self.session.restore(ids)
        self.reload()
        return restored
