"""Resizing float images and masks with Pillow, and square dilation of masks."""

from __future__ import annotations

import numpy as np
from PIL import Image


def resize_float(values: np.ndarray, size: tuple[int, int], resample: int) -> np.ndarray:
    """Resize an HxW or HxWxC float array to ``size`` = (width, height), channel by channel."""
    if values.ndim == 2:
        return _resize_channel(values, size, resample)
    channels = [_resize_channel(values[..., c], size, resample) for c in range(values.shape[2])]
    return np.stack(channels, axis=-1)


def _resize_channel(channel: np.ndarray, size: tuple[int, int], resample: int) -> np.ndarray:
    image = Image.fromarray(np.ascontiguousarray(channel, dtype=np.float32))
    return np.asarray(image.resize(size, resample), dtype=np.float32)


def downscale_known(
    canvas: np.ndarray, known: np.ndarray, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Shrink a partly known canvas without letting unknown pixels bleed into known ones.

    Returns the shrunk uint8 canvas and its known mask: a small pixel is known only when every
    pixel under it is known.
    """
    weight = known.astype(np.float32)
    premultiplied = canvas.astype(np.float32) * weight[..., None]
    small_weight = resize_float(weight, size, Image.Resampling.BOX)
    small = (
        resize_float(premultiplied, size, Image.Resampling.BOX)
        / np.maximum(small_weight, 1e-6)[..., None]
    )
    small_known = small_weight >= 0.999
    small_canvas = np.clip(np.rint(small), 0, 255).astype(np.uint8)
    small_canvas[~small_known] = 0
    return small_canvas, small_known


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Grow a boolean mask by ``radius`` pixels (a square neighbourhood)."""
    if radius <= 0 or not mask.any():
        return mask.copy()
    return np.ascontiguousarray(_reach_rows(_reach_rows(mask, radius).T, radius).T)


def _reach_rows(mask: np.ndarray, radius: int) -> np.ndarray:
    """Whether any row within ``radius`` of each row is set, column by column: shifted copies
    OR-ed in, each shift up to twice the last, so a reach of r takes about log2(r) steps."""
    length = len(mask)
    radius = min(radius, length)  # a longer reach covers the whole axis all the same
    # rows of zeros either side, so that a shifted window is never cut short by an edge
    result = np.zeros((length + 2 * radius, *mask.shape[1:]), dtype=bool)
    result[radius : radius + length] = mask
    reach = 0  # result[i] is set when any of mask[i - reach : i + reach + 1] is
    while reach < radius:
        shift = min(2 * reach + 1, radius - reach)
        before = result.copy()
        result[shift:] |= before[:-shift]
        result[:-shift] |= before[shift:]
        reach += shift
    return result[radius : radius + length]
