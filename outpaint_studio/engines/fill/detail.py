"""Giving an upscaled fill the fine grain of the source.

An upscaled working-size fill lacks all detail finer than a working pixel: grain, sensor noise,
the finest texture. Amplifying what the upscale kept cannot bring that back; it draws the grid of
the working pixels instead. The source lost the same detail in the same round trip, so what it
lost (the original minus its upscaled working copy) is detail of the right kind. It is copied
into the fill in overlapping tiles, each from a source tile that looks alike at working size,
and blended with windows whose squares sum to one, so that grain keeps its strength across tile
borders.
"""

from __future__ import annotations

import numpy as np

from outpaint_studio.engines.fill.resample import dilate

TILE = 24
# a tile is copied from one of this many source tiles that look most alike...
CHOICES = 8
# ...and among those, from the calmer half: a sharp edge copied into the wrong place shows as a
# ghost line, missing grain only as a slightly softer fill
CALM_CHOICES = 4
MAX_CANDIDATES = 2000

_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _window(size: int) -> np.ndarray:
    """A separable sine window: overlapping by half, the squares of neighbours sum to one."""
    ramp = np.sin(np.pi * (np.arange(size) + 0.5) / size).astype(np.float32)
    return ramp[:, None] * ramp[None, :]


def _window_sums(plane: np.ndarray, tile: int) -> np.ndarray:
    """Sums of ``plane`` (HxW or HxWxC) over windows of 2x2 tiles, at every tile step.

    Window (i, j) covers rows (i - 1) * tile to (i + 1) * tile, and likewise for columns;
    pixels outside the image count as zero.
    """
    height, width = plane.shape[:2]
    rows, columns = -(-height // tile), -(-width // tile)
    pad = [(tile, (rows + 1) * tile - height), (tile, (columns + 1) * tile - width)]
    padded = np.pad(plane, pad + [(0, 0)] * (plane.ndim - 2))
    blocks = padded.reshape(rows + 2, tile, columns + 2, tile, *plane.shape[2:]).sum(axis=(1, 3))
    return blocks[:-1, :-1] + blocks[1:, :-1] + blocks[:-1, 1:] + blocks[1:, 1:]


def _looks(image: np.ndarray, tile: int) -> np.ndarray:
    """Per window: mean colour and twice the standard deviation of the luma."""
    count = np.maximum(_window_sums(np.ones(image.shape[:2], np.float32), tile), 1)[..., None]
    luma = image @ _LUMA
    mean = _window_sums(image, tile) / count
    mean_luma = _window_sums(luma, tile) / count[..., 0]
    variance = _window_sums(luma**2, tile) / count[..., 0] - mean_luma**2
    return np.concatenate([mean, 2 * np.sqrt(np.maximum(variance, 0))[..., None]], axis=-1)


def restore_detail(
    generated: np.ndarray, canvas: np.ndarray, known: np.ndarray, scale: float, seed: int = 0
) -> np.ndarray:
    """``generated`` (the upscaled working image, float32) with the source's lost grain added
    to its unknown pixels, fading in over the first pixels from the source's edge."""
    hole = ~known
    if scale >= 1.0 or not hole.any():
        return generated
    # near the edge the working image mixed source and fill: no clean residual there
    usable = known & ~dilate(hole, max(2, round(3 / scale)))
    residual = canvas.astype(np.float32)
    residual -= generated
    residual *= usable[..., None]
    grain = _tiled_grain(generated, residual, usable, hole, np.random.default_rng(seed))
    grain *= edge_fade(known, max(2, round(2 / scale)))[..., None]  # 0 on known pixels
    grain += generated
    return grain


def _choices(
    looks: np.ndarray, windows: np.ndarray, sources: np.ndarray, energy: np.ndarray
) -> np.ndarray:
    """For each of ``windows`` (N x 2 window indices), its CALM_CHOICES candidate sources (N x
    CALM_CHOICES indices into ``sources``): the calmest of the CHOICES that look most alike."""
    wanted = looks[windows[:, 0], windows[:, 1]].astype(np.float64)
    offered = looks[sources[:, 0], sources[:, 1]].astype(np.float64)
    distances = (
        (wanted**2).sum(axis=1)[:, None]
        + (offered**2).sum(axis=1)[None, :]
        - 2 * wanted @ offered.T
    )
    count = min(CHOICES, len(sources))
    alike = np.argpartition(distances, count - 1, axis=1)[:, :count]
    calm = np.argsort(energy[alike], axis=1, kind="stable")[:, :CALM_CHOICES]
    return np.take_along_axis(alike, calm, axis=1)


def _tiled_grain(
    generated: np.ndarray,
    residual: np.ndarray,
    usable: np.ndarray,
    hole: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Windows of ``residual`` laid over every window that touches ``hole``, each from a
    wholly ``usable`` window whose ``generated`` pixels look alike."""
    tile, size = TILE, 2 * TILE
    grain = np.zeros_like(generated)
    sources = np.argwhere(_window_sums(usable.astype(np.float32), tile) >= size * size)
    if len(sources) == 0:
        return grain
    sources = sources[:: -(-len(sources) // MAX_CANDIDATES)]
    energy = _window_sums((residual**2).sum(axis=2), tile)[sources[:, 0], sources[:, 1]]
    windows = np.argwhere(_window_sums(hole.astype(np.float32), tile) > 0)
    choices = _choices(_looks(generated, tile), windows, sources, energy)
    picked = sources[
        choices[np.arange(len(windows)), rng.integers(0, choices.shape[1], len(windows))]
    ]
    window = _window(size)[..., None]
    height, width = hole.shape
    for (i, j), (source_i, source_j) in zip(windows.tolist(), picked.tolist(), strict=True):
        top, left = (i - 1) * tile, (j - 1) * tile
        rows = slice(max(top, 0), min(top + size, height))
        columns = slice(max(left, 0), min(left + size, width))
        shift_y, shift_x = (source_i - i) * tile, (source_j - j) * tile
        grain[rows, columns] += (
            window[rows.start - top : rows.stop - top, columns.start - left : columns.stop - left]
            * residual[rows.start + shift_y : rows.stop + shift_y,
                       columns.start + shift_x : columns.stop + shift_x]
        )  # fmt: skip
    return grain


def edge_fade(known: np.ndarray, width: int) -> np.ndarray:
    """0 on known pixels, rising by even steps to 1 at ``width`` pixels from them."""
    fade = np.zeros(known.shape, dtype=np.float32)
    near = known
    for _ in range(width):
        near = dilate(near, 1)
        fade += ~near
    return fade / width
