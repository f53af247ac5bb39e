"""A royalty split drawn with QPainter: a donut of shares beside a legend with each share's percent."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from studio.app.royalty_view import Slice, percent_text
from studio.ui.theme import ACCENT

ANCESTOR_COLOURS = [
    QColor(230, 126, 34),
    QColor(155, 89, 182),
    QColor(26, 188, 156),
    QColor(231, 76, 60),
    QColor(241, 196, 15),
    QColor(52, 152, 219),
    QColor(149, 165, 166),
    QColor(211, 84, 0),
]
DONUT = 150
ROW = 22


def colour_for(index: int, slice_: Slice) -> QColor:
    return ACCENT if slice_.is_creator else ANCESTOR_COLOURS[index % len(ANCESTOR_COLOURS)]


class RoyaltyChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._slices: list[Slice] = []
        self._caption = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    @property
    def slices(self) -> list[Slice]:
        return list(self._slices)

    def set_slices(self, slices: Sequence[Slice], caption: str = "") -> None:
        self._slices = list(slices)
        self._caption = caption
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, max(DONUT + 20, 28 + ROW * len(self._slices)))

    def minimumSizeHint(self) -> QSize:
        return QSize(DONUT + 140, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        if not self._slices:
            painter.setPen(palette.placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No work selected")
            return
        ring = QRectF(10, 10, DONUT, DONUT)
        start = 90 * 16
        total = sum(s.percent for s in self._slices) or 1.0
        pen = QPen(palette.window().color(), 2)
        for i, s in enumerate(self._slices):
            span = -round(s.percent / total * 360 * 16)
            if span == 0 and s.percent > 0:
                span = -1
            painter.setPen(pen)
            painter.setBrush(colour_for(i, s))
            painter.drawPie(ring, start, span)
            start += span
        hole = ring.adjusted(DONUT * 0.28, DONUT * 0.28, -DONUT * 0.28, -DONUT * 0.28)
        painter.setBrush(palette.window())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(hole)
        painter.setPen(palette.windowText().color())
        creator = next((s for s in self._slices if s.is_creator), None)
        if creator is not None:
            painter.drawText(hole, Qt.AlignmentFlag.AlignCenter, f"keeps\n{percent_text(creator.percent)}")

        x = int(ring.right()) + 20
        y = 12
        if self._caption:
            font = painter.font()
            font.setBold(True)
            painter.setFont(font)
            painter.drawText(x, y, self.width() - x - 8, ROW, Qt.AlignmentFlag.AlignVCenter, self._caption)
            font.setBold(False)
            painter.setFont(font)
            y += ROW
        metrics = painter.fontMetrics()
        for i, s in enumerate(self._slices):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour_for(i, s))
            painter.drawRoundedRect(QRectF(x, y + 5, 12, 12), 2, 2)
            painter.setPen(palette.windowText().color())
            amount = percent_text(s.percent)
            amount_width = metrics.horizontalAdvance(amount) + 4
            label_width = max(10, self.width() - x - 26 - amount_width - 8)
            indent = "  " * max(0, s.depth - 1)
            label = metrics.elidedText(indent + s.label, Qt.TextElideMode.ElideRight, label_width)
            painter.drawText(x + 20, y, label_width, ROW, Qt.AlignmentFlag.AlignVCenter, label)
            painter.drawText(
                self.width() - amount_width - 8,
                y,
                amount_width,
                ROW,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                amount,
            )
            y += ROW
