"""Format targets: one source laid out for many output sizes at once.

A target is a ratio ("4:5") or exact output pixels ("1080x1350"). Its layout keeps the whole
source, as large as the 4 MP limit allows, on the smallest canvas of (or nearest to) that ratio on
the 16 px grid, against the anchor the user picked. Exact sizes are reached by a final Lanczos
resize of the finished image.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from PIL import Image

from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.layout import (
    ANCHORS,
    GRID,
    MAX_PIXELS,
    MIN_SIDE,
    Anchor,
    Placement,
    PresetFit,
    aspect_canvas,
    reduced_ratio,
    scaled_size,
    snap_up,
)

MAX_RATIO = 10  # a target's long side at most ten times its short side
MAX_OUTPUT_SIDE = 16384
# An exact ratio's canvases are whole multiples of its grid unit (16 a, 16 b); a unit coarser
# than this would pad the source with up to a whole unit, so such ratios (odd exact sizes such as
# 1001x700) get the nearest ratio the grid allows around the source instead.
MAX_EXACT_UNIT = 256


class TargetError(ValueError):
    """A target the user typed that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Target:
    """A ratio (reduced), with exact output pixels when the user named them. A ratio keeps the
    name it was given ("21:9", not 7:3) but equals any other name of the same ratio."""

    ratio_w: int
    ratio_h: int
    output_size: tuple[int, int] | None = None
    name: str | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        if self.output_size is not None:
            return f"{self.output_size[0]}x{self.output_size[1]}"
        return self.name or f"{self.ratio_w}:{self.ratio_h}"

    def with_long_side(self, long_side: int) -> Target:
        """The ratio at exact pixels: its long side ``long_side`` (exact sizes stay as named)."""
        if self.output_size is not None:
            return self
        if self.ratio_w >= self.ratio_h:
            size = (long_side, max(1, round(long_side * self.ratio_h / self.ratio_w)))
        else:
            size = (max(1, round(long_side * self.ratio_w / self.ratio_h)), long_side)
        return Target(self.ratio_w, self.ratio_h, size)


def file_part(label: str) -> str:
    """A target's part of an output's file name: "4:5" -> "4x5", "1080x1350" unchanged."""
    return label.replace(":", "x")


def ratio_target(ratio_w: int, ratio_h: int) -> Target:
    return Target(*reduced_ratio(ratio_w, ratio_h), name=f"{ratio_w}:{ratio_h}")


# Presets grouped by use, in the order a designer reaches for them.
FORMAT_GROUPS: tuple[tuple[str, tuple[Target, ...]], ...] = (
    ("Square post", (ratio_target(1, 1),)),
    ("Portrait post", (ratio_target(4, 5),)),
    ("Story", (ratio_target(9, 16),)),
    ("Landscape", (ratio_target(3, 2),)),
    ("Video and thumbnails", (ratio_target(16, 9),)),
    ("Banners", (ratio_target(21, 9), ratio_target(3, 1))),
    ("Print", (ratio_target(2, 3), ratio_target(3, 4))),
)

_TARGET = re.compile(r"\s*(\d+)\s*([:x×])\s*(\d+)\s*", re.IGNORECASE)


def parse_target(text: str) -> Target:
    """ "4:5" is a ratio, "1080x1350" exact output pixels."""
    match = _TARGET.fullmatch(text)
    if not match:
        raise TargetError(f"{text.strip()!r} is not a target: use a ratio such as 4:5 or "
                          "pixels such as 1080x1350")  # fmt: skip
    width, height = int(match[1]), int(match[3])
    if not width or not height:
        raise TargetError(f"{text.strip()!r}: both sides must be above 0")
    if max(width, height) > MAX_RATIO * min(width, height):
        raise TargetError(f"{text.strip()!r}: at most {MAX_RATIO}:1 either way")
    target = ratio_target(width, height)
    if match[2] == ":":
        return target
    if max(width, height) > MAX_OUTPUT_SIDE or min(width, height) < MIN_SIDE:
        raise TargetError(
            f"{text.strip()!r}: exact sizes are {MIN_SIDE} to {MAX_OUTPUT_SIDE} px a side"
        )
    return Target(target.ratio_w, target.ratio_h, (width, height))


def parse_targets(text: str) -> list[Target]:
    """A comma-separated list, each target once, in the order given."""
    targets: list[Target] = []
    for part in text.split(","):
        if part.strip():
            target = parse_target(part)
            if target not in targets:
                targets.append(target)
    if not targets:
        raise TargetError(
            "no targets given: use ratios such as 1:1,4:5 or pixels such as 1080x1350"
        )
    return targets


