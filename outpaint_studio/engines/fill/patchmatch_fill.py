"""PatchMatch completion at a reduced working size, upscaled to the canvas.

PatchMatch's cost grows with the image's area (on one core of this project's machine, about 5 s
per megapixel of a strip's crop with 5x5 patches, 8 s with 7x7), so the canvas is shrunk to a
working size and the result is upscaled. The border around the source is
filled strip by strip (see ``strips``), each strip from the band of the source next to it, and
the two strips of a phase run in parallel: the native call releases the GIL. What is left inside
the source's box (transparent source pixels) is filled last, from a band around it. The source's
middle (usually its subject) is not copied from, which makes a face or a building cloned into
the border rarer (it does not rule it out: a band may cut through the subject). A lone strip, one
side extended, is also filled from the whole canvas, and that fill is kept when it is clearly more
like the source's band.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import patchmatch
from PIL import Image

from outpaint_studio.engines.fill.likeness import unlikeness
from outpaint_studio.engines.fill.resample import dilate, downscale_known, resize_float
from outpaint_studio.engines.fill.steps import Steps
from outpaint_studio.engines.fill.strips import Box, Strip, bounding_box, strip_phases

# the seed is a setting of the native library, read when a call starts
_seed_lock = threading.Lock()
# how much more alike (see likeness) a lone strip's fill from the whole canvas must be to be kept;
# on the one-sided cases of bench_local_quality.py, where it was less than 15 % more alike than
# the banded fill, it was as often further from the hidden truth as nearer
WIDE_MARGIN = 0.85


@dataclass(frozen=True)
class PatchMatchSettings:
    working_pixels: int
    patch_radius: int = 3
    # width of the source band PatchMatch may copy from, as a fraction of the working canvas side
    context_fraction: float = 0.15
    min_context: int = 12
    # the band of the top and bottom strips, relative to the others: above and below a subject,
    # a deep band stacks the subject on itself (a second face above the first)
    cap_context_ratio: float = 0.5


@dataclass(frozen=True)
class WorkingImage:
    canvas: np.ndarray
    known: np.ndarray
    scale: float


def working_image(canvas: np.ndarray, known: np.ndarray, working_pixels: int) -> WorkingImage:
    height, width = known.shape
    scale = min(1.0, math.sqrt(working_pixels / (height * width)))
    if scale >= 1.0:
        return WorkingImage(canvas, known, 1.0)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small_canvas, small_known = downscale_known(canvas, known, size)
    return WorkingImage(small_canvas, small_known, scale)


def context_radius(shape: tuple[int, ...], settings: PatchMatchSettings) -> int:
    """How far into the source PatchMatch may copy from, in pixels of an image of ``shape``."""
    return max(settings.min_context, round(settings.context_fraction * max(shape[:2])))


def context_mask(known: np.ndarray, radius: int) -> np.ndarray:
    """The known pixels PatchMatch may copy from: a band next to the unknown region."""
    return known & dilate(~known, radius)


def _patchmatch(
    crop: np.ndarray, hole: np.ndarray, hidden: np.ndarray, settings: PatchMatchSettings
) -> np.ndarray:
    """One native call: fills ``hole``, neither filling nor copying from ``hidden``."""
    crop = crop.copy()
    crop[hole] = 0  # the fill must not depend on what the canvas holds there
    return patchmatch.inpaint(
        crop,
        hole,
        global_mask=hidden if hidden.any() else None,
        patch_size=settings.patch_radius,
    )


def _box_mask(shape: tuple[int, ...], box: Box) -> np.ndarray:
    mask = np.zeros(shape[:2], dtype=bool)
    mask[box] = True
    return mask


def _strip_call(
    canvas: np.ndarray, known: np.ndarray, region: Box, crop: Box, settings: PatchMatchSettings
) -> Callable[[], np.ndarray]:
    """The fill of ``region`` inside ``crop``, ready to run: its inputs are copied now, so that
    it can run while another strip is written into ``canvas``."""
    hole = _box_mask(known.shape, region)[crop]
    cropped = canvas[crop].copy()
    # the unknown pixels of the other strips are neither filled nor copied from here
    hidden = ~known[crop] & ~hole
    return lambda: _patchmatch(cropped, hole, hidden, settings)


def _placed(canvas: np.ndarray, region: Box, crop: Box, pixels: np.ndarray) -> np.ndarray:
    """``canvas`` with ``region`` taken from ``pixels``, a fill of ``crop``."""
    placed = canvas.copy()
    inside = _box_mask(canvas.shape, region)[crop]
    placed[crop][inside] = pixels[inside]
    return placed


def _with_strip(
    result: np.ndarray, strip: Strip, fills: Iterator[np.ndarray], known: np.ndarray
) -> np.ndarray:
    """``result`` with ``strip`` filled, taking its fills (one per crop) from ``fills``: the
    fill from the band, or the one from the whole canvas if it is clearly more like the source's
    band (it may bring in what does not belong beside the edge). The first is measured while the
    second is still being made."""
    banded = _placed(result, strip.region, strip.crop, next(fills))
    if strip.wide_crop is None:
        return banded
    region = _box_mask(known.shape, strip.region)
    banded_unlikeness = unlikeness(banded, region, known)
    wide = _placed(result, strip.region, strip.wide_crop, next(fills))
    if unlikeness(wide, region, known) < WIDE_MARGIN * banded_unlikeness:
        return wide
    return banded


def _fill_interior(
    canvas: np.ndarray, known: np.ndarray, settings: PatchMatchSettings
) -> np.ndarray:
    """Fill every unknown pixel from a band of known pixels around the holes."""
    hole = ~known
    usable = context_mask(known, context_radius(known.shape, settings))
    top, bottom, left, right = bounding_box(hole | usable)
    box: Box = (slice(top, bottom), slice(left, right))
    result = canvas.copy()
    result[box] = _patchmatch(canvas[box], hole[box], (known & ~usable)[box], settings)
    return result


def strip_plan(
    known: np.ndarray, settings: PatchMatchSettings, caps_first: bool
) -> list[list[Strip]]:
    """The strips of a working-size canvas, phase by phase (see ``strips``).

    A lone strip (one side extended) is also filled from the whole canvas: from a thin band, a
    deep strip repeats the band's few patches (blocks stacked across a meadow); from the whole
    source, it may bring in what does not belong beside the edge. Both run at once.
    """
    band = context_radius(known.shape, settings)
    cap_band = max(settings.min_context, round(band * settings.cap_context_ratio))
    phases = strip_phases(known, band, cap_band, caps_first)
    if sum(len(phase) for phase in phases) == 1:
        [[strip]] = phases
        whole = (slice(0, known.shape[0]), slice(0, known.shape[1]))
        return [[replace(strip, wide_crop=whole)]]
    return phases


def leaves_interior(known: np.ndarray) -> bool:
    """Whether unknown pixels lie inside the known pixels' bounding box (transparent source
    pixels): the strips leave them to a last PatchMatch call."""
    top, bottom, left, right = bounding_box(known)
    return not known[top:bottom, left:right].all()


def inpaint(
    canvas: np.ndarray,
    known: np.ndarray,
    settings: PatchMatchSettings,
    seed: int,
    phases: list[list[Strip]],
    steps: Steps,
) -> np.ndarray:
    """Fill the unknown pixels of a working-size uint8 canvas with PatchMatch, ``phases``
    (from ``strip_plan``) one after the other, then the interior if any is left.

    ``steps`` moves on after each phase and the interior; it stops the fill when cancelled,
    also before the first phase (another fill may have held the lock for long).
    """
    result = canvas.copy()
    known = known.copy()
    with _seed_lock, ThreadPoolExecutor(max_workers=2) as pool:
        steps.restart()  # waiting for the lock was no work
        steps.check()
        patchmatch.set_random_seed(seed)
        for phase in phases:
            calls = [
                _strip_call(result, known, strip.region, crop, settings)
                for strip in phase
                for crop in strip.crops()
            ]
            fills = iter(pool.map(lambda call: call(), calls))
            for strip in phase:
                result = _with_strip(result, strip, fills, known)
                known[strip.region] = True
            steps.next()
        if not known.all():
            result = _fill_interior(result, known, settings)
            steps.next()
    return result


def upscale(small: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A working-size uint8 image as a float32 image of ``size`` = (width, height)."""
    if small.shape[1] == size[0] and small.shape[0] == size[1]:
        return small.astype(np.float32)
    return resize_float(small.astype(np.float32), size, Image.Resampling.BICUBIC)
