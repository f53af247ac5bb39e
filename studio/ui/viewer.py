"""The viewer: one work large, fitted to the window or at 100%, zoomed with the wheel or keys, and stepped
through in the gallery's current order (next / previous)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPainter, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.app.values import Work

ZOOM_STEP = 1.25
MIN_ZOOM = 0.02
MAX_ZOOM = 32.0
PIXEL_ZOOM = 2.0  # from this enlargement on, each source pixel is drawn as a sharp block


class WorkSequence(Protocol):
    """The works the viewer steps through, in the gallery's order (the gallery's model)."""

    def rowCount(self) -> int: ...  # Qt's name

    def work_at(self, row: int) -> Work | None: ...


class ImageView(QGraphicsView):
    """The picture itself: the wheel zooms around the pointer; a fitted picture stays fitted when resized."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.scene().addItem(self.item)
        self._smoothing(True)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fitted = True
        self.key_handler: Callable[[QKeyEvent], bool] | None = None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.key_handler is None or not self.key_handler(event):
            super().keyPressEvent(event)

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_pixmap(self, pixmap: QPixmap) -> None:
        self.item.setPixmap(pixmap)
        self.scene().setSceneRect(self.item.boundingRect())
        self._smoothing(self.zoom < PIXEL_ZOOM)

    def _smoothing(self, smooth: bool) -> None:
        """Smooth when shrinking or barely enlarging; nearest neighbour when each pixel becomes a block, so a small
        generated image shows the pixels that were made rather than a blur of them."""
        mode = Qt.TransformationMode.SmoothTransformation if smooth else Qt.TransformationMode.FastTransformation
        self.item.setTransformationMode(mode)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)

    def _zoomed(self) -> None:
        self._smoothing(self.zoom < PIXEL_ZOOM)
        self.zoom_changed.emit(self.zoom)

    def fit(self) -> None:
        self.fitted = True
        if self.item.pixmap().isNull():
            return
        self.resetTransform()
        rect = self.item.boundingRect()
        view = self.viewport().rect()
        scale = min(view.width() / rect.width(), view.height() / rect.height())
        if scale >= PIXEL_ZOOM:
            scale = float(int(scale))  # whole blocks: every source pixel the same size on screen
        self.scale(scale, scale)
        self._zoomed()

    def actual_size(self) -> None:
        self.fitted = False
        self.resetTransform()
        self._zoomed()

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor))
        if target == self.zoom:
            return
        self.fitted = False
        self.scale(target / self.zoom, target / self.zoom)
        self._zoomed()

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(ZOOM_STEP if delta > 0 else 1 / ZOOM_STEP)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fitted:
            self.fit()


class ImageViewer(QDialog):
    """A window of its own beside the main window; Escape closes it."""

    work_shown = Signal(str)

    def __init__(
        self, works: WorkSequence, file_of: Callable[[Work], Path | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.works = works
        self.file_of = file_of
        self.row = -1
        self.work: Work | None = None
        self.view = ImageView()
        self.caption = QLabel()
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(48)
        self.buttons: dict[str, QToolButton] = {}
        bar = QHBoxLayout()
        for name, text, tip, slot in (
            ("previous", "◀", "Previous work (Left)", self.previous),
            ("next", "▶", "Next work (Right)", self.next),
            ("fit", "Fit", "Fit the window (F)", self.view.fit),
            ("actual", "100%", "Actual size (1)", self.view.actual_size),
            ("zoom_out", "−", "Zoom out (-)", lambda: self.view.zoom_by(1 / ZOOM_STEP)),
            ("zoom_in", "+", "Zoom in (+)", lambda: self.view.zoom_by(ZOOM_STEP)),
        ):
            button = QToolButton(text=text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, s=slot: s())
            self.buttons[name] = button
            bar.addWidget(button)
            if name == "next":
                bar.addWidget(self.caption, 1)
        bar.addWidget(self.zoom_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{round(z * 100)}%"))
        key = Qt.Key
        self._keys: dict[int, Callable[[], object]] = {
            key.Key_Right: self.next,
            key.Key_Space: self.next,
            key.Key_PageDown: self.next,
            key.Key_Left: self.previous,
            key.Key_Backspace: self.previous,
            key.Key_PageUp: self.previous,
            key.Key_F: self.view.fit,
            key.Key_1: self.view.actual_size,
            key.Key_0: self.view.actual_size,
            key.Key_Plus: lambda: self.view.zoom_by(ZOOM_STEP),
            key.Key_Equal: lambda: self.view.zoom_by(ZOOM_STEP),
            key.Key_Minus: lambda: self.view.zoom_by(1 / ZOOM_STEP),
            key.Key_Escape: self.close,
        }
        # The picture keeps the keyboard focus; the arrows step through works instead of scrolling it.
        for button in self.buttons.values():
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.key_handler = self._key
        self.view.setFocus()
        self.resize(960, 720)

    def show_row(self, row: int) -> bool:
        """Show the work at `row` of the gallery's order; False (nothing changes) when there is none."""
        work = self.works.work_at(row)
        if work is None:
            return False
        self.row, self.work = row, work
        path = self.file_of(work) if work.file_path else None
        pixmap = QPixmap(str(path)) if path is not None else QPixmap()
        self.view.set_pixmap(pixmap)
        total = self.works.rowCount()
        size = f" · {pixmap.width()}×{pixmap.height()}" if not pixmap.isNull() else " · no image file"
        self.caption.setText(f"<b>{_escape(work.title)}</b> — {row + 1} of {total}{size}")
        self.setWindowTitle(work.title)
        self.buttons["previous"].setEnabled(row > 0)
        self.buttons["next"].setEnabled(row + 1 < total)
        self.view.fit()
        self.work_shown.emit(work.id)
        return True

    def next(self) -> bool:
        return self.show_row(self.row + 1)

    def previous(self) -> bool:
        return self.row > 0 and self.show_row(self.row - 1)

    def _key(self, event: QKeyEvent) -> bool:
        command = self._keys.get(event.key())
        if command is None:
            return False
        command()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._key(event):
            super().keyPressEvent(event)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
