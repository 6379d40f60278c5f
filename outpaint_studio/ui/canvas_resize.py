"""Resizing the canvas by a handle of its frame: the geometry a drag leads to."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QPointF

from outpaint_studio.core.editor import Geometry
from outpaint_studio.core.layout import MIN_SIDE, snap
from outpaint_studio.ui.canvas_items import Edges


@dataclass(frozen=True)
class ResizeDrag:
    """A frame handle's drag, as it was at the press."""

    start: Geometry
    origin: tuple[int, int]  # the source's top-left on the canvas
    press: QPointF  # the mouse, in screen pixels
    source_at: QPointF  # the source's top-left in the viewport, kept there during the drag


def resized(start: Geometry, x: int, y: int, edges: Edges, delta: QPointF) -> Geometry:
    """The canvas after dragging ``edges`` by ``delta`` from ``start`` (the source at ``x, y``).

    Sides stay on the 16 px grid and at least 64 px; the source keeps its place on screen, so
    a resized axis gets an explicit offset.
    """
    left, top, right, bottom = edges
    geometry = start
    if left or right:
        grown = delta.x() if right else -delta.x()
        width = max(MIN_SIDE, snap(round(start.canvas_width + grown)))
        new_x = x + (width - start.canvas_width if left else 0)
        geometry = replace(geometry, canvas_width=width, offset_x=new_x)
    if top or bottom:
        grown = delta.y() if bottom else -delta.y()
        height = max(MIN_SIDE, snap(round(start.canvas_height + grown)))
        new_y = y + (height - start.canvas_height if top else 0)
        geometry = replace(geometry, canvas_height=height, offset_y=new_y)
    return geometry
