"""PatchMatch completion at a reduced working size, upscaled to the canvas.

PatchMatch's cost grows with the image's area (about 2.5 s per megapixel on one core), so the
canvas is shrunk to a working size, cropped to the unknown region plus a band of context, and the
result is upscaled. Only a band of the source next to the unknown region may be copied from: the
source's middle (usually its subject) is hidden from the search, so faces and buildings are not
cloned into the border.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
import patchmatch
from PIL import Image

from outpaint_studio.engines.fill.resample import dilate, downscale_known, resize_float

_seed_lock = threading.Lock()


@dataclass(frozen=True)
class PatchMatchSettings:
    working_pixels: int
    patch_radius: int = 3
    # width of the source band PatchMatch may copy from, as a fraction of the working canvas side
    context_fraction: float = 0.15
    min_context: int = 12


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


def _bounding_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows = np.flatnonzero(mask.any(axis=1))
    columns = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1


def inpaint(
    canvas: np.ndarray, known: np.ndarray, settings: PatchMatchSettings, seed: int
) -> np.ndarray:
    """Fill the unknown pixels of a working-size uint8 canvas with PatchMatch."""
    hole = ~known
    usable = context_mask(known, context_radius(known.shape, settings))
    top, bottom, left, right = _bounding_box(hole | usable)
    crop = np.ascontiguousarray(canvas[top:bottom, left:right])
    crop_hole = hole[top:bottom, left:right]
    hidden = (known & ~usable)[top:bottom, left:right]
    crop[crop_hole] = 0
    with _seed_lock:
        patchmatch.set_random_seed(seed)
        filled = patchmatch.inpaint(
            crop,
            crop_hole,
            global_mask=hidden if hidden.any() else None,
            patch_size=settings.patch_radius,
        )
    result = canvas.copy()
    result[top:bottom, left:right] = filled
    return result


def upscale(small: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A working-size uint8 image as a float32 image of ``size`` = (width, height)."""
    if small.shape[1] == size[0] and small.shape[0] == size[1]:
        return small.astype(np.float32)
    return resize_float(small.astype(np.float32), size, Image.Resampling.BICUBIC)
