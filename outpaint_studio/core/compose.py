"""Putting the original back: the service re-draws the source region, we restore its pixels."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops

from outpaint_studio.core.layout import Placement
from outpaint_studio.core.settings import clamp_feather

LANCZOS = Image.Resampling.LANCZOS
LANCZOS_SUPPORT = 3  # pixels each side, at the smaller image's scale
Ramp = np.ndarray  # float32 weights along one axis
Region = tuple[int, int, int, int]  # left, top, right, bottom


@dataclass(frozen=True)
class SourceChange:
    """How much the engine altered the source region (0..255 per channel)."""

    mean: float
    max: int


def measure_change(result: Image.Image, placed: Image.Image, placement: Placement) -> SourceChange:
    box = placement.visible_box()
    if box.is_empty():
        return SourceChange(0.0, 0)
    ours = _rgb(visible_source(placed, placement))
    theirs = _rgb(result.crop(box.as_tuple()))
    counts = ImageChops.difference(ours, theirs).histogram()  # of |ours - theirs|, in C
    bands = [counts[start : start + 256] for start in (0, 256, 512)]
    total = sum(level * count for band in bands for level, count in enumerate(band))
    most = max(level for band in bands for level, count in enumerate(band) if count)
    return SourceChange(round(total / (3 * box.width * box.height), 3), most)


def _rgb(image: Image.Image) -> Image.Image:
    """``image`` in RGB (itself, not a copy, when it already is)."""
    return image if image.mode == "RGB" else image.convert("RGB")


Edges = tuple[bool, bool, bool, bool]  # left, top, right, bottom: borders generated pixels?


def feather_ramps(width: int, height: int, feather: int, edges: Edges) -> tuple[Ramp, Ramp]:
    """Per-column and per-row weights of the original: 1 inside, ramping to 0 over ``feather``
    px at each open edge. The weight of a pixel is the smaller of its column's and row's."""
    ramp_x = np.ones(width, dtype=np.float32)
    ramp_y = np.ones(height, dtype=np.float32)
    if feather <= 0:
        return ramp_x, ramp_y
    steps = (np.arange(feather, dtype=np.float32) + 1) / (feather + 1)
    left, top, right, bottom = edges
    for ramp, first, last in ((ramp_x, left, right), (ramp_y, top, bottom)):
        n = min(feather, len(ramp))
        if first:
            ramp[:n] = np.minimum(ramp[:n], steps[:n])
        if last:
            ramp[len(ramp) - n :] = np.minimum(ramp[len(ramp) - n :], steps[:n][::-1])
    return ramp_x, ramp_y


def feather_weights(width: int, height: int, feather: int, edges: Edges) -> np.ndarray:
    """Weight of the original for every pixel of the pasted region (see ``feather_ramps``)."""
    ramp_x, ramp_y = feather_ramps(width, height, feather, edges)
    return np.minimum(ramp_x[None, :], ramp_y[:, None])


def paste_back(
    result: Image.Image, placed: Image.Image, placement: Placement, feather: int = 8
) -> Image.Image:
    """``result`` with the source's own pixels restored where it sits on the canvas.

    Outside a ``feather`` px band along the source's inner edge the source comes back exactly;
    inside the band it is blended with the result so the seam cannot show. Transparent source
    pixels keep the result.
    """
    return _paste_onto(result.convert("RGB"), placed, placement, clamp_feather(feather))


def _paste_onto(
    out: Image.Image, placed: Image.Image, placement: Placement, feather: int
) -> Image.Image:
    """``paste_back`` into ``out``, an RGB image of the canvas's size, which it changes."""
    box = placement.visible_box()
    if box.is_empty():
        return out
    source = visible_source(placed, placement)
    edges = open_edges(placement)
    if source.mode == "RGBA":  # its alpha scales the weights everywhere
        ours = _floats(source.convert("RGB"))
        theirs = _floats(out.crop(box.as_tuple()))
        weights = source_weights(placed, placement, feather)
        out.paste(_mix(ours, theirs, weights), (box.left, box.top))
        return out
    source = _rgb(source)
    ramp_x, ramp_y = feather_ramps(box.width, box.height, feather, edges)
    bands = [_blend(out, source, region, box.left, box.top, ramp_x, ramp_y)
             for region in _band_regions(box.width, box.height, feather, edges)]  # fmt: skip
    out.paste(source, (box.left, box.top))  # the exact interior, straight from the source
    for patch, (x, y, _, _) in bands:
        out.paste(patch, (box.left + x, box.top + y))
    return out


