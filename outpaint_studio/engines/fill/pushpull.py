"""Push-pull pyramid fill: a smooth, fast interpolation of unknown pixels from known ones.

Known pixels are averaged down a pyramid (push) until every coarse cell has some weight, then the
coarse estimate is upsampled and used wherever the finer level lacks weight (pull).
"""

from __future__ import annotations

import numpy as np


def _halve(premultiplied: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum 2x2 blocks (a zero-weight row or column pads odd sides)."""
    height, width = weight.shape
    pad_h, pad_w = height % 2, width % 2
    if pad_h or pad_w:
        premultiplied = np.pad(premultiplied, ((0, pad_h), (0, pad_w), (0, 0)))
        weight = np.pad(weight, ((0, pad_h), (0, pad_w)))
    return _block_sums(premultiplied), _block_sums(weight)


def _block_sums(values: np.ndarray) -> np.ndarray:
    rows = values[0::2] + values[1::2]
    return rows[:, 0::2] + rows[:, 1::2]


def _doubled(values: np.ndarray, axis: int) -> np.ndarray:
    """``values`` (HxWxC) at twice the size along ``axis`` (0 or 1), interpolated linearly
    between pixel centres and held at the edges (Pillow's bilinear upscale by two)."""
    values = np.moveaxis(values, axis, 0)
    doubled = np.empty((2 * len(values), *values.shape[1:]), dtype=np.float32)
    even, odd = doubled[0::2], doubled[1::2]
    np.multiply(values, 0.75, out=even)
    np.multiply(values, 0.75, out=odd)
    quarter = values * np.float32(0.25)
    even[1:] += quarter[:-1]
    even[0] += quarter[0]
    odd[:-1] += quarter[1:]
    odd[-1] += quarter[-1]
    return np.moveaxis(doubled, 0, axis)


def push_pull(values: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Fill ``values`` (HxWxC float32) where ``weight`` (HxW, 0..1) is below 1.

    Pixels of weight 1 keep their values; the rest blend toward a smooth interpolation of the
    weighted pixels. With no weight anywhere the result is all zeros.
    """
    weight = np.clip(weight.astype(np.float32), 0.0, 1.0)
    values = values.astype(np.float32)
    if not weight.any():
        return np.zeros_like(values)
    levels: list[tuple[np.ndarray, np.ndarray]] = []
    premultiplied = values * weight[..., None]
    current_weight = weight
    while True:
        levels.append((premultiplied, current_weight))
        if current_weight.min() > 0 or current_weight.size == 1:
            break
        summed, summed_weight = _halve(premultiplied, current_weight)
        # renormalise to a weighted mean, keeping a confidence of at most 1
        scale = np.minimum(summed_weight, 1.0) / np.maximum(summed_weight, 1e-12)
        premultiplied = summed * scale[..., None]
        current_weight = np.minimum(summed_weight, 1.0)

    coarse_premultiplied, coarse_weight = levels[-1]
    estimate = coarse_premultiplied / np.maximum(coarse_weight, 1e-12)[..., None]
    for premultiplied, level_weight in reversed(levels[:-1]):
        height, width = level_weight.shape
        upsampled = _doubled(_doubled(estimate, 0)[:height], 1)[:, :width]
        upsampled *= (1.0 - level_weight)[..., None]
        estimate = premultiplied + upsampled
    return estimate


def push_pull_fill(canvas: np.ndarray, known: np.ndarray) -> np.ndarray:
    """A uint8 HxWx3 canvas with its unknown pixels smoothly filled; known pixels unchanged."""
    filled = push_pull(canvas.astype(np.float32), known.astype(np.float32))
    result = np.clip(np.rint(filled), 0, 255).astype(np.uint8)
    result[known] = canvas[known]
    return result
