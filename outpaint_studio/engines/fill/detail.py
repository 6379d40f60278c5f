"""Giving an upscaled fill the fine grain of the source.

An upscaled working-size fill lacks all detail finer than a working pixel: grain, sensor noise,
the finest texture. Amplifying what the upscale kept cannot bring that back; it draws the grid of
the working pixels instead. The source lost the same detail in the same round trip, so what it
lost (the original minus its upscaled working copy) is detail of the right kind. It is copied
into the fill in overlapping tiles, each from a source window (anywhere on a fine grid) whose
upscaled copy looks alike cell by cell, so that a sharp edge lands on the blurred edge the fill
kept, and blended with windows whose squares sum to one, so that grain keeps its strength across
tile borders. PatchMatch's voting also softens the working fill a little more than the round trip
softened the source, so the grain is then strengthened (within MAX_GAIN) until the fill is as
sharp as the band of the source next to it.
"""

from __future__ import annotations

import numpy as np

from outpaint_studio.engines.fill.resample import dilate

TILE = 24
# a window's looks: the mean colours of CELLS x CELLS cells, so that grain lines up with what
# the upscaled fill keeps of an edge
CELLS = 4
# a tile is copied from one of this many source tiles that look most alike...
CHOICES = 8
# ...but not from one whose grain is this many times stronger than the calmest of those: a sharp
# edge copied into the wrong place shows as a ghost line, missing grain only as a softer fill
OUTLIER = 16.0
MAX_CANDIDATES = 6000
# source windows lie on a grid of BLOCK pixels (at least), as do all windows and their cells
BLOCK = 4
_CHUNK = 256  # windows whose distances to all sources are computed at once
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


