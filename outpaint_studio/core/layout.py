"""Canvas geometry: where the source sits on the canvas, and the helpers the editor and CLI share.

Coordinates are canvas pixels, origin top-left. An offset of ``None`` on an axis means "centred",
which the service computes as ``(canvas - source) // 2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

MEGAPIXEL = 2**20  # the service's megapixel: its 4 MP limit is 4,194,304 px
MAX_PIXELS = 4 * MEGAPIXEL
MIN_SIDE = 64
GRID = 16

Anchor = Literal[
    "top-left", "top", "top-right",
    "left", "center", "right",
    "bottom-left", "bottom", "bottom-right",
]  # fmt: skip
ANCHORS: tuple[Anchor, ...] = (
    "top-left", "top", "top-right",
    "left", "center", "right",
    "bottom-left", "bottom", "bottom-right",
)  # fmt: skip

ASPECT_PRESETS: dict[str, tuple[int, int]] = {
    "1:1": (1, 1),
    "4:5": (4, 5),
    "3:2": (3, 2),
    "4:3": (4, 3),
    "16:9": (16, 9),
    "9:16": (9, 16),
    "21:9": (21, 9),
    "2:3": (2, 3),
}


@dataclass(frozen=True)
class Sides:
    left: int
    top: int
    right: int
    bottom: int

    def any(self) -> bool:
        return any((self.left, self.top, self.right, self.bottom))


@dataclass(frozen=True)
class Box:
    """A half-open rectangle: ``left <= x < right``, ``top <= y < bottom``."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def is_empty(self) -> bool:
        return self.width <= 0 or self.height <= 0

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.left, self.top, self.right, self.bottom)


def centred_offset(canvas: int, source: int) -> int:
    return (canvas - source) // 2


@dataclass(frozen=True)
class Placement:
    """A source of a given (already scaled) size placed on a canvas."""

    source_width: int
    source_height: int
    canvas_width: int
    canvas_height: int
    offset_x: int | None = None
    offset_y: int | None = None

    @property
    def x(self) -> int:
        if self.offset_x is None:
            return centred_offset(self.canvas_width, self.source_width)
        return self.offset_x

    @property
    def y(self) -> int:
        if self.offset_y is None:
            return centred_offset(self.canvas_height, self.source_height)
        return self.offset_y

    @property
    def pixels(self) -> int:
        return self.canvas_width * self.canvas_height

    def source_box(self) -> Box:
        """The source's rectangle in canvas coordinates, possibly off the canvas."""
        return Box(self.x, self.y, self.x + self.source_width, self.y + self.source_height)

    def overhang(self) -> Sides:
        """How many source pixels hang off each canvas edge."""
        box = self.source_box()
        return Sides(
            left=max(0, -box.left),
            top=max(0, -box.top),
            right=max(0, box.right - self.canvas_width),
            bottom=max(0, box.bottom - self.canvas_height),
        )

    def visible_box(self) -> Box:
        """The part of the canvas the source covers (what auto-crop keeps), canvas coordinates."""
        box = self.source_box()
        return Box(
            max(0, box.left),
            max(0, box.top),
            min(self.canvas_width, box.right),
            min(self.canvas_height, box.bottom),
        )

    def crop_box(self) -> Box:
        """The part of the source auto-crop keeps, in source coordinates (may be empty)."""
        visible = self.visible_box()
        return Box(
            visible.left - self.x,
            visible.top - self.y,
            visible.right - self.x,
            visible.bottom - self.y,
        )

    def margins(self) -> Sides:
        """Pixels the canvas adds on each side of the source (negative where it hangs off)."""
        box = self.source_box()
        return Sides(
            left=box.left,
            top=box.top,
            right=self.canvas_width - box.right,
            bottom=self.canvas_height - box.bottom,
        )

    def centred(self, horizontal: bool = True, vertical: bool = True) -> Placement:
        return replace(
            self,
            offset_x=None if horizontal else self.offset_x,
            offset_y=None if vertical else self.offset_y,
        )

    def anchored(self, anchor: Anchor) -> Placement:
        """Place the source against one of nine points; centre positions are sent as null."""
        column = ANCHORS.index(anchor) % 3
        row = ANCHORS.index(anchor) // 3
        xs = (0, None, self.canvas_width - self.source_width)
        ys = (0, None, self.canvas_height - self.source_height)
        return replace(self, offset_x=xs[column], offset_y=ys[row])

    def snapped(self, grid: int = GRID) -> Placement:
        """Offsets on the grid; a source that fit on the canvas still fits."""
        return replace(
            self,
            offset_x=None
            if self.offset_x is None
            else snap_offset(self.offset_x, self.source_width, self.canvas_width, grid),
            offset_y=None
            if self.offset_y is None
            else snap_offset(self.offset_y, self.source_height, self.canvas_height, grid),
        )

    def scaled(self, factor: float) -> Placement:
        """The same layout at another scale (canvas, source and offsets together)."""
        return Placement(
            source_width=scaled_side(self.source_width, factor),
            source_height=scaled_side(self.source_height, factor),
            canvas_width=scaled_side(self.canvas_width, factor),
            canvas_height=scaled_side(self.canvas_height, factor),
            offset_x=None if self.offset_x is None else round(self.offset_x * factor),
            offset_y=None if self.offset_y is None else round(self.offset_y * factor),
        )


def megapixels(pixels: int) -> float:
    return pixels / MEGAPIXEL


def scaled_side(side: int, scale: float) -> int:
    return max(1, round(side * scale))


def scaled_size(size: tuple[int, int], scale: float) -> tuple[int, int]:
    return (scaled_side(size[0], scale), scaled_side(size[1], scale))


