"""The offline fill's mask and image resampling helpers against plain definitions."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from outpaint_studio.engines.fill.pushpull import _doubled
from outpaint_studio.engines.fill.resample import dilate, resize_float


def square_dilation(mask: np.ndarray, radius: int) -> np.ndarray:
    """The definition: every pixel within ``radius`` (a square) of a set pixel is set."""
    grown = np.zeros_like(mask)
    for y, x in zip(*np.nonzero(mask), strict=True):
        grown[max(0, y - radius) : y + radius + 1, max(0, x - radius) : x + radius + 1] = True
    return grown


@pytest.mark.parametrize("seed", range(6))
def test_dilate_grows_every_set_pixel_by_a_square_of_the_radius(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(40):
        height, width = (int(side) for side in rng.integers(1, 40, 2))
        mask = rng.random((height, width)) < rng.random() * 0.05
        radius = int(rng.integers(0, 50))  # also longer than the mask's sides
        grown = dilate(mask, radius)
        assert grown.shape == mask.shape
        assert np.array_equal(grown, square_dilation(mask, radius)), (height, width, radius)


def test_dilate_near_the_edges() -> None:
    mask = np.zeros((11, 13), dtype=bool)
    mask[0, 0] = mask[10, 12] = True
    for radius in range(1, 14):
        assert np.array_equal(dilate(mask, radius), square_dilation(mask, radius)), radius


@pytest.mark.parametrize("axis", [0, 1])
def test_doubling_is_pillows_bilinear_upscale_by_two(axis: int) -> None:
    values = np.random.default_rng(1).random((7, 9, 3)).astype(np.float32)
    height, width = values.shape[:2]
    size = (width * (1 + axis), height * (2 - axis))  # (width, height), doubled along axis
    expected = resize_float(values, size, Image.Resampling.BILINEAR)
    np.testing.assert_allclose(_doubled(values, axis), expected, atol=1e-5)
