"""Giving an upscaled fill the fine grain of the source.

An upscaled working-size fill lacks all detail finer than a working pixel: grain, sensor noise,
the finest texture. Amplifying what the upscale kept cannot bring that back; it draws the grid of
the working pixels instead. The source lost the same detail in the same round trip, so what it
lost (the original minus its upscaled working copy) is detail of the right kind. It is copied
into the fill in overlapping tiles, each from a source tile that looks alike at working size,
and blended with windows whose squares sum to one, so that grain keeps its strength across tile
borders. PatchMatch's voting also softens the working fill a little more than the round trip
softened the source, so the grain is then strengthened (within MAX_GAIN) until the fill is as
sharp as the band of the source next to it.
"""

from __future__ import annotations

import numpy as np

from outpaint_studio.engines.fill.resample import dilate

TILE = 24
# a tile is copied from one of this many source tiles that look most alike...
CHOICES = 8
# ...but not from one whose grain is this many times stronger than the calmest of those: a sharp
# edge copied into the wrong place shows as a ghost line, missing grain only as a softer fill
OUTLIER = 16.0
MAX_CANDIDATES = 2000
# grain is drawn preferably from near the window it goes to (the source next to the fill): a
# source window a canvas side away must look this many levels more alike
NEARBY = 40.0
# the grain is strengthened at most this much to make the fill as sharp as the source beside it
MAX_GAIN = 2.5

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
    grain = _tiled_grain(canvas, generated, residual, usable, hole, np.random.default_rng(seed))
    grain *= edge_fade(known, max(2, round(2 / scale)))[..., None]  # 0 on known pixels
    grain += generated
    return grain


def _gradient_energy(image: np.ndarray) -> np.ndarray:
    """Per pixel: the squared luma differences to the right and lower neighbours, summed."""
    luma = image @ _LUMA
    energy = np.zeros(luma.shape, dtype=np.float32)
    energy[:, :-1] += np.square(np.diff(luma, axis=1))
    energy[:-1] += np.square(np.diff(luma, axis=0))
    return energy


def _gains(
    canvas: np.ndarray,
    generated: np.ndarray,
    residual: np.ndarray,
    windows: np.ndarray,
    picked: np.ndarray,
) -> np.ndarray:
    """How much to strengthen each window's grain (1 to MAX_GAIN) so that the fill there is as
    sharp as the source window it copies from: the source is its upscaled working copy plus its
    residual, but the working fill may be softer than the working source (PatchMatch's voting
    averages), and the grain has to make up for that too."""
    count = _window_sums(np.ones(canvas.shape[:2], np.float32), TILE)

    def mean_energy(image: np.ndarray, at: np.ndarray) -> np.ndarray:
        sums = _window_sums(_gradient_energy(image), TILE)
        return sums[at[:, 0], at[:, 1]] / count[at[:, 0], at[:, 1]]

    source = mean_energy(canvas.astype(np.float32), picked)
    lost = mean_energy(residual, picked)
    fill = mean_energy(generated, windows)
    wanted = np.maximum(source - fill, 0) / np.maximum(lost, 1e-6)
    return np.clip(np.sqrt(wanted), 1.0, MAX_GAIN)


def _choices(
    looks: np.ndarray,
    windows: np.ndarray,
    sources: np.ndarray,
    energy: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """For each of ``windows`` (N x 2 window indices), the index into ``sources`` it copies
    from: at random among the CHOICES that look most alike, leaving out OUTLIERs."""
    # where a window lies counts too: a canvas side away is like a colour NEARBY levels apart
    reach = NEARBY / max(looks.shape[:2])
    wanted = np.concatenate([looks[windows[:, 0], windows[:, 1]], reach * windows], axis=1)
    offered = np.concatenate([looks[sources[:, 0], sources[:, 1]], reach * sources], axis=1)
    distances = (
        (wanted**2).sum(axis=1)[:, None]
        + (offered**2).sum(axis=1)[None, :]
        - 2 * wanted @ offered.T
    )
    count = min(CHOICES, len(sources))
    alike = np.argpartition(distances, count - 1, axis=1)[:, :count]
    strength = energy[alike]
    calm = strength <= OUTLIER * strength.min(axis=1, keepdims=True)
    draw = np.where(calm, rng.random(alike.shape), -1.0)  # the calmest is always kept
    return alike[np.arange(len(alike)), draw.argmax(axis=1)]


def _tiled_grain(
    canvas: np.ndarray,
    generated: np.ndarray,
    residual: np.ndarray,
    usable: np.ndarray,
    hole: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Windows of ``residual`` laid over every window that touches ``hole``, each from a
    wholly ``usable`` window whose ``generated`` pixels look alike, strengthened by ``_gains``."""
    tile, size = TILE, 2 * TILE
    grain = np.zeros_like(generated)
    sources = np.argwhere(_window_sums(usable.astype(np.float32), tile) >= size * size)
    if len(sources) == 0:
        return grain
    sources = sources[:: -(-len(sources) // MAX_CANDIDATES)]
    energy = _window_sums((residual**2).sum(axis=2), tile)[sources[:, 0], sources[:, 1]]
    windows = np.argwhere(_window_sums(hole.astype(np.float32), tile) > 0)
    picked = sources[_choices(_looks(generated, tile), windows, sources, energy, rng)]
    gains = _gains(canvas, generated, residual, windows, picked)
    window = _window(size)[..., None]
    height, width = hole.shape
    for (i, j), (source_i, source_j), gain in zip(
        windows.tolist(), picked.tolist(), gains.tolist(), strict=True
    ):
        top, left = (i - 1) * tile, (j - 1) * tile
        rows = slice(max(top, 0), min(top + size, height))
        columns = slice(max(left, 0), min(left + size, width))
        shift_y, shift_x = (source_i - i) * tile, (source_j - j) * tile
        grain[rows, columns] += (
            gain
            * window[rows.start - top : rows.stop - top, columns.start - left : columns.stop - left]
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
