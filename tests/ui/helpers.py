"""Driving the canvas like a user: drops and mouse drags on the view's viewport."""

from __future__ import annotations

from pathlib import Path

from frame_handles import HANDLES
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsView, QMainWindow, QMenu


def drag_event(kind: type[QDragMoveEvent], pos: QPoint, *details: object) -> QDragMoveEvent:
    """A drag-enter or drag-move event at ``pos``: Qt 6.12 takes a QPointF and deprecates the
    QPoint that earlier versions take only."""
    try:
        return kind(QPointF(pos), *details)
    except TypeError:
        return kind(pos, *details)


def drop_urls(view: QGraphicsView, urls: list[QUrl]) -> bool:
    """Send drag-enter, drag-move and drop to the viewport; returns whether the drop was taken."""
    mime = QMimeData()
    mime.setUrls(urls)
    target = view.viewport()
    pos = target.rect().center()
    action = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = drag_event(QDragEnterEvent, pos, action, mime, buttons, mods)
    QApplication.sendEvent(target, enter)
    move = drag_event(QDragMoveEvent, pos, action, mime, buttons, mods)
    QApplication.sendEvent(target, move)
    if not move.isAccepted():
        return False
    drop = QDropEvent(QPointF(pos), action, mime, buttons, mods)
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def drop_file(view: QGraphicsView, path: Path) -> bool:
    return drop_urls(view, [QUrl.fromLocalFile(str(path))])


def menu_titled(window: QMainWindow, title: str) -> QMenu:
    """The menu bar's menu called ``title`` (with its ``&``). Not ``QAction.menu()``: before
    PySide6 6.11 its wrapper dies with the action's, an "already deleted" error a line later."""
    return next(m for m in window.menuBar().findChildren(QMenu) if m.title() == title)


def scene_to_viewport(view: QGraphicsView, x: float, y: float) -> QPoint:
    return view.mapFromScene(QPointF(x, y))


def drag(
    view: QGraphicsView,
    start: QPoint,
    end: QPoint,
    steps: int = 5,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """A left-button drag on the viewport, in several moves, with ``modifiers`` held."""
    viewport = view.viewport()
    left = Qt.MouseButton.LeftButton
    QTest.mouseMove(viewport, start)
    QTest.mousePress(viewport, left, modifiers, start)
    for i in range(1, steps + 1):
        point = QPointF(start + (end - start) * (i / steps))
        global_point = QPointF(viewport.mapToGlobal(point.toPoint()))
        move = QMouseEvent(QEvent.Type.MouseMove, point, global_point, left, left, modifiers)
        QApplication.sendEvent(viewport, move)  # QTest.mouseMove would drop the modifiers
    QTest.mouseRelease(viewport, left, modifiers, end)


def open_with_flux(window, sim, photo: Path, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The key and API URL pointing at the simulator, FLUX chosen, and ``photo`` loaded."""
    monkeypatch.setenv("BFL_API_KEY", sim.config.api_key)
    monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", sim.base_url)
    window.model.set_options(engine="bfl")
    window.open_image(photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)


def handle_point(view: QGraphicsView, handle: str) -> QPointF:
    """The scene point of one of the canvas frame's eight handles."""
    fx, fy = HANDLES[handle]
    rect = view.frame.rect  # type: ignore[attr-defined]
    return QPointF(rect.left() + fx * rect.width(), rect.top() + fy * rect.height())


def zoom_on(view: QGraphicsView, point: QPointF, zoom: float | None) -> None:
    """Zoom to ``zoom`` (None: fitted) with ``point`` at the middle of the view."""
    if zoom is None:
        view.fit()  # type: ignore[attr-defined]
        return
    view.resetTransform()
    view.scale(zoom, zoom)
    view.centerOn(point)