def open_edges(placement: Placement) -> Edges:
    """Which sides of the source's visible part border generated pixels."""
    box = placement.visible_box()
    return (
        box.left > 0,
        box.top > 0,
        box.right < placement.canvas_width,
        box.bottom < placement.canvas_height,
    )


def source_weights(placed: Image.Image, placement: Placement, feather: int) -> np.ndarray:
    """The weight ``paste_back`` gives the original at every pixel of its visible box: the
    feather band times the source's own alpha, if it has one."""
    box = placement.visible_box()
    weights = feather_weights(box.width, box.height, clamp_feather(feather), open_edges(placement))
    source = visible_source(placed, placement)
    if source.mode == "RGBA":
        weights = weights * (np.asarray(source.getchannel("A"), dtype=np.float32) / 255.0)
    return weights


def visible_source(placed: Image.Image, placement: Placement) -> Image.Image:
    """The part of the placed source that lies on the canvas (no copy when it all does)."""
    crop = placement.crop_box().as_tuple()
    return placed if crop == (0, 0, *placed.size) else placed.crop(crop)


def _band_regions(width: int, height: int, feather: int, edges: Edges) -> list[Region]:
    """The strips, in the pasted region's coordinates, where the feather band blends."""
    if feather <= 0:
        return []
    fx, fy = min(feather, width), min(feather, height)
    left, top, right, bottom = edges
    candidates = [
        (left, (0, 0, fx, height)),
        (right, (width - fx, 0, width, height)),
        (top, (0, 0, width, fy)),
        (bottom, (0, height - fy, width, height)),
    ]
    return [region for is_open, region in candidates if is_open]


def _blend(
    out: Image.Image,
    source: Image.Image,
    region: Region,
    left: int,
    top: int,
    ramp_x: Ramp,
    ramp_y: Ramp,
) -> tuple[Image.Image, Region]:
    """One band strip: source and result mixed by the feather weights (read before pasting)."""
    x0, y0, x1, y1 = region
    weights = np.minimum(ramp_x[None, x0:x1], ramp_y[y0:y1, None])
    ours = np.asarray(source.crop(region), dtype=np.float32)
    theirs = np.asarray(out.crop((left + x0, top + y0, left + x1, top + y1)), dtype=np.float32)
    return _mix(ours, theirs, weights), region


def _mix(ours: np.ndarray, theirs: np.ndarray, weights: np.ndarray) -> Image.Image:
    blended = theirs + (ours - theirs) * weights[..., None]
    exact = weights >= 1.0
    patch = np.where(exact[..., None], ours, np.rint(blended)).astype(np.uint8)
    return Image.fromarray(patch, "RGB")


def _floats(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.float32)


