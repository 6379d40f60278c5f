"""A lone strip (one side extended) is filled from a band and from the whole canvas at once; the
fill from the whole canvas is kept when its texture is clearly more like the source's band."""

from __future__ import annotations

import numpy as np
import pytest
from photos import photo_like

from outpaint_studio.engines import local
from outpaint_studio.engines.fill import SETTINGS
from outpaint_studio.engines.fill.likeness import unlikeness
from outpaint_studio.engines.fill.patchmatch_fill import WIDE_MARGIN, inpaint, strip_plan
from outpaint_studio.engines.fill.steps import Steps
from outpaint_studio.engines.fill.strips import Strip, caps_first


def extended_right(source: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    height = source.shape[0]
    canvas = np.zeros((height, width, 3), np.uint8)
    known = np.zeros((height, width), bool)
    canvas[:, : source.shape[1]] = source
    known[:, : source.shape[1]] = True
    return canvas, known


def test_a_lone_strip_is_also_filled_from_the_whole_canvas_a_frame_from_bands() -> None:
    settings = SETTINGS["high"]
    _, one_side = extended_right(np.zeros((90, 120, 3), np.uint8), 160)
    [[lone]] = strip_plan(one_side, settings, caps_first(one_side))
    assert lone.wide_crop == (slice(0, 90), slice(0, 160))
    assert lone.crop[1].start > 0  # the band next to the edge
    frame = np.zeros((120, 160), bool)
    frame[20:100, 20:140] = True
    strips = [strip for phase in strip_plan(frame, settings, caps_first(frame)) for strip in phase]
    assert len(strips) == 4 and all(strip.wide_crop is None for strip in strips)


def test_texture_like_the_band_is_more_alike_than_flat_or_other_texture() -> None:
    rng = np.random.default_rng(0)
    noise = rng.integers(60, 200, size=(80, 160, 3)).astype(np.uint8)
    known = np.zeros((80, 160), bool)
    known[:, :100] = True
    filled = ~known
    flat = noise.copy()
    flat[filled] = 128
    stripes = noise.copy()
    stripes[:, 100:] = np.where(np.arange(60) % 8 < 4, 60, 200)[None, :, None]
    alike = unlikeness(noise, filled, known)
    assert alike < unlikeness(flat, filled, known) / 2
    assert alike < unlikeness(stripes, filled, known) / 2


def sources() -> list[np.ndarray]:
    """Photo-like sources, whose strips repeat when filled from a band alone, and sources whose
    band (noise) differs from their far side (a gradient)."""
    found = [np.asarray(photo_like(160, 120, seed)) for seed in (1, 2)]
    for seed in (1, 2, 3):
        source = np.zeros((120, 160, 3), np.uint8)
        source[:, :130] = np.linspace(40, 200, 130, dtype=np.uint8)[None, :, None]
        source[:, 130:] = np.random.default_rng(seed).integers(0, 255, (120, 30, 3))
        found.append(source)
    return found


@pytest.mark.skipif(not local.patchmatch_available, reason="PatchMatch does not load here")
def test_the_fill_from_the_whole_canvas_is_kept_when_clearly_more_alike() -> None:
    settings = SETTINGS["high"]
    kept_wide = set()
    for source in sources():
        canvas, known = extended_right(source, 213)
        [[lone]] = strip_plan(known, settings, caps_first(known))
        banded, wide = (
            inpaint(canvas, known, settings, 0, [[Strip(lone.region, crop)]], Steps())
            for crop in lone.crops()
        )
        chosen = inpaint(canvas, known, settings, 0, [[lone]], Steps())
        filled = ~known
        clearly = unlikeness(wide, filled, known) < WIDE_MARGIN * unlikeness(banded, filled, known)
        assert np.array_equal(chosen, wide if clearly else banded)
        kept_wide.add(clearly)
    assert kept_wide == {True, False}  # both kinds of source met
