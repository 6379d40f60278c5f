"""Seam removal on the generated side: the fill is shifted so it meets the source's edge.

A membrane correction (the cheap cousin of Poisson blending): the difference between the source
and the fill along the source's edge is interpolated smoothly over the generated region and added
to it. Known pixels are never touched.
"""

from __future__ import annotations

import numpy as np

from outpaint_studio.engines.fill.pushpull import push_pull
from outpaint_studio.engines.fill.resample import dilate


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
    difference = np.zeros_like(fill)
    difference[band] = canvas[band].astype(np.float32) - fill[band]
    correction = push_pull(difference, band.astype(np.float32))
    result = fill.copy()
    result[~known] += correction[~known]
    return result
