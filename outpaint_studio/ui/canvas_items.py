"""The scene's items: the canvas backdrop, its resizable frame, the source and the overhang."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QCursor,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QTransform,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from outpaint_studio.core.layout import GRID

HANDLE_PX = 7  # grab distance from the frame's edges, in screen pixels
SNAP_PX = 8  # how close to an edge or the centre a drag snaps, in screen pixels
ACCENT = QColor(38, 132, 255)

Edges = tuple[bool, bool, bool, bool]  # left, top, right, bottom


def view_scale(item: QGraphicsItem) -> float:
    scene = item.scene()
    views = scene.views() if scene is not None else []
    return views[0].transform().m11() if views else 1.0


def checker_brush(light: QColor, dark: QColor, cell: int = 8) -> QBrush:
    pixmap = QPixmap(cell * 2, cell * 2)
    pixmap.fill(light)
    painter = QPainter(pixmap)
    painter.fillRect(0, 0, cell, cell, dark)
    painter.fillRect(cell, cell, cell, cell, dark)
    painter.end()
    return QBrush(pixmap)


class CanvasBackdrop(QGraphicsRectItem):
    """The area to be generated: a quiet checkerboard under everything."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(-10)
        self.setPen(Qt.PenStyle.NoPen)
        self.setBrush(checker_brush(QColor(236, 236, 236), QColor(214, 214, 214)))
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)


class SourceItem(QGraphicsPixmapItem):
    """The source at its scaled size; drags snap to canvas edges, its centre and the grid."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(0)
        self.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        flags = QGraphicsItem.GraphicsItemFlag
        self.setFlags(flags.ItemIsMovable | flags.ItemSendsGeometryChanges | flags.ItemIsFocusable)
        self.setCursor(QCursor(Qt.CursorShape.SizeAllCursor))
        self.canvas_size = (0, 0)
        self.size = (0, 0)  # scaled source size, scene pixels
        self.snapping = True
        self.free = False  # Alt held: no snapping for this drag
        self._alt_at_press = False
        self.on_moved: Callable[[int, int], None] | None = None
        self.on_drag: Callable[[bool], None] | None = None  # True on press, False on release
        self.syncing = False

    def set_display(self, pixmap: QPixmap, size: tuple[int, int]) -> None:
        self.setPixmap(pixmap)
        self.set_size(size)

    def set_size(self, size: tuple[int, int]) -> None:
        self.size = size
        pixmap = self.pixmap()
        if pixmap.isNull():
            return
        self.setTransform(QTransform.fromScale(size[0] / pixmap.width(), size[1] / pixmap.height()))

    def snap_point(self, x: float, y: float) -> tuple[int, int]:
        if not self.snapping or self.free:
            return round(x), round(y)
        reach = SNAP_PX / max(view_scale(self), 1e-6)
        return (
            snap_axis(x, self.size[0], self.canvas_size[0], reach),
            snap_axis(y, self.size[1], self.canvas_size[1], reach),
        )

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        kind = QGraphicsItem.GraphicsItemChange
        if change == kind.ItemPositionChange and not self.syncing and isinstance(value, QPointF):
            x, y = self.snap_point(value.x(), value.y())
            return QPointF(x, y)
        if change == kind.ItemPositionHasChanged and not self.syncing and self.on_moved:
            self.on_moved(round(self.pos().x()), round(self.pos().y()))
        return super().itemChange(change, value)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.free = self._alt_at_press = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if event.button() == Qt.MouseButton.LeftButton and self.on_drag:
            self.on_drag(True)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        self.free = alt or self._alt_at_press
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.on_drag:
            self.on_drag(False)


def snap_axis(value: float, size: int, canvas: int, reach: float) -> int:
    """Edges and centre win when within ``reach``; otherwise the 16 px grid."""
    targets = (0, canvas - size, (canvas - size) // 2)
    best = min(targets, key=lambda t: abs(t - value))
    if abs(best - value) <= reach:
        return best
    return round(value / GRID) * GRID


class OverhangItem(QGraphicsPathItem):
    """Hatches the parts of the source that hang off the canvas."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(5)
        self.setPen(QPen(QColor(220, 60, 60), 0))
        self.setBrush(QBrush(QColor(220, 60, 60, 170), Qt.BrushStyle.BDiagPattern))
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def update_rects(self, source: QRectF, canvas: QRectF) -> None:
        path = QPainterPath()
        path.addRect(source)
        inside = QPainterPath()
        inside.addRect(canvas)
        self.setPath(path.subtracted(inside))


class CanvasFrame(QGraphicsItem):
    """The canvas outline with crop-tool handles; only its edges take the mouse."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(10)
        self.setAcceptHoverEvents(True)
        self.rect = QRectF()
        self.on_resize: Callable[[Edges, QPointF, str], None] | None = None
        self._edges: Edges | None = None

    def set_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self.rect = rect

    def _margin(self) -> float:
        return HANDLE_PX / max(view_scale(self), 1e-6)

    def boundingRect(self) -> QRectF:
        m = self._margin() * 2
        return self.rect.adjusted(-m, -m, m, m)

    def shape(self) -> QPainterPath:
        m = self._margin()
        path = QPainterPath()
        path.addRect(self.rect.adjusted(-m, -m, m, m))
        inner = QPainterPath()
        inner.addRect(self.rect.adjusted(m, m, -m, -m))
        return path.subtracted(inner)

    def edges_at(self, pos: QPointF) -> Edges:
        m = self._margin()
        r = self.rect
        return (
            abs(pos.x() - r.left()) <= m,
            abs(pos.y() - r.top()) <= m,
            abs(pos.x() - r.right()) <= m,
            abs(pos.y() - r.bottom()) <= m,
        )

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setPen(QPen(QColor(255, 255, 255, 200), 0))
        painter.drawRect(self.rect.adjusted(-1 / view_scale(self), -1 / view_scale(self), 0, 0))
        painter.setPen(QPen(ACCENT, 0))
        painter.drawRect(self.rect)
        size = 8 / max(view_scale(self), 1e-6)
        painter.setBrush(QColor(255, 255, 255))
        r = self.rect
        for x in (r.left(), r.center().x(), r.right()):
            for y in (r.top(), r.center().y(), r.bottom()):
                if x == r.center().x() and y == r.center().y():
                    continue
                painter.drawRect(QRectF(x - size / 2, y - size / 2, size, size))

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.setCursor(QCursor(cursor_for(self.edges_at(event.pos()))))

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        edges = self.edges_at(event.pos())
        if event.button() != Qt.MouseButton.LeftButton or not any(edges):
            event.ignore()
            return
        self._edges = edges
        if self.on_resize:
            self.on_resize(edges, QPointF(event.screenPos()), "press")

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._edges and self.on_resize:
            self.on_resize(self._edges, QPointF(event.screenPos()), "move")

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._edges and self.on_resize:
            self.on_resize(self._edges, QPointF(event.screenPos()), "release")
        self._edges = None


def cursor_for(edges: Edges) -> Qt.CursorShape:
    left, top, right, bottom = edges
    shape = Qt.CursorShape
    if (left and top) or (right and bottom):
        return shape.SizeFDiagCursor
    if (right and top) or (left and bottom):
        return shape.SizeBDiagCursor
    if left or right:
        return shape.SizeHorCursor
    if top or bottom:
        return shape.SizeVerCursor
    return shape.ArrowCursor
