"""The canvas view: scene pixels are canvas pixels; drag, nudge, resize, zoom, pan and drop."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

from outpaint_studio.core.editor import Geometry
from outpaint_studio.core.layout import GRID
from outpaint_studio.model.editor import EditorModel
from outpaint_studio.ui.body import canvas_backdrop
from outpaint_studio.ui.canvas_items import (
    CanvasBackdrop,
    CanvasFrame,
    Edges,
    Guide,
    OverhangItem,
    SnapGuides,
    SourceItem,
)
from outpaint_studio.ui.canvas_overlay import EmptyState, ZoomReadout
from outpaint_studio.ui.canvas_resize import ResizeDrag, resized

WORLD = 100_000.0  # the scene rect: room to scroll in any direction
ARROWS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}


def dropped_sources(urls: list[QUrl]) -> list[str]:
    """Local file paths and http(s) URLs among dropped URLs."""
    found = []
    for url in urls:
        if url.isLocalFile():
            found.append(url.toLocalFile())
        elif url.scheme() in ("http", "https"):
            found.append(url.toString())
    return found


class CanvasView(QGraphicsView):
    """Shows the canvas and the source; edits go to the model.

    The view follows the content (fits it again when the canvas or the source's size changes, or
    the view is resized) until the user zooms or pans; ``fit()`` makes it follow again.

    Signals:
        sources_dropped(list): paths or http(s) URLs dropped on the view.
        image_dropped(QImage): raw image data dropped on the view.
        open_requested: the empty state's Open button was clicked.
    """

    sources_dropped = Signal(list)
    image_dropped = Signal(QImage)
    open_requested = Signal()

    def __init__(self, model: EditorModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.empty_state = EmptyState(self.viewport())
        self.empty_state.open_requested.connect(self.open_requested)
        self.zoom_readout = ZoomReadout(self.viewport())
        self.setObjectName("canvasView")
        self.setAccessibleName("canvasView")
        self.setAccessibleDescription("The canvas: drag the source, drag edges to resize")
        self.setScene(QGraphicsScene(self))
        self.scene().setSceneRect(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD)
        self.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(canvas_backdrop(self))
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.backdrop = CanvasBackdrop()
        self.source_item = SourceItem()
        self.overhang = OverhangItem()
        self.frame = CanvasFrame()
        self.result_item = QGraphicsPixmapItem()
        self.result_item.setZValue(3)
        self.result_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.result_item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.guides = SnapGuides()
        items = (self.backdrop, self.source_item, self.overhang, self.frame, self.result_item,
                 self.guides)  # fmt: skip
        for item in items:
            self.scene().addItem(item)
        self.result_item.hide()
        self.source_item.hide()
        self.source_item.on_moved = self._item_moved
        self.source_item.on_drag = self._item_drag
        self.source_item.on_snapped = self._show_guides
        self.frame.on_resize = self._frame_resize
        self.follows_content = True
        self._content_key: tuple[int, ...] = ()
        self._drag_before: Geometry | None = None
        self._resize: ResizeDrag | None = None
        self._pan_from: QPoint | None = None
        self._space = False
        model.changed.connect(self.sync)
        self.sync()
        self._zoom_changed()

    # --- model -> view ----------------------------------------------------------------------

    def set_pixmap(self, pixmap: QPixmap) -> None:
        self.source_item.set_display(pixmap, self.model.state.scaled_source)
        self.source_item.show()
        self.sync()

    def set_snapping(self, on: bool) -> None:
        self.source_item.snapping = on

    def sync(self) -> None:
        state = self.model.state
        g = state.geometry
        empty = state.source_size is None
        self._show_empty_state()
        self.backdrop.setVisible(not empty)
        self.frame.setVisible(not empty)
        canvas = QRectF(0, 0, g.canvas_width, g.canvas_height)
        self.backdrop.setRect(canvas)
        self.frame.set_rect(canvas)
        placement = state.placement()
        item = self.source_item
        item.canvas_size = (g.canvas_width, g.canvas_height)
        if item.size != state.scaled_source:
            item.set_size(state.scaled_source)
        if item.pos() != QPointF(placement.x, placement.y):
            item.syncing = True
            item.setPos(placement.x, placement.y)
            item.syncing = False
        source = QRectF(placement.x, placement.y, *state.scaled_source)
        self.overhang.update_rects(source if item.isVisible() else QRectF(), canvas)
        content_key = (g.canvas_width, g.canvas_height, *state.scaled_source)
        if content_key != self._content_key:
            self._content_key = content_key
            self._refit()

    def show_result(self, image: QImage | None) -> None:
        if image is None or image.isNull():
            self.result_item.hide()
        else:
            self.result_item.setPixmap(QPixmap.fromImage(image))
            width = self.model.state.geometry.canvas_width  # a full-resolution result: fit it
            self.result_item.setScale(width / image.width() if image.width() > width else 1.0)
            self.result_item.show()
        self._show_empty_state()
        if self.model.state.source_size is None:  # a past result, seen with no image open
            self._refit()

    def _show_empty_state(self) -> None:
        """The drop area shows while the canvas has neither an image nor a result."""
        empty = self.model.state.source_size is None and not self.result_item.isVisible()
        self.empty_state.setVisible(empty)

    def set_compare(self, before: bool) -> None:
        """Hide the result while the user holds "compare"."""
        if not self.result_item.pixmap().isNull():
            self.result_item.setVisible(not before)

    # --- zoom and pan -----------------------------------------------------------------------

    def content_rect(self) -> QRectF:
        g = self.model.state.geometry
        rect = QRectF(0, 0, g.canvas_width, g.canvas_height)
        if self.source_item.isVisible():
            rect = rect.united(self.source_item.sceneBoundingRect())
        elif self.result_item.isVisible():  # a past result, seen with no image open
            rect = self.result_item.sceneBoundingRect()
        return rect

    def fit(self) -> None:
        """Fit the content in the view, and follow it from now on."""
        self.follows_content = True
        rect = self.content_rect()
        margin = max(rect.width(), rect.height()) * 0.06
        self.fitInView(
            rect.adjusted(-margin, -margin, margin, margin), Qt.AspectRatioMode.KeepAspectRatio
        )
        self._zoom_changed()

    def _refit(self) -> None:
        dragging = self._drag_before is not None or self._resize is not None
        if self.follows_content and not dragging:
            self.fit()

    def actual_size(self) -> None:
        self.zoom_to(1.0, self.mapToScene(self.viewport().rect().center()))

    def zoom_to(self, scale: float, centre: QPointF) -> None:
        """The user's zoom: ``scale`` screen pixels per canvas pixel, ``centre`` in the middle."""
        self.follows_content = False
        self.resetTransform()
        self.scale(scale, scale)
        self.centerOn(centre)
        self._zoom_changed()

    def zoom_by(self, factor: float) -> None:
        scale = self.transform().m11() * factor
        if 0.02 <= scale <= 32:
            self.follows_content = False
            self.scale(factor, factor)
            self._zoom_changed()

    def _zoom_changed(self) -> None:
        self.zoom_readout.show_zoom(self.transform().m11())
        self._place_overlays()

    def _place_overlays(self) -> None:
        """The overlays live on the viewport, which a scroll shifts with its children."""
        area = self.viewport().rect()
        self.empty_state.centre_in(area)
        self.zoom_readout.place_in(area)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self._place_overlays()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_overlays()
        self._refit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(1.2**steps)
        event.accept()

    def _scroll_quietly(self, by: QPointF) -> None:
        """Scroll the content by ``by`` viewport pixels without the replayed mouse move.

        QGraphicsView replays the last mouse move to the scene after every scroll; during a drag
        that would feed the scroll back into the drag.
        """
        self.setInteractive(False)
        try:
            bar_h, bar_v = self.horizontalScrollBar(), self.verticalScrollBar()
            bar_h.setValue(bar_h.value() + round(by.x()))
            bar_v.setValue(bar_v.value() + round(by.y()))
        finally:
            self.setInteractive(True)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        middle = event.button() == Qt.MouseButton.MiddleButton
        if middle or (self._space and event.button() == Qt.MouseButton.LeftButton):
            self._pan_from = event.position().toPoint()
            self.follows_content = False
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            point = event.position().toPoint()
            self._scroll_quietly(QPointF(self._pan_from - point))
            self._pan_from = point
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # --- keyboard ---------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if key in ARROWS and self.model.state.source_size is not None:
            step = GRID if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
            dx, dy = ARROWS[key]
            self.model.nudge(dx * step, dy * step)
            event.accept()
            return
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if key == Qt.Key.Key_Backslash and not event.isAutoRepeat():
            self.set_compare(True)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.isAutoRepeat():
            return
        if event.key() == Qt.Key.Key_Space:
            self._space = False
            self.viewport().unsetCursor()
        elif event.key() == Qt.Key.Key_Backslash:
            self.set_compare(False)
        super().keyReleaseEvent(event)

    # --- source drag and canvas resize -----------------------------------------------------

    def _item_drag(self, pressed: bool) -> None:
        if pressed:
            self._drag_before = self.model.state.geometry
            self.setFocus()
            return
        before, self._drag_before = self._drag_before, None
        self._show_guides([])
        if before is not None:
            self.model.edit(self.model.state.geometry, "Move source", before=before)

    def _show_guides(self, guides: list[Guide]) -> None:
        g = self.model.state.geometry
        self.guides.set_guides(guides, QRectF(0, 0, g.canvas_width, g.canvas_height))

    def _item_moved(self, x: int, y: int) -> None:
        self.model.set_geometry_live(self.model.state.moved_to(x, y))

    def _frame_resize(self, edges: Edges, screen_pos: QPointF, phase: str) -> None:
        """Resize by a frame handle, following the mouse in screen pixels.

        Screen pixels, not scene ones: the scroll that keeps the source in place moves the scene
        under a mouse that stays still, so scene positions would feed the drag back into itself.
        """
        if phase == "press":
            placement = self.model.state.placement()
            origin = (placement.x, placement.y)
            state = self.model.state.geometry
            self._resize = ResizeDrag(state, origin, screen_pos, self._source_in_view())
            return
        drag = self._resize
        if drag is None:
            return
        delta = (screen_pos - drag.press) / self.transform().m11()
        geometry = resized(drag.start, *drag.origin, edges, delta)
        self.model.set_geometry_live(geometry)
        self._scroll_quietly(self._source_in_view() - drag.source_at)
        if phase == "release":
            self._resize = None
            self.model.edit(geometry, "Resize canvas", before=drag.start)

    def _source_in_view(self) -> QPointF:
        placement = self.model.state.placement()
        return self.viewportTransform().map(QPointF(placement.x, placement.y))

    # --- drag and drop ----------------------------------------------------------------------

    def _accepts(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> bool:
        mime = event.mimeData()
        return bool(dropped_sources(mime.urls())) or mime.hasImage()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._accepts(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._accepts(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        sources = dropped_sources(mime.urls())
        if sources:
            event.acceptProposedAction()
            self.sources_dropped.emit(sources)
        elif mime.hasImage():
            event.acceptProposedAction()
            self.image_dropped.emit(QImage(mime.imageData()))
        else:
            event.ignore()
