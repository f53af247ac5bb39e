"""Painting an inpaint mask over the parent image: left button paints the area to repaint, right button erases.

The mask is kept at the parent's own pixel size (white = repaint), whatever size the canvas is shown at.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

OVERLAY = QColor(230, 60, 60, 130)


MIN_SIDE = 96


class MaskCanvas(QWidget):
    mask_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.mask = QImage()
        self._overlay = QImage()
        self.brush = 24  # in the image's pixels
        self._painted = False
        self._erasing = False
        # It takes the room the panel has left and gives it back on a short screen, so the brush under it and the
        # settings above stay in view (a 64 px image still shows at half again its size).
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(MIN_SIDE, MIN_SIDE)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def sizeHint(self) -> QSize:
        # As short as its minimum: the panel scrolls by its wanted height, and the canvas expands into any room left.
        return QSize(280, MIN_SIDE)

    def set_image(self, image: QImage | None) -> None:
        self.image = image if image is not None else QImage()
        if self.image.isNull():
            self.mask = QImage()
            self._overlay = QImage()
        else:
            self.mask = QImage(self.image.size(), QImage.Format.Format_Grayscale8)
            self.mask.fill(0)
            self._overlay = QImage(self.image.size(), QImage.Format.Format_ARGB32_Premultiplied)
            self._overlay.fill(Qt.GlobalColor.transparent)
        changed = self._painted
        self._painted = False
        self.update()
        if changed:
            self.mask_changed.emit()

    def has_mask(self) -> bool:
        return self._painted

    def clear(self) -> None:
        self.set_image(self.image)

    def save_mask(self, path: Path) -> Path:
        if not self.mask.save(str(path), "PNG"):
            raise OSError(f"could not write the mask to {path}")
        return path

    # -- painting -----------------------------------------------------------------------------------------
    def _target(self) -> QRectF:
        if self.image.isNull():
            return QRectF()
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        rect = QRectF(0, 0, size.width(), size.height())
        rect.moveCenter(QRectF(self.rect()).center())
        return rect

    def _to_image(self, pos: QPointF) -> QPointF | None:
        target = self._target()
        if target.isEmpty() or not target.contains(pos):
            return None
        scale = self.image.width() / target.width()
        return QPointF((pos.x() - target.x()) * scale, (pos.y() - target.y()) * scale)

    def paint_at(self, point: QPointF, *, erase: bool = False) -> None:
        """Paint (or erase) one brush dab at `point`, in the image's pixels."""
        if self.mask.isNull():
            return
        radius = self.brush / 2
        for target, colour in (
            (self.mask, QColor(0 if erase else 255, 0 if erase else 255, 0 if erase else 255)),
            (self._overlay, Qt.GlobalColor.transparent if erase else OVERLAY),
        ):
            painter = QPainter(target)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            if erase and target is self._overlay:
                painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
            else:
                painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(point, radius, radius)
            painter.end()
        was = self._painted
        self._painted = self._any_painted() if erase else True
        self.update()
        if was != self._painted:  # the panel cares whether there is a mask, not about every dab
            self.mask_changed.emit()

    def _any_painted(self) -> bool:
        bits = self.mask.constBits()
        return any(bytes(bits))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._erasing = event.button() == Qt.MouseButton.RightButton
        point = self._to_image(event.position())
        if point is not None:
            self.paint_at(point, erase=self._erasing)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & (Qt.MouseButton.LeftButton | Qt.MouseButton.RightButton):
            point = self._to_image(event.position())
            if point is not None:
                self.paint_at(point, erase=self._erasing)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self.image.isNull():
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                "Select one image to paint an inpaint mask on it",
            )
            return
        target = self._target()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, self.image)
        painter.drawImage(target, self._overlay)
