"""The lineage of the selected work as a graph: ancestors above, descendants below, thumbnails as nodes,
edges labelled with how each child came from its parent; models and LoRAs shown as tools, flagged works
outlined in red. Clicking a node selects that work (and re-centres the graph on it)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QLabel,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from studio.app.lineage_layout import edge_label, layout
from studio.app.session import StudioSession
from studio.app.values import Edge, Relation, StudioError, Work, WorkKind
from studio.ui.theme import ACCENT, REFUSED
from studio.ui.thumbnails import ThumbnailProvider

NODE_W, NODE_H = 132, 150
GAP_X, GAP_Y = 48, 96
THUMB = 104
TOOL_H = 56


TOOL_KINDS = {WorkKind.model: "MODEL", WorkKind.lora: "LoRA", WorkKind.collection: "TRAINING SET"}


class NodeItem(QGraphicsObject):
    clicked = Signal(str)

    def __init__(self, work: Work, *, current: bool, thumbnails: ThumbnailProvider, license_name: str = "") -> None:
        super().__init__()
        self.work = work
        self.current = current
        self.thumbnails = thumbnails
        self.tool = work.kind is not WorkKind.image
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(
            f"{work.title}\n{license_name or work.license_id} · {work.id}"
            + ("\n⚠ " + "\n⚠ ".join(str(f.get("message", "flagged")) for f in work.flags) if work.flags else "")
        )
        self.setAcceptHoverEvents(True)

    @property
    def height(self) -> float:
        return TOOL_H if self.tool else NODE_H

    def boundingRect(self) -> QRectF:
        return QRectF(-NODE_W / 2 - 3, -self.height / 2 - 3, NODE_W + 6, self.height + 6)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        palette = widget.palette() if widget is not None else None
        base = palette.base().color() if palette else QColor(255, 255, 255)
        text = palette.text().color() if palette else QColor(0, 0, 0)
        rect = QRectF(-NODE_W / 2, -self.height / 2, NODE_W, self.height)
        border = (
            QPen(ACCENT, 3)
            if self.current
            else QPen(text.lighter(160) if text.lightness() < 128 else text.darker(160), 1)
        )
        if self.work.flagged:
            border = QPen(REFUSED, 3, Qt.PenStyle.DashLine if not self.current else Qt.PenStyle.SolidLine)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(border)
        painter.setBrush(base)
        painter.drawRoundedRect(rect, 16 if self.tool else 8, 16 if self.tool else 8)
        painter.setPen(text)
        font = QFont(painter.font())
        if self.tool:
            font.setBold(True)
            painter.setFont(font)
            kind = TOOL_KINDS.get(self.work.kind, self.work.kind.value.upper())
            painter.drawText(rect.adjusted(8, 6, -8, -rect.height() / 2), Qt.AlignmentFlag.AlignCenter, kind)
            font.setBold(False)
            painter.setFont(font)
            painter.drawText(
                rect.adjusted(8, rect.height() / 2 - 4, -8, -6),
                Qt.AlignmentFlag.AlignCenter,
                painter.fontMetrics().elidedText(self.work.title, Qt.TextElideMode.ElideRight, NODE_W - 16),
            )
            return
        thumb = QRectF(-THUMB / 2, rect.top() + 6, THUMB, THUMB)
        pixmap = self.thumbnails.pixmap(self.work)
        if pixmap is not None and not pixmap.isNull():
            size = pixmap.size().scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF(0, 0, size.width(), size.height())
            target.moveCenter(thumb.center())
            painter.drawPixmap(target.toRect(), pixmap)
        else:
            painter.fillRect(thumb, QBrush(text.lighter(170) if text.lightness() < 128 else text.darker(300)))
        label = painter.fontMetrics().elidedText(self.work.title, Qt.TextElideMode.ElideRight, NODE_W - 12)
        painter.drawText(
            QRectF(rect.left() + 6, thumb.bottom() + 4, NODE_W - 12, 18), Qt.AlignmentFlag.AlignCenter, label
        )
        if self.work.flagged:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(REFUSED)
            painter.drawEllipse(QPointF(rect.right() - 12, rect.top() + 12), 9, 9)
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(QRectF(rect.right() - 21, rect.top() + 3, 18, 18), Qt.AlignmentFlag.AlignCenter, "!")

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.work.id)
            event.accept()
            return
        super().mousePressEvent(event)


class EdgeItem(QGraphicsItem):
    def __init__(self, edge: Edge, start: QPointF, end: QPointF, colour: QColor, *, sideways: bool = False) -> None:
        super().__init__()
        self.edge = edge
        self.sideways = sideways
        self.label = edge_label(edge)
        self.start, self.end, self.colour = start, end, colour
        self.setZValue(-1)

    def boundingRect(self) -> QRectF:
        return QRectF(self.start, self.end).normalized().adjusted(-80, -20, 80, 20)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        tool = self.edge.relation in (Relation.generated_with, Relation.styled_with)
        painter.setPen(QPen(self.colour, 1.5, Qt.PenStyle.DashLine if tool else Qt.PenStyle.SolidLine))
        path = QPainterPath(self.start)
        tip = self.end
        if self.sideways:
            # Ends horizontally at the child's left side; the arrow points right.
            mid_x = (self.start.x() + self.end.x()) / 2
            path.cubicTo(QPointF(mid_x, self.start.y()), QPointF(mid_x, self.end.y()), self.end)
            left, right = QPointF(tip.x() - 9, tip.y() - 5), QPointF(tip.x() - 9, tip.y() + 5)
        else:
            # Ends vertically at the child's top; lineage reads downwards, from parents to what came of them.
            mid_y = (self.start.y() + self.end.y()) / 2
            path.cubicTo(QPointF(self.start.x(), mid_y), QPointF(self.end.x(), mid_y), self.end)
            left, right = QPointF(tip.x() - 5, tip.y() - 9), QPointF(tip.x() + 5, tip.y() - 9)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.setBrush(self.colour)
        painter.drawPolygon(QPolygonF([tip, left, right]))
        middle = path.pointAtPercent(0.5)
        metrics = painter.fontMetrics()
        width = metrics.horizontalAdvance(self.label) + 10
        box = QRectF(middle.x() - width / 2, middle.y() - 9, width, 18)
        bg = widget.palette().window().color() if widget is not None else QColor(255, 255, 255)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg)
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(self.colour)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.label)


class LineageGraphView(QGraphicsView):
    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
            self.scale(factor, factor)
            return
        super().wheelEvent(event)


class LineageView(QWidget):
    work_clicked = Signal(str)

    def __init__(self, session: StudioSession, thumbnails: ThumbnailProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.thumbnails = thumbnails
        self.scene = QGraphicsScene(self)
        self.view = LineageGraphView(self.scene, self)
        self.summary = QLabel(wordWrap=True)
        layout_ = QVBoxLayout(self)
        layout_.setContentsMargins(6, 6, 6, 6)
        layout_.addWidget(self.summary)
        layout_.addWidget(self.view, 1)
        self.nodes: dict[str, NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.work_id: str | None = None
        session.selection_changed.connect(self.refresh)
        session.library_changed.connect(self.refresh)
        thumbnails.ready.connect(lambda _sha: self.scene.update())
        self.refresh()

    def refresh(self) -> None:
        work = self.session.current()
        self.show_work(work.id if work is not None else None)

    def show_work(self, work_id: str | None) -> None:
        self.scene.clear()
        self.nodes.clear()
        self.edges.clear()
        self.work_id = work_id
        if work_id is None:
            self.summary.setText("<i>Select a work to see where it came from and what was made from it.</i>")
            return
        try:
            lineage = self.session.lineage(work_id)
        except StudioError as exc:
            self.summary.setText(str(exc))
            return
        tools = {i for i, w in lineage.works.items() if w.kind is not WorkKind.image}
        graph = layout(work_id, lineage.edges, tools)
        positions: dict[str, QPointF] = {}
        for spot in graph.nodes:
            work = lineage.works.get(spot.id)
            if work is None:
                continue
            node = NodeItem(work, current=spot.id == work_id, thumbnails=self.thumbnails,
                            license_name=self._license_name(work.license_id))
            pos = QPointF(spot.column * (NODE_W + GAP_X), spot.row * (NODE_H + GAP_Y))
            node.setPos(pos)
            node.clicked.connect(self._clicked)
            self.scene.addItem(node)
            self.nodes[spot.id] = node
            positions[spot.id] = pos
        colour = self.palette().text().color()
        for edge in graph.edges:
            if edge.parent_id not in self.nodes or edge.child_id not in self.nodes:
                continue
            parent, child = self.nodes[edge.parent_id], self.nodes[edge.child_id]
            if edge.parent_id in tools and edge.parent_id != work_id:
                # A tool sits left of the chain: its edge leaves its right side and enters the child's left.
                start = positions[edge.parent_id] + QPointF(NODE_W / 2, 0)
                end = positions[edge.child_id] - QPointF(NODE_W / 2, 0)
                item = EdgeItem(edge, start, end, colour, sideways=True)
            else:
                start = positions[edge.parent_id] + QPointF(0, parent.height / 2)
                end = positions[edge.child_id] - QPointF(0, child.height / 2)
                item = EdgeItem(edge, start, end, colour)
            self.scene.addItem(item)
            self.edges.append(item)
        # Counted from what is drawn, so the line and the graph agree.
        kinds = [self.nodes[n.id].work.kind for n in lineage.ancestors if n.id in self.nodes]
        up = kinds.count(WorkKind.image)
        models = kinds.count(WorkKind.model) + kinds.count(WorkKind.lora)
        sets = kinds.count(WorkKind.collection)
        down = sum(1 for n in lineage.descendants if n.id in self.nodes)
        flagged = sum(1 for w in lineage.works.values() if w.flagged)
        parts = [
            f"<b>{_escape(lineage.work.title)}</b>: {up} image ancestor{'s' if up != 1 else ''}",
            f"{models} model{'s' if models != 1 else ''}/LoRA{'s' if models != 1 else ''}",
        ]
        if sets:
            parts.append(f"{sets} training set{'s' if sets != 1 else ''}")
        parts.append(f"{down} descendant{'s' if down != 1 else ''}")
        if flagged:
            parts.append(f"<span style='color:{REFUSED.name()}'>{flagged} flagged</span>")
        self.summary.setText(", ".join(parts) + ". Click a work to follow it.")
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-40, -40, 40, 40))
        self.fit()

    def fit(self) -> None:
        """Show the whole graph at most at full size, centred on the selected work."""
        rect = self.scene.sceneRect()
        viewport = self.view.viewport().size()
        self.view.resetTransform()
        if rect.width() > viewport.width() or rect.height() > viewport.height():
            self.view.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        node = self.nodes.get(self.work_id or "")
        if node is not None:
            self.view.centerOn(node)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit()

    def _license_name(self, license_id: str) -> str:
        try:
            return self.session.license_name(license_id)
        except StudioError:
            return license_id

    def _clicked(self, work_id: str) -> None:
        self.work_clicked.emit(work_id)
        if work_id != self.work_id:
            # Selecting rebuilds the scene, which deletes the node still handling this click: do it after.
            QTimer.singleShot(0, self, lambda: self.session.select([work_id]))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
