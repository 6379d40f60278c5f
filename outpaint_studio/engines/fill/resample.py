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
    return _window_any(_window_any(mask, radius, axis=0), radius, axis=1)


def _window_any(mask: np.ndarray, radius: int, axis: int) -> np.ndarray:
    """Whether any pixel within ``radius`` along ``axis`` is set (running sums, any radius)."""
    length = mask.shape[axis]
    radius = min(radius, length)  # a longer reach covers the whole axis all the same
    counts = np.cumsum(mask, axis=axis, dtype=np.int32)
    counts = np.concatenate([np.zeros_like(np.take(counts, [0], axis=axis)), counts], axis=axis)
    # counts past either end repeat the last or first sum
    ends = (np.take(counts, [0] * radius, axis=axis), np.take(counts, [length] * radius, axis=axis))
    padded = np.concatenate([ends[0], counts, ends[1]], axis=axis)
    upper = [slice(None)] * mask.ndim
    lower = [slice(None)] * mask.ndim
    upper[axis] = slice(2 * radius + 1, 2 * radius + 1 + length)
    lower[axis] = slice(0, length)
    result: np.ndarray = (padded[tuple(upper)] - padded[tuple(lower)]) > 0
    return result