def parse_anchor(text: str) -> Anchor:
    name = text.strip().lower()
    for anchor in ANCHORS:
        if anchor == name:
            return anchor
    raise TargetError(f"{text!r} is not an anchor: use one of {', '.join(ANCHORS)}")


@dataclass(frozen=True)
class TargetLayout:
    """A target's job: the source's scale, where it sits on the canvas, and the output's size."""

    target: Target
    scale: float
    placement: Placement  # the scaled source on the canvas; a None offset is centred
    output_size: tuple[int, int]


def layout_for(
    source_size: tuple[int, int],
    target: Target,
    anchor: Anchor = "center",
    limit: int = MAX_PIXELS,
) -> TargetLayout:
    """The whole source, as large as fits, on a canvas of the target's ratio at the anchor.

    Exact output pixels also lower the limit to the canvas the output needs: generating more
    than is kept would cost credits for nothing.
    """
    if target.output_size is not None:
        needed = ratio_canvas(target.output_size, 1.0, target, MAX_PIXELS)
        limit = min(limit, needed.canvas_width * needed.canvas_height)
    fit = ratio_canvas(source_size, 1.0, target, limit)
    width, height = scaled_size(source_size, fit.scale)
    placement = Placement(width, height, fit.canvas_width, fit.canvas_height).anchored(anchor)
    output = target.output_size or (fit.canvas_width, fit.canvas_height)
    return TargetLayout(target, fit.scale, placement, output)


def ratio_canvas(
    source_size: tuple[int, int], scale: float, target: Target, limit: int = MAX_PIXELS
) -> PresetFit:
    """The smallest canvas of the target's ratio around the scaled source (scaled down to fit
    ``limit``): exact when the ratio's grid unit is fine enough, else the nearest on the grid."""
    unit_w, unit_h = GRID * target.ratio_w, GRID * target.ratio_h
    if max(unit_w, unit_h) <= MAX_EXACT_UNIT and unit_w * unit_h <= limit:
        return aspect_canvas(source_size, scale, target.ratio_w, target.ratio_h, limit)
    ratio = target.ratio_w / target.ratio_h
    while True:
        width, height = nearest_ratio_canvas(scaled_size(source_size, scale), ratio)
        if width * height <= limit:
            return PresetFit(width, height, scale)
        scale = min(scale * 0.995, scale * math.sqrt(limit / (width * height)))


def nearest_ratio_canvas(source: tuple[int, int], ratio: float) -> tuple[int, int]:
    """The grid canvas holding ``source`` whose ratio is nearest ``ratio`` among those at most
    one grid step larger, on each side, than the smallest canvas of exactly that ratio."""
    least_w = max(source[0], source[1] * ratio, MIN_SIDE, MIN_SIDE * ratio)
    least_h = least_w / ratio
    low_w, low_h = max(MIN_SIDE, snap_up(source[0])), max(MIN_SIDE, snap_up(source[1]))
    high_w, high_h = snap_up(math.ceil(least_w)) + GRID, snap_up(math.ceil(least_h)) + GRID

    def around(ideal: float, low: int, high: int) -> tuple[int, int]:
        below = math.floor(ideal / GRID) * GRID
        return (min(max(low, below), high), min(max(low, below + GRID), high))

    candidates = [
        (w, h) for w in range(low_w, high_w + 1, GRID) for h in around(w / ratio, low_h, high_h)
    ]
    candidates += [
        (w, h) for h in range(low_h, high_h + 1, GRID) for w in around(h * ratio, low_w, high_w)
    ]
    return min(candidates, key=lambda c: (abs(math.log(c[0] / c[1] / ratio)), c[0] * c[1]))


def resized_to(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The finished image at a target's exact output size (Lanczos); unchanged when it is."""
    if image.size == size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS)


def target_params(params: JobParams, layout: TargetLayout) -> JobParams:
    """A job's parameters with a target's layout: its canvas, scale, offsets, name and size."""
    p = layout.placement
    placed = replace(params, width=p.canvas_width, height=p.canvas_height, offset_x=p.offset_x,
                     offset_y=p.offset_y, scale=layout.scale)  # fmt: skip
    return for_target(placed, layout.target)


def for_target(params: JobParams, target: Target) -> JobParams:
    """A job's parameters named for a target, with its exact output pixels when it has them."""
    exact = target.output_size
    return replace(
        params,
        target=target.label,
        output_width=exact[0] if exact else None,
        output_height=exact[1] if exact else None,
    )
