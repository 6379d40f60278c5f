"""Bringing a source in and placing it: drops, drags, typed offsets, snapping, nudging."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import drag, drop_file, scene_to_viewport
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QSpinBox

from outpaint_studio.core.layout import expand_around


def spin(window: object, name: str) -> QSpinBox:
    return window.findChild(QSpinBox, name)  # type: ignore[attr-defined]


def test_drop_a_file_shows_the_source(window, small_photo: Path, qtbot) -> None:
    view = window.canvas
    assert drop_file(view, small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    assert window.model.state.source_size == (160, 128)
    assert view.source_item.isVisible()
    assert not view.source_item.pixmap().isNull()
    width, height = expand_around(160, 128, 1.25)
    assert (spin(window, "canvasWidth").value(), spin(window, "canvasHeight").value()) == (
        width,
        height,
    )
    assert window.options_panel.extend_button.isEnabled()


def test_a_broken_file_shows_a_message_and_changes_nothing(loaded, tmp_path, qtbot) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image at all")
    before = loaded.model.state
    assert drop_file(loaded.canvas, broken)
    qtbot.waitUntil(loaded.banner.isVisible, timeout=5000)
    assert "not an image" in loaded.banner.label.text()
    assert loaded.model.state == before


def test_dragging_the_source_moves_offsets_and_request(loaded, qtbot) -> None:
    view = loaded.canvas
    loaded.canvas.set_snapping(False)
    item = view.source_item
    start = scene_to_viewport(view, item.pos().x() + 50, item.pos().y() + 40)
    scale = view.transform().m11()
    end = start + QPoint(round(-30 * scale), round(20 * scale))
    x0, y0 = item.pos().x(), item.pos().y()
    drag(view, start, end)
    x, y = spin(loaded, "offsetX").value(), spin(loaded, "offsetY").value()
    assert abs(x - (x0 - 30)) <= 2 and abs(y - (y0 + 20)) <= 2
    assert (item.pos().x(), item.pos().y()) == (x, y)
    request = loaded.model.state.request()
    assert (request.reference_offset_x, request.reference_offset_y) == (x, y)
    assert loaded.model.undo_stack.count() == 1


def test_typing_offsets_moves_the_item(loaded, qtbot) -> None:
    box = spin(loaded, "offsetX")
    box.selectAll()
    qtbot.keyClicks(box, "7")
    box_y = spin(loaded, "offsetY")
    box_y.selectAll()
    qtbot.keyClicks(box_y, "-12")
    item = loaded.canvas.source_item
    assert (item.pos().x(), item.pos().y()) == (7, -12)
    request = loaded.model.state.request()
    assert (request.reference_offset_x, request.reference_offset_y) == (7, -12)
    # hanging off the top edge: hatched, Extend refused with the reason, auto-crop allows it
    assert not loaded.canvas.overhang.path().isEmpty()
    assert not loaded.options_panel.extend_button.isEnabled()
    assert "12 px off the top:" in loaded.options_panel.reason.text()
    qtbot.mouseClick(loaded.layout_panel.auto_crop, Qt.MouseButton.LeftButton)
    assert loaded.options_panel.extend_button.isEnabled()


def test_drag_snaps_to_the_edge_and_the_grid(loaded, qtbot) -> None:
    view = loaded.canvas
    item = view.source_item
    x0 = item.pos().x()  # centred: (208 - 160) // 2 = 24
    scale = view.transform().m11()
    start = scene_to_viewport(view, x0 + 60, 60)
    drag(view, start, start + QPoint(round(-21 * scale), 0))  # to x = 3: near the left edge
    assert item.pos().x() == 0
    start = scene_to_viewport(view, 60, 60)
    drag(view, start, start + QPoint(round(29 * scale), 0))  # to x = 29: off the edges
    assert item.pos().x() in (24, 32)  # the centre (24) or the 16 px grid (32)
    assert spin(loaded, "offsetX").value() == item.pos().x()


def test_arrow_keys_nudge(loaded, qtbot) -> None:
    view = loaded.canvas
    view.setFocus()
    x, y = loaded.model.state.placement().x, loaded.model.state.placement().y
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert spin(loaded, "offsetX").value() == x + 1
    assert spin(loaded, "offsetY").value() == y + 16
    assert view.source_item.pos().x() == x + 1


def test_resizing_the_canvas_by_its_left_edge_keeps_the_source(loaded, qtbot) -> None:
    view = loaded.canvas
    width = loaded.model.state.geometry.canvas_width
    x0 = loaded.model.state.placement().x
    start = scene_to_viewport(view, 0, 80)
    scale = view.transform().m11()
    drag(view, start, start - QPoint(round(32 * scale), 0))
    state = loaded.model.state
    assert state.geometry.canvas_width == width + 32
    assert state.placement().x == x0 + 32
    assert spin(loaded, "canvasWidth").value() == width + 32


@pytest.mark.parametrize(
    "held", [Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier]
)
def test_ctrl_or_alt_drag_does_not_snap(loaded, held, qtbot) -> None:
    view = loaded.canvas
    item = view.source_item
    scale = view.transform().m11()
    start = scene_to_viewport(view, item.pos().x() + 60, 60)
    end = start + QPoint(round(-21 * scale), 0)  # to x = 3: near the left edge
    drag(view, start, end, modifiers=held)
    assert item.pos().x() not in (0, 16, 24)
    assert spin(loaded, "offsetX").value() == item.pos().x()
    assert not view.guides.guides
    drag(view, end, start + QPoint(round(-22 * scale), 0))  # no key held: snaps again
    assert item.pos().x() == 0


def test_drop_an_http_url_downloads_it(window, small_photo: Path, qtbot) -> None:
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from helpers import drop_urls
    from PySide6.QtCore import QUrl

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(small_photo.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{small_photo.name}"
        assert drop_urls(window.canvas, [QUrl(url)])
        qtbot.waitUntil(lambda: window.source is not None, timeout=10000)
    finally:
        server.shutdown()
        server.server_close()
    assert window.model.state.source_size == (160, 128)
    assert "downloads" in (window.model.state.source_path or "")


def test_a_drop_of_other_things_is_refused(window, qtbot) -> None:
    from helpers import drop_urls
    from PySide6.QtCore import QUrl

    assert not drop_urls(window.canvas, [QUrl("ftp://example.org/a.png")])
    assert window.model.state.source_size is None


def test_zoom_shortcuts_and_wheel(loaded, qtbot) -> None:
    view = loaded.canvas
    qtbot.keyClick(loaded, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert view.transform().m11() == 1.0
    view.zoom_by(2.0)
    assert view.transform().m11() == 2.0
    qtbot.keyClick(loaded, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    rect = view.mapFromScene(view.content_rect()).boundingRect()
    assert view.viewport().rect().contains(rect)


def test_paste_an_image_from_the_clipboard(window, qtbot) -> None:
    from PySide6.QtGui import QColor, QGuiApplication, QImage

    image = QImage(96, 80, QImage.Format.Format_RGB32)
    image.fill(QColor(30, 120, 200))
    QGuiApplication.clipboard().setImage(image)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    assert window.model.state.source_size == (96, 80)
    assert Path(window.model.state.source_path or "").parent == window.session.pasted
