"""Driving the real widgets the way a user does: clicking gallery cards, pressing dialog buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from studio.ui.main_window import MainWindow


def click_work(qtbot, window: MainWindow, work_id: str, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    gallery = window.library.gallery
    model = window.library.model
    row = model.row_of(work_id)
    assert row is not None, f"{work_id} is not in the gallery"
    index = model.index(row)
    gallery.scrollTo(index)
    qtbot.waitUntil(lambda: gallery.visualRect(index).isValid() and not gallery.visualRect(index).isEmpty())
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, modifier, gallery.visualRect(index).center())


def press(qtbot, dialog: QDialog, which: QDialogButtonBox.StandardButton) -> None:
    box = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(box.button(which), Qt.MouseButton.LeftButton)
