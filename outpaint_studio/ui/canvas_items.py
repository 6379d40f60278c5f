"""The scene's items: the canvas backdrop, its resizable frame, the source and the overhang."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    """The source at its scaled size; drags snap to canvas edges, its centre and the grid.

    Ctrl (as in Photoshop) or Alt held during a drag places the source freely.
    """

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
        self.free = False  # Ctrl or Alt held: no snapping
        self.on_moved: Callable[[int, int], None] | None = None
        self.on_drag: Callable[[bool], None] | None = None  # True on press, False on release
        self.on_snapped: Callable[[list[Guide]], None] | None = None  # the guides of a drag
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

    def snap_point(self, x: float, y: float) -> tuple[int, int, list[Guide]]:
        """Where a drag to ``x, y`` lands, and the guides that show why."""
        if not self.snapping or self.free:
            return round(x), round(y), []
        reach = SNAP_PX / max(view_scale(self), 1e-6)
        x_snap = snap_axis(x, self.size[0], self.canvas_size[0], reach)
        y_snap = snap_axis(y, self.size[1], self.canvas_size[1], reach)
        guides = [Guide(True, x_snap.guide, x_snap.kind), Guide(False, y_snap.guide, y_snap.kind)]
        return x_snap.value, y_snap.value, guides

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        kind = QGraphicsItem.GraphicsItemChange
        if change == kind.ItemPositionChange and not self.syncing and isinstance(value, QPointF):
            x, y, guides = self.snap_point(value.x(), value.y())
            if self.on_snapped:
                self.on_snapped(guides)
            return QPointF(x, y)
        if change == kind.ItemPositionHasChanged and not self.syncing and self.on_moved:
            self.on_moved(round(self.pos().x()), round(self.pos().y()))
        return super().itemChange(change, value)

    def _follow_modifiers(self, event: QGraphicsSceneMouseEvent) -> None:
        self.free = bool(event.modifiers() & FREE_MODIFIERS)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._follow_modifiers(event)
        if event.button() == Qt.MouseButton.LeftButton and self.on_drag:
            self.on_drag(True)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._follow_modifiers(event)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.on_drag:
            self.on_drag(False)


FREE_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


@dataclass(frozen=True)
class Guide:
    """A line drawn while a drag snaps: across the canvas at ``position`` on one axis."""

    vertical: bool  # a vertical line, at x = position; else horizontal, at y = position
    position: float
    kind: str  # "edge", "centre" or "grid"


@dataclass(frozen=True)
class AxisSnap:
    value: int  # where the source's edge lands
    guide: float  # where the line that shows it goes
    kind: str


def snap_axis(value: float, size: int, canvas: int, reach: float) -> AxisSnap:
    """Edges and centre win when within ``reach``; otherwise the 16 px grid."""
    centred = (canvas - size) // 2
    targets = (
        AxisSnap(0, 0, "edge"),
        AxisSnap(canvas - size, canvas, "edge"),
        AxisSnap(centred, centred + size / 2, "centre"),
    )
    best = min(targets, key=lambda t: abs(t.value - value))
    if abs(best.value - value) <= reach:
        return best
    on_grid = round(value / GRID) * GRID
    return AxisSnap(on_grid, on_grid, "grid")


class SnapGuides(QGraphicsItem):
    """The guides of the snapping drag under way: solid for edges and centre, dashed for grid."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(20)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.canvas = QRectF()
        self.guides: list[Guide] = []

    def set_guides(self, guides: list[Guide], canvas: QRectF) -> None:
        if (guides, canvas) == (self.guides, self.canvas):
            return
        self.prepareGeometryChange()
        self.guides, self.canvas = guides, canvas

    def boundingRect(self) -> QRectF:
        m = GUIDE_OVERSHOOT
        return self.canvas.adjusted(-m, -m, m, m) if self.guides else QRectF()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        r = self.boundingRect()
        for guide in self.guides:
            style = Qt.PenStyle.DashLine if guide.kind == "grid" else Qt.PenStyle.SolidLine
            pen = QPen(GUIDE_COLOURS[guide.kind], 0, style)
            painter.setPen(pen)
            if guide.vertical:
                painter.drawLine(
                    QPointF(guide.position, r.top()), QPointF(guide.position, r.bottom())
                )
            else:
                painter.drawLine(
                    QPointF(r.left(), guide.position), QPointF(r.right(), guide.position)
                )


GUIDE_OVERSHOOT = 64.0  # how far guides run past the canvas, scene pixels
GUIDE_COLOURS = {
    "edge": QColor(255, 0, 170),
    "centre": QColor(255, 0, 170),
    "grid": QColor(38, 132, 255, 160),
}


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
