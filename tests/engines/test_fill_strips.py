"""The order of the strips around a source: the deeper pair goes first and takes the corners."""

from __future__ import annotations

import numpy as np
import pytest

from outpaint_studio.engines import local
from outpaint_studio.engines.fill import fill
from outpaint_studio.engines.fill.seam import match_phase_joints
from outpaint_studio.engines.fill.strips import caps_first, strip_phases


def landscape_on_a_tall_canvas() -> np.ndarray:
    """The known mask of a wide source on a portrait canvas, with thin side margins."""
    known = np.zeros((180, 100), bool)
    known[60:120, 4:96] = True
    return known


def test_deeper_top_and_bottom_strips_come_first_with_the_corners() -> None:
    known = landscape_on_a_tall_canvas()
    assert caps_first(known)
    assert not caps_first(known.T)  # a portrait source on a wide canvas: the sides lead
    phases = strip_phases(known, band=8, cap_band=4, caps_first=True)
    assert [[strip.region for strip in phase] for phase in phases] == [
        [(slice(0, 60), slice(0, 100)), (slice(120, 180), slice(0, 100))],
        [(slice(60, 120), slice(0, 4)), (slice(60, 120), slice(96, 100))],
    ]
    covered = np.zeros(known.shape, int)
    for phase in phases:
        for strip in phase:
            covered[strip.region] += 1
    assert (covered == ~known).all()  # every border pixel once, no source pixel
    # a side strip sees the corners above and below it, filled by then
    left = phases[1][0]
    assert left.crop[0] == slice(52, 128)


def test_second_phase_side_strips_are_shifted_to_meet_the_corners() -> None:
    known = landscape_on_a_tall_canvas()
    generated = np.full((180, 100, 3), 100.0, dtype=np.float32)
    generated[60:120, :4] = 130.0  # a left strip one step brighter than the corners
    result = match_phase_joints(generated, known, known, caps_first=True)
    assert np.abs(result[59, 1] - result[60, 1]).max() < 2.0
    assert np.abs(result[119, 1] - result[120, 1]).max() < 2.0
    np.testing.assert_array_equal(result[known], generated[known])
    np.testing.assert_array_equal(result[:60], generated[:60])


@pytest.mark.skipif(not local.patchmatch_available, reason="PatchMatch does not load here")
@pytest.mark.parametrize("mode", ["fast", "high"])
def test_no_dark_corners_beside_a_thin_side_strip(mode: str) -> None:
    """A bright textured landscape source on a 9:16 canvas a little wider than it: the corners
    are as bright as the rest of the fill (they came out nearly black when the thin side strips
    took them)."""
    rng = np.random.default_rng(5)
    height, width = 1280, 720
    source = rng.integers(150, 230, size=(510, 680, 3)).astype(np.uint8)
    canvas = np.zeros((height, width, 3), np.uint8)
    known = np.zeros((height, width), bool)
    canvas[385:895, 20:700] = source
    known[385:895, 20:700] = True
    out = fill(canvas, known, mode)
    corners = [out[:60, :60], out[:60, -60:], out[-60:, :60], out[-60:, -60:]]
    assert min(float(corner.mean()) for corner in corners) > 140
