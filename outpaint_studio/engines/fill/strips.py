"""Cutting the border around a source into strips that are filled one side at a time.

Each strip may copy only from the band of the canvas next to it, so the left of the border is made
from the left of the source, not from whatever PatchMatch finds most similar anywhere. The left
and right strips (with the corners) come first; the top and bottom strips then also see the
corners, and copy from a shallower band. Strips of one phase do not depend on each other, so
they can be filled in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Box = tuple[slice, slice]


@dataclass(frozen=True)
class Strip:
    """``region`` is filled inside ``crop``: the region plus the band next to it."""

    region: Box
    crop: Box


def bounding_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the set pixels of a non-empty mask, bottom and right
    exclusive."""
    rows = np.flatnonzero(mask.any(axis=1))
    columns = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1


def strip_phases(known: np.ndarray, band: int, cap_band: int) -> list[list[Strip]]:
    """The strips outside the known pixels' bounding box, phase by phase.

    ``band`` is how far the crop of a left or right strip reaches into what is known when it is
    filled, ``cap_band`` the same for a top or bottom strip. Holes inside the bounding box are
    left to the caller.
    """
    height, width = known.shape
    top, bottom, left, right = bounding_box(known)
    all_rows = slice(0, height)
    sides = []
    if left > 0:
        sides.append(Strip((all_rows, slice(0, left)), (all_rows, slice(0, left + band))))
    if right < width:
        sides.append(
            Strip((all_rows, slice(right, width)), (all_rows, slice(max(0, right - band), width)))
        )
    inner = slice(left, right)
    # the top and bottom strips also see the corners just filled
    columns = slice(max(0, left - cap_band), right + cap_band)
    caps = []
    if top > 0:
        caps.append(Strip((slice(0, top), inner), (slice(0, top + cap_band), columns)))
    if bottom < height:
        below = slice(max(0, bottom - cap_band), height)
        caps.append(Strip((slice(bottom, height), inner), (below, columns)))
    return [phase for phase in (sides, caps) if phase]
