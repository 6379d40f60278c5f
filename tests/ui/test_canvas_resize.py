"""Resizing the canvas by its eight handles, at any zoom: the source stays put on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import drag, handle_point, zoom_on
from photos import make_photo
from PySide6.QtCore import QPoint

from outpaint_studio.core.layout import GRID

OUTWARD = {
    "top-left": (-1, -1),
    "top": (0, -1),
    "left": (-1, 0),
    "top-right": (1, -1),
    "bottom-left": (-1, 1),
    "right": (1, 0),
    "bottom": (0, 1),
    "bottom-right": (1, 1),
}


@pytest.fixture
def wide(window, tmp_path: Path, qtbot) -> object:
    """A 2560x1440 photo at 50 % on a 2048x1536 canvas, its top-left corner at the canvas's."""
    window.open_image(make_photo(tmp_path / "wide.png", (2560, 1440)))
    qtbot.waitUntil(lambda: window.source is not None, timeout=10000)
    window.model.set_scale(0.5)
    window.model.set_canvas(2048, 1536)
    window.model.set_offset(0, 0)
    window.canvas.fit()
    return window


def source_on_screen(view) -> QPoint:  # type: ignore[no-untyped-def]
    return view.mapFromScene(view.source_item.pos())


@pytest.mark.parametrize("zoom", [None, 0.23, 0.41, 1.7])
@pytest.mark.parametrize("handle", list(OUTWARD))
def test_dragging_a_handle_out_in_small_steps_keeps_the_source(wide, handle, zoom) -> None:
    view = wide.canvas
    zoom_on(view, handle_point(view, handle), zoom)
    before = wide.model.state.geometry
    at = source_on_screen(view)
    start = view.mapFromScene(handle_point(view, handle))
    dx, dy = OUTWARD[handle]
    drag(view, start, start + QPoint(60 * dx, 60 * dy), steps=12)
    g = wide.model.state.geometry
    scale = view.transform().m11()
    for moved, old, new in ((dx, before.canvas_width, g.canvas_width),
                            (dy, before.canvas_height, g.canvas_height)):  # fmt: skip
        assert new % GRID == 0
        assert (new > old) if moved else (new == old)
        assert abs(new - old - 60 / scale) <= GRID if moved else True
    assert (source_on_screen(view) - at).manhattanLength() <= 1
    assert wide.model.undo_stack.count() == 4  # scale, canvas, offset, then this one drag