class _BoxSums:
    """Sums of a plane (HxW or HxWxC) over square boxes whose corners and sides are multiples
    of BLOCK pixels, from a summed-area table of its BLOCK x BLOCK block sums (16 times smaller
    than one of its pixels). Parts of a box outside the plane count as zero, or, with ``pad``,
    as the plane's edge pixels repeated up to ``pad`` pixels out."""

    def __init__(self, plane: np.ndarray, pad: int = 0) -> None:
        height, width = plane.shape[:2]
        more = [(pad, pad + -(side + 2 * pad) % BLOCK) for side in (height, width)]
        padded = np.pad(
            plane, more + [(0, 0)] * (plane.ndim - 2), mode="edge" if pad else "constant"
        )
        rows, columns = padded.shape[0] // BLOCK, padded.shape[1] // BLOCK
        blocks = padded.reshape(rows, BLOCK, columns, BLOCK, *plane.shape[2:])
        blocks = blocks.sum(axis=3, dtype=np.float32).sum(axis=1)
        self._table = np.zeros((rows + 1, columns + 1, *plane.shape[2:]), np.float64)
        self._table[1:, 1:] = blocks.cumsum(axis=0).cumsum(axis=1)
        self._pad = pad

    def __call__(self, corners: np.ndarray, size: int) -> np.ndarray:
        """The sums over the ``size`` x ``size`` boxes whose top-left ``corners`` (N x 2)
        are given."""
        rows, columns = self._table.shape[0] - 1, self._table.shape[1] - 1
        first = (corners + self._pad) // BLOCK
        top, left = np.clip(first[:, 0], 0, rows), np.clip(first[:, 1], 0, columns)
        bottom = np.clip(first[:, 0] + size // BLOCK, 0, rows)
        right = np.clip(first[:, 1] + size // BLOCK, 0, columns)
        table = self._table
        return table[bottom, right] - table[top, right] - table[bottom, left] + table[top, left]


def _looks(generated: _BoxSums, corners: np.ndarray, size: int) -> np.ndarray:
    """Per window: the mean colours of its CELLS x CELLS cells, scaled so that the distance
    between two windows is the root mean square of their cells' colour differences."""
    cell = size // CELLS
    means = [
        generated(corners + np.array([row * cell, column * cell]), cell)
        for row in range(CELLS)
        for column in range(CELLS)
    ]
    return np.concatenate(means, axis=1) / (cell * cell * CELLS)


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
    usable: np.ndarray,
    generated: np.ndarray,
    residual: np.ndarray,
    windows: np.ndarray,
    picked: np.ndarray,
) -> np.ndarray:
    """How much to strengthen each window's grain (1 to MAX_GAIN) so that the fill there is as
    sharp as the source window it copies from: the source is its upscaled working copy plus its
    residual, but the working fill may be softer than the working source (PatchMatch's voting
    averages), and the grain has to make up for that too."""
    size = 2 * TILE
    count = _BoxSums(np.ones(canvas.shape[:2], np.float32))(windows, size)

    def sums(image: np.ndarray, at: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        energy = _gradient_energy(image)
        if where is not None:  # sums over the whole plane: unknown pixels must not count
            energy *= where
        return _BoxSums(energy)(at, size)

    source = sums(canvas.astype(np.float32), picked, usable) / (size * size)
    lost = sums(residual, picked) / (size * size)
    fill = sums(generated, windows) / np.maximum(count, 1)
    wanted = np.maximum(source - fill, 0) / np.maximum(lost, 1e-6)
    return np.clip(np.sqrt(wanted), 1.0, MAX_GAIN)


def _choices(
    wanted: np.ndarray, offered: np.ndarray, energy: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """For each row of ``wanted`` (a window's looks and place), the index of the row of
    ``offered`` it copies from: at random among the CHOICES nearest, leaving out OUTLIERs."""
    count = min(CHOICES, len(offered))
    offered_norms = (offered**2).sum(axis=1)
    alike = np.empty((len(wanted), count), dtype=np.intp)
    for start in range(0, len(wanted), _CHUNK):  # a chunk's distances take _CHUNK x sources
        part = wanted[start : start + _CHUNK]
        distances = offered_norms[None, :] - 2 * part @ offered.T
        alike[start : start + _CHUNK] = np.argpartition(distances, count - 1, axis=1)[:, :count]
    strength = energy[alike]
    calm = strength <= OUTLIER * strength.min(axis=1, keepdims=True)
    draw = np.where(calm, rng.random(alike.shape), -1.0)  # the calmest is always kept
    return alike[np.arange(len(alike)), draw.argmax(axis=1)]


def _grid(first: int, last_top: int, last_left: int, step: int) -> np.ndarray:
    """Top-left corners (N x 2) every ``step`` pixels from (``first``, ``first``) up to
    (``last_top``, ``last_left``)."""
    tops = np.arange(first, last_top + 1, step)
    lefts = np.arange(first, last_left + 1, step)
    return np.stack(np.meshgrid(tops, lefts, indexing="ij"), axis=-1).reshape(-1, 2)


def _sources(usable: np.ndarray, size: int) -> np.ndarray:
    """Top-left corners of wholly ``usable`` windows, on a grid as fine as MAX_CANDIDATES
    allows (at least every BLOCK pixels)."""
    height, width = usable.shape
    if height < size or width < size:
        return np.zeros((0, 2), dtype=np.intp)
    step = BLOCK * max(1, round(np.sqrt(usable.sum() / MAX_CANDIDATES) / BLOCK))
    corners = _grid(0, height - size, width - size, step)
    inside = _BoxSums(usable.astype(np.float32))(corners, size) >= size * size - 0.5
    return corners[inside]


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
    height, width = hole.shape
    grain = np.zeros_like(generated)
    sources = _sources(usable, size)
    if len(sources) == 0:
        return grain
    windows = _grid(-tile, height - 1, width - 1, tile)
    windows = windows[_BoxSums(hole.astype(np.float32))(windows, size) > 0]
    energy = _BoxSums((residual**2).sum(axis=2))(sources, size)
    looks = _BoxSums(generated, pad=size)
    # where a window lies counts too: a canvas side away is like a colour NEARBY levels apart
    reach = NEARBY / max(height, width)
    wanted = np.concatenate([_looks(looks, windows, size), reach * windows], axis=1)
    offered = np.concatenate([_looks(looks, sources, size), reach * sources], axis=1)
    picked = sources[_choices(wanted.astype(np.float32), offered.astype(np.float32), energy, rng)]
    gains = _gains(canvas, usable, generated, residual, windows, picked)
    window = _window(size)[..., None]
    for (top, left), (source_top, source_left), gain in zip(
        windows.tolist(), picked.tolist(), gains.tolist(), strict=True
    ):
        rows = slice(max(top, 0), min(top + size, height))
        columns = slice(max(left, 0), min(left + size, width))
        shift_y, shift_x = source_top - top, source_left - left
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
