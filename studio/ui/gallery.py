"""The gallery: a grid of work cards (thumbnail, title, license; flagged and published marks)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from studio.app.values import Work
from studio.app.works_model import FlaggedRole, LicenseNameRole, PublishedRole, WorkRole
from studio.ui.theme import ALLOWED, REFUSED
from studio.ui.thumbnails import ThumbnailProvider

CARD = QSize(168, 204)
THUMB = 152
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}


class WorkDelegate(QStyledItemDelegate):
    def __init__(self, thumbnails: ThumbnailProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return CARD

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        work: Work | None = index.data(WorkRole)
        if work is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(4, 4, -4, -4)
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.highlight() if selected else palette.alternateBase())
        painter.drawRoundedRect(rect, 8, 8)

        thumb_rect = QRect(rect.x() + (rect.width() - THUMB) // 2, rect.y() + 6, THUMB, THUMB)
        pixmap = self.thumbnails.pixmap(work)
        if pixmap is not None and not pixmap.isNull():
            size = pixmap.size().scaled(thumb_rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(thumb_rect.center())
            painter.drawPixmap(target, pixmap)
        else:
            painter.setBrush(palette.base())
            painter.drawRoundedRect(thumb_rect, 4, 4)
            painter.setPen(palette.placeholderText().color())
            painter.drawText(
                thumb_rect, Qt.AlignmentFlag.AlignCenter, work.kind.value if work.kind.value != "image" else "…"
            )

        if index.data(FlaggedRole):
            painter.setPen(QPen(REFUSED, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(thumb_rect.adjusted(1, 1, -1, -1), 4, 4)
            _badge(painter, thumb_rect.topLeft().x() + 4, thumb_rect.y() + 4, "!", REFUSED)
        if index.data(PublishedRole):
            _badge(painter, thumb_rect.right() - 20, thumb_rect.y() + 4, "✓", ALLOWED)

        text_color = palette.highlightedText().color() if selected else palette.text().color()
        painter.setPen(text_color)
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        title_rect = QRect(rect.x() + 6, thumb_rect.bottom() + 4, rect.width() - 12, 18)
        painter.drawText(
            title_rect,
            Qt.AlignmentFlag.AlignLeft,
            painter.fontMetrics().elidedText(work.title, Qt.TextElideMode.ElideRight, title_rect.width()),
        )
        font.setBold(False)
        font.setPointSizeF(max(6.0, option.font.pointSizeF() * 0.85))
        painter.setFont(font)
        # The license's title; elided where the card is narrow, whole in the card's tooltip.
        sub = f"{index.data(LicenseNameRole) or work.license_id} · {work.origin.value}"
        sub_rect = QRect(rect.x() + 6, title_rect.bottom() + 1, rect.width() - 12, 16)
        painter.drawText(
            sub_rect,
            Qt.AlignmentFlag.AlignLeft,
            painter.fontMetrics().elidedText(sub, Qt.TextElideMode.ElideRight, sub_rect.width()),
        )
        painter.restore()


def _badge(painter: QPainter, x: int, y: int, text: str, color: QColor) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawEllipse(x, y, 16, 16)
    painter.setPen(QColor(255, 255, 255))
    painter.drawText(QRect(x, y, 16, 16), Qt.AlignmentFlag.AlignCenter, text)


class GalleryView(QListView):
    """A static grid; double-click or Enter opens a work, a right-click offers what to do with it, and dropping
    image files on it asks to import them."""

    files_dropped = Signal(list)
    open_requested = Signal(int)  # row
    menu_requested = Signal(int, QPoint)  # row, global position

    def __init__(self, thumbnails: ThumbnailProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)  # a static grid lays out 10k uniform items lazily
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(400)
        self.setGridSize(CARD)
        self.setSpacing(0)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setItemDelegate(WorkDelegate(thumbnails, self))
        thumbnails.ready.connect(lambda _sha: self.viewport().update())

    # -- opening and the context menu ---------------------------------------------------------------------
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and event.button() == Qt.MouseButton.LeftButton:
            self.open_requested.emit(index.row())
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex().row())
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.indexAt(event.pos())
        if not index.isValid():
            return
        if not self.selectionModel().isSelected(index):
            self.setCurrentIndex(index)  # a right-click on an unselected card selects it, as in file managers
        self.menu_requested.emit(index.row(), event.globalPos())
        event.accept()

    # -- dropping files to import --------------------------------------------------------------------------
    @staticmethod
    def _files(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [
            Path(u.toLocalFile())
            for u in mime.urls()
            if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES
        ]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._files(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._files(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        files = self._files(event)
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit([str(f) for f in files])
        else:
            super().dropEvent(event)