@dataclass(frozen=True)
class Composition:
    """What ``paste_back`` puts together for an output: the service's result (at the canvas's
    size), the source at the output's size, where it sits there and the feather band's width
    there. At full resolution the output is larger than the result, which is upscaled."""

    generated: Image.Image
    source: Image.Image
    placement: Placement
    feather: int

    @property
    def size(self) -> tuple[int, int]:
        return self.placement.canvas_width, self.placement.canvas_height

    @functools.cached_property
    def result(self) -> Image.Image:
        """The whole result at the output's size."""
        if self.generated.size == self.size:
            return self.generated
        return upscaled_part(_rgb(self.generated), self.size, (0, 0, *self.size))

    def compose(self) -> Image.Image:
        """The output. Upscaled, only what still shows once the source is back is resized (or
        the whole ``result``, once it was asked for: the same pixels)."""
        if self.generated.size == self.size:
            return paste_back(self.generated, self.source, self.placement, self.feather)
        feather = clamp_feather(self.feather)
        if "result" in self.__dict__:
            return _paste_onto(self.result.copy(), self.source, self.placement, feather)
        generated = _rgb(self.generated)
        out = Image.new("RGB", self.size)
        for part in _around(_exact_interior(self.source, self.placement, feather), self.size):
            out.paste(upscaled_part(generated, self.size, part), part[:2])
        return _paste_onto(out, self.source, self.placement, feather)


def upscaled_part(image: Image.Image, size: tuple[int, int], part: Region) -> Image.Image:
    """``part`` (in ``size``'s pixels) of ``image`` upscaled to ``size``, resampling only the rows
    and columns it needs, in two explicit passes, horizontal then vertical, as a whole resize
    does. So parts of one image meet seamlessly and match its whole resize within 1 level (the
    filter's centres, computed from another origin); one resize with a box of rows can be off by
    30 levels where Lanczos overshoots."""
    left, top, right, bottom = part
    sx, sy = image.width / size[0], image.height / size[1]
    reach = math.ceil(LANCZOS_SUPPORT * max(1.0, sy)) + 1  # the rows the vertical filter reads
    first = max(0, math.floor(top * sy) - reach)
    last = min(image.height, math.ceil(bottom * sy) + reach)
    rows = image.crop((0, first, image.width, last))
    wide = rows.resize((right - left, last - first), LANCZOS, box=(left * sx, 0, right * sx,
                       last - first))  # fmt: skip
    return wide.resize((right - left, bottom - top), LANCZOS, box=(0, top * sy - first,
                       right - left, bottom * sy - first))  # fmt: skip


def _exact_interior(placed: Image.Image, placement: Placement, feather: int) -> Region:
    """Where ``paste_back`` puts the source back unblended, so never reads the result: its
    visible box less the feather band on its open edges (nothing for a transparent source)."""
    box = placement.visible_box()
    if placed.mode == "RGBA" or box.is_empty():
        return (0, 0, 0, 0)
    left, top, right, bottom = open_edges(placement)
    return (box.left + feather * left, box.top + feather * top,
            box.right - feather * right, box.bottom - feather * bottom)  # fmt: skip


def _around(hole: Region, size: tuple[int, int]) -> list[Region]:
    """The rectangles that cover ``size`` except ``hole``: above, below, left and right of it."""
    left, top, right, bottom = hole
    width, height = size
    if right <= left or bottom <= top:
        return [(0, 0, width, height)]
    parts = [(0, 0, width, top), (0, bottom, width, height),
             (0, top, left, bottom), (right, top, width, bottom)]  # fmt: skip
    return [(x0, y0, x1, y1) for x0, y0, x1, y1 in parts if x1 > x0 and y1 > y0]


def full_resolution_composition(
    result: Image.Image,
    original: Image.Image,
    placement: Placement,
    scale: float,
    feather: int = 8,
) -> Composition:
    """The result to be upscaled by 1/scale, with the full-resolution original's place on it."""
    if scale >= 1.0:
        return Composition(result, original, placement, feather)
    big_size = (round(placement.canvas_width / scale), round(placement.canvas_height / scale))
    big_placement = Placement(
        original.width,
        original.height,
        big_size[0],
        big_size[1],
        round(placement.x / scale),
        round(placement.y / scale),
    )
    return Composition(result, original, big_placement, round(feather / scale))


def full_resolution(
    result: Image.Image,
    original: Image.Image,
    placement: Placement,
    scale: float,
    feather: int = 8,
) -> Image.Image:
    """The result upscaled by 1/scale with the full-resolution original pasted at its place."""
    return full_resolution_composition(result, original, placement, scale, feather).compose()
