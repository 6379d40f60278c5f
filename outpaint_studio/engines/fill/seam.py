"""Seam removal on the generated side: the fill is shifted so it meets the source's edge.

A membrane correction (the cheap cousin of Poisson blending): the difference between the source
and the fill along the source's edge is interpolated smoothly over the generated region and added
to it. Known pixels are never touched.
"""

from __future__ import annotations

import numpy as np

from outpaint_studio.engines.fill.pushpull import push_pull
from outpaint_studio.engines.fill.resample import dilate
from outpaint_studio.engines.fill.strips import bounding_box


def edge_band(known: np.ndarray, width: int) -> np.ndarray:
    """Known pixels within ``width`` pixels of an unknown one."""
    return known & dilate(~known, width)


def match_edge(
    fill: np.ndarray, canvas: np.ndarray, known: np.ndarray, width: int = 2
) -> np.ndarray:
    """``fill`` (HxWx3 float32) shifted so it agrees with ``canvas`` along the known edge.

    Only unknown pixels change; the returned array still holds ``fill``'s values at known pixels.
    """
    band = edge_band(known, width)
    if not band.any() or known.all():
        return fill
    difference = canvas.astype(np.float32)
    difference -= fill
    difference *= band[..., None]
    correction = push_pull(difference, band.astype(np.float32))
    correction *= ~known[..., None]
    correction += fill
    return correction


def side_edges(working_known: np.ndarray, width: int) -> tuple[int, int]:
    """The full-size columns where the side strips end and the top and bottom strips begin:
    the working source's bounding box, scaled to ``width``."""
    _, _, left, right = bounding_box(working_known)
    small_width = working_known.shape[1]
    return round(left * width / small_width), round(right * width / small_width)


def match_joints(
    fill: np.ndarray, known: np.ndarray, edges: tuple[int, int], reach: int = 2
) -> np.ndarray:
    """``fill`` with its top and bottom strips shifted to meet the side strips where they join.

    The strips were filled one after the other, so they may disagree by a step along the
    extension of the source's left and right edges (``edges``). The step, measured over ``reach``
    columns either side, is spread over the top and bottom strips by a membrane that is zero
    where they meet the source.
    """
    height, width = known.shape
    left, right = edges
    caps = ~known
    caps[:, :left] = False
    caps[:, right:] = False
    if not caps.any():
        return fill
    boundary = np.zeros((height, width), dtype=bool)
    difference = np.zeros_like(fill)
    for outer, inner in (
        (slice(left - reach, left), slice(left, left + reach)),
        (slice(right, right + reach), slice(right - reach, right)),
    ):
        if outer.start < 0 or outer.stop > width or inner.start < 0 or inner.stop > width:
            continue
        rows = caps[:, inner].all(axis=1)
        step = fill[:, outer].mean(axis=1) - fill[:, inner].mean(axis=1)
        difference[rows, inner] = step[rows, None]
        boundary[rows, inner] = True
    if not boundary.any():
        return fill
    source_edge = known & dilate(caps, 1)
    boundary |= source_edge
    correction = push_pull(difference, boundary.astype(np.float32))
    correction *= caps[..., None]
    correction += fill
    return correction


def match_phase_joints(
    fill: np.ndarray, known: np.ndarray, working_known: np.ndarray, caps_first: bool
) -> np.ndarray:
    """``match_joints`` for the strips' layout: the second phase's strips are shifted to meet
    the first's (the top and bottom strips, or with ``caps_first`` the side strips)."""
    if not caps_first:
        return match_joints(fill, known, side_edges(working_known, known.shape[1]))
    edges = side_edges(working_known.T, known.shape[0])
    turned = match_joints(fill.transpose(1, 0, 2), known.T, edges)
    return np.ascontiguousarray(turned.transpose(1, 0, 2))
