import numpy as np
import pytest
from photos import photo_like
from PIL import Image

from outpaint_studio.core.compose import (
    full_resolution,
    full_resolution_composition,
    measure_change,
    paste_back,
)
from outpaint_studio.core.layout import Placement


def drifted_result(source: Image.Image, placement: Placement, drift: int) -> Image.Image:
    """What a model returns: a new canvas with the source re-drawn slightly off."""
    canvas = np.full((placement.canvas_height, placement.canvas_width, 3), 90, np.uint8)
    box, crop = placement.visible_box(), placement.crop_box()
    patch = np.asarray(source.crop(crop.as_tuple()), dtype=np.int16) + drift
    canvas[box.top : box.bottom, box.left : box.right] = np.clip(patch, 0, 255)
    return Image.fromarray(canvas, "RGB")


@pytest.mark.parametrize("feather", [0, 4, 8, 16])
def test_source_is_exact_outside_the_feather_band(feather: int) -> None:
    source = photo_like(120, 80)
    placement = Placement(120, 80, 256, 160, 40, 30)
    result = drifted_result(source, placement, drift=9)
    out = np.asarray(paste_back(result, source, placement, feather))
    inner = out[30 + feather : 110 - feather, 40 + feather : 160 - feather]
    truth = np.asarray(source)[feather : 80 - feather, feather : 120 - feather]
    assert np.array_equal(inner, truth)
    outside = np.asarray(result)[:30]
    assert np.array_equal(out[:30], outside)  # generated area untouched
    if feather:
        band = out[30, 40:160].astype(int) - np.asarray(source)[0].astype(int)
        assert 0 < np.abs(band).max() <= 9  # blended, between result and source


def test_edges_on_the_canvas_border_need_no_feather() -> None:
    source = photo_like(100, 80)
    placement = Placement(100, 80, 200, 80, 0, 0)  # touches left, top and bottom
    out = np.asarray(paste_back(drifted_result(source, placement, 5), source, placement, 8))
    assert np.array_equal(out[:, :92], np.asarray(source)[:, :92])


def test_overhanging_source_is_cropped_when_pasted() -> None:
    source = photo_like(100, 80)
    placement = Placement(100, 80, 160, 96, -20, 40)
    out = np.asarray(paste_back(drifted_result(source, placement, 3), source, placement, 0))
    assert np.array_equal(out[40:96, 0:80], np.asarray(source)[0:56, 20:100])


def test_change_is_measured_on_the_source_region() -> None:
    source = photo_like(64, 64)
    placement = Placement(64, 64, 128, 128, 32, 32)
    change = measure_change(drifted_result(source, placement, 4), source, placement)
    assert change.max == 4 and 3.0 < change.mean <= 4.0


def test_full_resolution_output_keeps_every_original_pixel() -> None:
    original = photo_like(400, 300)
    scale = 0.25
    small = original.resize((100, 75), Image.Resampling.LANCZOS)
    placement = Placement(100, 75, 160, 128, 20, 24)
    result = drifted_result(small, placement, 6)
    out = full_resolution(result, original, placement, scale, feather=0)
    assert out.size == (640, 512)
    assert np.array_equal(np.asarray(out)[96:396, 80:480], np.asarray(original))


def textured_result(source: Image.Image, placement: Placement, drift: int) -> Image.Image:
    """``drifted_result`` with a textured generated area (a flat one hides resampling errors)."""
    out = drifted_result(source, placement, drift)
    canvas = photo_like(placement.canvas_width, placement.canvas_height)
    box = placement.visible_box()
    canvas.paste(out.crop(box.as_tuple()), (box.left, box.top))
    return canvas


@pytest.mark.parametrize(
    ("x", "y", "feather"), [(20, 24, 8), (-20, 24, 8), (0, 0, 0), (30, 88, 16), (106, 88, 8)]
)
def test_full_resolution_resamples_only_what_shows_and_matches_a_whole_upscale(
    x: int, y: int, feather: int
) -> None:
    original = photo_like(400, 300)
    scale = 0.375
    small = original.resize((150, 112), Image.Resampling.LANCZOS)
    placement = Placement(150, 112, 256, 200, x, y)
    result = textured_result(small, placement, 6)
    out = full_resolution_composition(result, original, placement, scale, feather).compose()
    whole = full_resolution_composition(result, original, placement, scale, feather)
    upscaled = whole.result  # the whole result upscaled at once, as layers use it
    expected = paste_back(upscaled, original, whole.placement, whole.feather)
    assert out.size == upscaled.size == (683, 533)
    assert np.abs(np.asarray(out, int) - np.asarray(expected, int)).max() <= 1
    assert np.array_equal(np.asarray(whole.compose()), np.asarray(expected))  # layers' flat
