"""Cutting the border around a source into strips that are filled one side at a time.

Each strip may copy only from the band of the canvas next to it, so the left of the border is made
from the left of the source, not from whatever PatchMatch finds most similar anywhere. The left
and right strips (with the corners) come first; the top and bottom strips then also see the
corners, and copy from a shallower band. When the top and bottom strips are the deeper pair
(a landscape photo on a portrait canvas), they come first and take the corners instead. Strips
of one phase do not depend on each other, so they can be filled in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Box = tuple[slice, slice]


@dataclass(frozen=True)
class Strip:
    """``region`` is filled inside ``crop``: the region plus the band next to it. With a
    ``wide_crop`` as well, it is filled inside each, and the fill more like the source kept."""

    region: Box
    crop: Box
    wide_crop: Box | None = None

    def crops(self) -> list[Box]:
        return [self.crop] if self.wide_crop is None else [self.crop, self.wide_crop]


def bounding_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the set pixels of a non-empty mask, bottom and right
    exclusive."""
    rows = np.flatnonzero(mask.any(axis=1))
    columns = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1


def caps_first(known: np.ndarray) -> bool:
    """Whether the top and bottom strips should come first, with the corners: when they are
    deeper than the side strips (a thin side strip's corners would have almost nothing next
    to them to copy from)."""
    height, width = known.shape
    top, bottom, left, right = bounding_box(known)
    return max(top, height - bottom) > max(left, width - right)


def strip_phases(
    known: np.ndarray, band: int, cap_band: int, caps_first: bool = False
) -> list[list[Strip]]:
    """The strips outside the known pixels' bounding box, phase by phase.

    ``band`` is how far the crop of a left or right strip reaches into what is known when it is
    filled, ``cap_band`` the same for a top or bottom strip. The strips of the first phase take
    the corners (the sides', unless ``caps_first``). Holes inside the bounding box are left to
    the caller.
    """
    height, width = known.shape
    top, bottom, left, right = bounding_box(known)
    # the second phase's strips span the source's side only, and also see the corners
    if caps_first:
        side_rows, cap_columns = slice(top, bottom), slice(0, width)
        side_crop_rows, cap_crop_columns = slice(max(0, top - band), bottom + band), cap_columns
    else:
        side_rows, cap_columns = slice(0, height), slice(left, right)
        side_crop_rows = side_rows
        cap_crop_columns = slice(max(0, left - cap_band), right + cap_band)
    sides = []
    if left > 0:
        sides.append(Strip((side_rows, slice(0, left)), (side_crop_rows, slice(0, left + band))))
    if right < width:
        right_crop = (side_crop_rows, slice(max(0, right - band), width))
        sides.append(Strip((side_rows, slice(right, width)), right_crop))
    caps = []
    if top > 0:
        caps.append(
            Strip((slice(0, top), cap_columns), (slice(0, top + cap_band), cap_crop_columns))
        )
    if bottom < height:
        below = slice(max(0, bottom - cap_band), height)
        caps.append(Strip((slice(bottom, height), cap_columns), (below, cap_crop_columns)))
    phases = (caps, sides) if caps_first else (sides, caps)
    return [phase for phase in phases if phase]
