"""What the view shows around the edits: refitting, the empty state, guides, the zoom readout."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QSpinBox


def content_shown_whole(view) -> bool:  # type: ignore[no-untyped-def]
    shown = view.mapFromScene(view.content_rect()).boundingRect()
    return view.viewport().rect().contains(shown)


def type_into(qtbot, window, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    box = window.findChild(QSpinBox, name)
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_the_view_refits_when_the_canvas_changes_until_the_user_zooms(loaded, qtbot) -> None:
    view = loaded.canvas
    type_into(qtbot, loaded, "canvasWidth", "1600")
    assert loaded.model.state.geometry.canvas_width == 1600
    assert content_shown_whole(view)
    loaded.model.undo_stack.undo()
    assert content_shown_whole(view)
    fitted = view.transform().m11()
    assert fitted > 1  # the small canvas is shown large again
    qtbot.keyClick(loaded, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    zoomed = view.transform()
    assert zoomed.m11() != fitted
    type_into(qtbot, loaded, "canvasWidth", "1600")
    assert view.transform() == zoomed  # the user's zoom is left alone
    qtbot.keyClick(loaded, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert content_shown_whole(view)
    loaded.model.undo_stack.undo()
    assert view.transform().m11() == fitted  # following the content again


def test_the_view_refits_when_the_window_or_the_dock_changes(loaded, qtbot) -> None:
    view = loaded.canvas
    before = view.transform().m11()
    loaded.resize(900, 600)
    qtbot.waitUntil(lambda: view.transform().m11() < before, timeout=3000)
    assert content_shown_whole(view)
    smaller = view.transform().m11()
    loaded.history_dock.close()
    qtbot.waitUntil(lambda: view.transform().m11() > smaller, timeout=3000)
    assert content_shown_whole(view)


def test_a_pan_keeps_the_users_view(loaded, qtbot) -> None:
    view = loaded.canvas
    viewport = view.viewport()
    middle = Qt.MouseButton.MiddleButton
    centre = viewport.rect().center()
    QTest.mousePress(viewport, middle, Qt.KeyboardModifier.NoModifier, centre)
    to = QPointF(centre + QPoint(40, 30))
    global_to = QPointF(viewport.mapToGlobal(to.toPoint()))
    no_key = Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(
        viewport, QMouseEvent(QEvent.Type.MouseMove, to, global_to, middle, middle, no_key)
    )
    QTest.mouseRelease(viewport, middle, no_key, to.toPoint())
    panned = view.mapFromScene(QPointF(0, 0))
    type_into(qtbot, loaded, "canvasHeight", "400")
    assert view.mapFromScene(QPointF(0, 0)) == panned


def test_the_empty_state_is_a_centred_drop_area_with_an_open_button(window, qtbot) -> None:
    view = window.canvas
    empty = view.empty_state
    assert empty.isVisible() and not view.frame.isVisible()
    centre = empty.mapTo(view.viewport(), empty.rect().center())
    assert (centre - view.viewport().rect().center()).manhattanLength() <= 2
    window.dialogs.answer("open_path", "")  # cancelled
    qtbot.mouseClick(empty.open_button, Qt.MouseButton.LeftButton)
    assert [kind for kind, *_ in window.dialogs.asked] == ["open_path"]


def test_the_empty_state_gives_way_to_the_image(loaded) -> None:
    view = loaded.canvas
    assert not view.empty_state.isVisible() and view.frame.isVisible()


def press_and_move(view, start: QPoint, to: QPoint) -> None:  # type: ignore[no-untyped-def]
    viewport = view.viewport()
    left, no_key = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, left, no_key, start)
    move_to(view, to)


def move_to(view, to: QPoint) -> None:  # type: ignore[no-untyped-def]
    viewport = view.viewport()
    left, no_key = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    global_to = QPointF(viewport.mapToGlobal(to))
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(to), global_to, left, left, no_key)
    QApplication.sendEvent(viewport, event)


def test_snap_guides_show_while_a_drag_snaps(loaded) -> None:
    view = loaded.canvas
    item = view.source_item
    g = loaded.model.state.geometry
    width = item.size[0]
    scale = view.transform().m11()
    x0 = item.pos().x()
    start = view.mapFromScene(QPointF(x0 + 40, item.pos().y() + 40))

    def at(x: float) -> QPoint:  # the mouse that puts the source's left edge at x
        return start + QPoint(round((x - x0) * scale), 0)

    def guides() -> list[tuple[bool, float, str]]:
        return [(g.vertical, g.position, g.kind) for g in view.guides.guides]

    press_and_move(view, start, at(2))
    assert item.pos().x() == 0
    assert (True, 0, "edge") in guides()
    move_to(view, at(g.canvas_width - width - 1))
    assert (True, g.canvas_width, "edge") in guides()
    move_to(view, at((g.canvas_width - width) // 2 + 1))
    assert (True, g.canvas_width / 2, "centre") in guides()
    move_to(view, at(-41))
    assert item.pos().x() == -48
    assert (True, -48, "grid") in guides()
    assert view.guides.boundingRect().contains(QPointF(-48, 10))
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       at(-41))  # fmt: skip
    assert view.guides.guides == []


def test_the_zoom_readout_follows_the_zoom(loaded, qtbot) -> None:
    view = loaded.canvas
    readout = view.zoom_readout
    assert readout.isVisible()
    assert readout.text() == f"{view.transform().m11() * 100:.0f} %"
    qtbot.keyClick(loaded, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert readout.text() == "100 %"
    qtbot.keyClick(loaded, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert readout.text() == "125 %"
    corner = readout.geometry().bottomRight()
    assert view.viewport().rect().contains(corner)
    assert (view.viewport().rect().bottomRight() - corner).manhattanLength() < 30