def snap(value: int, grid: int = GRID) -> int:
    """The nearest multiple of ``grid`` (ties go up)."""
    return math.floor(value / grid + 0.5) * grid


def snap_up(value: int, grid: int = GRID) -> int:
    return -(-value // grid) * grid


def snap_offset(offset: int, source: int, canvas: int, grid: int = GRID) -> int:
    """Snap an offset to the grid without moving an inside source off the canvas."""
    snapped = snap(offset, grid)
    if offset >= 0 and offset + source <= canvas:
        low, high = 0, canvas - source
        if not low <= snapped <= high:
            candidates = [v for v in (snapped - grid, snapped + grid) if low <= v <= high]
            snapped = min(candidates, key=lambda v: abs(v - offset)) if candidates else offset
    return snapped


def canvas_side(value: int, grid: int = GRID) -> int:
    """A canvas side the service accepts: at least 64, on the grid (rounded up)."""
    return max(MIN_SIDE, snap_up(value, grid))


def expand_around(source_width: int, source_height: int, factor: float) -> tuple[int, int]:
    """A canvas ``factor`` times the source on each axis, on the grid."""
    return (
        canvas_side(math.ceil(source_width * factor)),
        canvas_side(math.ceil(source_height * factor)),
    )


@dataclass(frozen=True)
class PresetFit:
    """Where a preset lands: a canvas that can be sent, and the source scale it needs.

    ``scale`` is below the one asked for only when the 4 MP limit forced the source down.
    """

    canvas_width: int
    canvas_height: int
    scale: float


def reduced_ratio(width: int, height: int) -> tuple[int, int]:
    """``width:height`` in lowest terms: 21:9 is 7:3."""
    divisor = math.gcd(width, height)
    return width // divisor, height // divisor


def aspect_canvas(
    source_size: tuple[int, int],
    scale: float,
    ratio_w: int,
    ratio_h: int,
    limit: int = MAX_PIXELS,
) -> PresetFit:
    """The smallest canvas of exactly ``ratio_w:ratio_h`` on the grid around the scaled source.

    Exact ratios on the grid are whole multiples of (16 a, 16 b), a:b the reduced ratio. When the
    one that contains the source is over ``limit``, the largest under it is taken and the source
    is scaled down to fit inside.
    """
    least_w, least_h = reduced_ratio(ratio_w, ratio_h)
    unit_w, unit_h = GRID * least_w, GRID * least_h
    source_w, source_h = scaled_size(source_size, scale)
    least = max(source_w / unit_w, source_h / unit_h, MIN_SIDE / unit_w, MIN_SIDE / unit_h)
    multiple = max(1, math.ceil(least))
    most = math.isqrt(limit // (unit_w * unit_h))
    if multiple > most:
        multiple = most
        width, height = source_size
        scale = min(scale, multiple * unit_w / width, multiple * unit_h / height)
    return PresetFit(multiple * unit_w, multiple * unit_h, scale)


def expanded_canvas(
    canvas_size: tuple[int, int], scale: float, factor: float, limit: int = MAX_PIXELS
) -> PresetFit:
    """The current canvas ``factor`` times larger on each axis, on the grid.

    Over ``limit``, canvas and source shrink together (the layout's proportions stay) until the
    canvas fits.
    """
    width, height = canvas_size[0] * factor, canvas_size[1] * factor
    shrink = min(1.0, math.sqrt(limit / (width * height)))
    while True:
        fit = PresetFit(_grid_side(width * shrink), _grid_side(height * shrink), scale * shrink)
        if fit.canvas_width * fit.canvas_height <= limit:
            return fit
        shrink *= 0.999


def _grid_side(side: float) -> int:
    """A side on the grid and at least 64: the nearest multiple of 16."""
    return max(MIN_SIDE, math.floor(side / GRID + 0.5) * GRID)


def fit_scale(placement: Placement, limit: int = MAX_PIXELS) -> float:
    """The largest scale <= 1 at which the whole layout's canvas stays within ``limit`` pixels.

    ``placement`` is the layout at scale 1 (the source at its full size).
    """
    if placement.pixels <= limit:
        return 1.0
    scale = math.sqrt(limit / placement.pixels)
    while scale > 0:
        scaled = placement.scaled(scale)
        if scaled.pixels <= limit:
            return scale
        scale -= 1e-4
    raise ValueError("no scale fits")  # pragma: no cover - the loop always finds one


def fit_on_grid(placement: Placement, limit: int = MAX_PIXELS) -> tuple[float, Placement]:
    """Scale the layout (at scale 1) to fit ``limit`` with the canvas and offsets on the grid.

    Returns the scale and the scaled layout. A source that was inside the canvas stays inside.
    """
    inside = not placement.overhang().any()
    scale = fit_scale(placement, limit)
    while True:
        scaled = placement.scaled(scale)
        width = max(MIN_SIDE, scaled.canvas_width // GRID * GRID)
        height = max(MIN_SIDE, scaled.canvas_height // GRID * GRID)
        fits = scaled.source_width <= width and scaled.source_height <= height
        if (fits or not inside) and width * height <= limit:
            break
        scale *= 0.995
    offset_x, offset_y = scaled.offset_x, scaled.offset_y
    if inside:
        offset_x = _clamp(offset_x, width - scaled.source_width)
        offset_y = _clamp(offset_y, height - scaled.source_height)
    fitted = Placement(
        scaled.source_width, scaled.source_height, width, height, offset_x, offset_y
    ).snapped()
    return scale, fitted


def _clamp(offset: int | None, room: int) -> int | None:
    return None if offset is None else min(max(0, offset), room)
