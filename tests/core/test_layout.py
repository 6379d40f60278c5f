import math
from math import gcd

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outpaint_studio.core.layout import (
    ANCHORS,
    ASPECT_PRESETS,
    GRID,
    MAX_PIXELS,
    MIN_SIDE,
    Placement,
    PresetFit,
    aspect_canvas,
    expand_around,
    expanded_canvas,
    fit_on_grid,
    fit_scale,
    scaled_size,
    snap,
)

sides = st.integers(min_value=1, max_value=4000)
offsets = st.integers(min_value=-3000, max_value=3000)


@st.composite
def placements(draw: st.DrawFn) -> Placement:
    return Placement(
        draw(sides),
        draw(sides),
        draw(st.integers(64, 4096)),
        draw(st.integers(64, 4096)),
        draw(st.none() | offsets),
        draw(st.none() | offsets),
    )


@given(placements())
def test_centring_agrees_with_null_offsets(p: Placement) -> None:
    centred = p.centred()
    explicit = Placement(
        p.source_width,
        p.source_height,
        p.canvas_width,
        p.canvas_height,
        (p.canvas_width - p.source_width) // 2,
        (p.canvas_height - p.source_height) // 2,
    )
    assert centred.source_box() == explicit.source_box()
    assert centred.offset_x is None and centred.offset_y is None


@given(placements())
def test_snapping_never_moves_an_inside_source_off_the_canvas(p: Placement) -> None:
    snapped = p.snapped()
    if not p.overhang().any():
        assert not snapped.overhang().any()
    for before, after in ((p.offset_x, snapped.offset_x), (p.offset_y, snapped.offset_y)):
        if before is None:
            assert after is None
        else:
            assert abs(after - before) <= GRID


@given(placements())
def test_crop_is_the_part_of_the_source_on_the_canvas(p: Placement) -> None:
    crop = p.crop_box()
    visible = p.visible_box()
    if visible.is_empty():
        return
    assert (crop.width, crop.height) == (visible.width, visible.height)
    assert 0 <= crop.left <= crop.right <= p.source_width
    assert 0 <= crop.top <= crop.bottom <= p.source_height
    assert visible.left >= 0 and visible.right <= p.canvas_width
    assert visible.top >= 0 and visible.bottom <= p.canvas_height
    # every kept source pixel lands at the same canvas pixel
    assert (crop.left + p.x, crop.top + p.y) == (visible.left, visible.top)


@given(placements())
def test_overhang_plus_margins_account_for_every_pixel(p: Placement) -> None:
    margins, hang = p.margins(), p.overhang()
    assert hang.left == max(0, -margins.left) and hang.right == max(0, -margins.right)
    assert margins.left + p.source_width + margins.right == p.canvas_width
    assert margins.top + p.source_height + margins.bottom == p.canvas_height


def test_anchors_put_the_source_against_each_point() -> None:
    p = Placement(100, 50, 300, 200, 7, 9)
    boxes = {a: p.anchored(a).source_box() for a in ANCHORS}
    assert boxes["top-left"].as_tuple() == (0, 0, 100, 50)
    assert boxes["bottom-right"].as_tuple() == (200, 150, 300, 200)
    assert p.anchored("center").offset_x is None and p.anchored("center").offset_y is None
    assert p.anchored("top").offset_x is None and p.anchored("top").offset_y == 0
    assert boxes["right"].as_tuple() == (200, 75, 300, 125)


@given(st.integers(-10_000, 10_000))
def test_snap_is_on_the_grid_and_nearest(value: int) -> None:
    assert snap(value) % GRID == 0
    assert abs(snap(value) - value) <= GRID // 2


@given(sides, sides, st.sampled_from([1.25, 1.5, 2.0]))
def test_expand_contains_the_source_on_the_grid(w: int, h: int, factor: float) -> None:
    cw, ch = expand_around(w, h, factor)
    assert cw % GRID == 0 and ch % GRID == 0
    assert cw >= w * factor and ch >= h * factor


photo_sides = st.integers(min_value=1, max_value=20000)
scales = st.floats(min_value=0.01, max_value=1.0)


def sendable(width: int, height: int) -> bool:
    """What the service accepts: both sides on the grid and at least 64, at most 4 MP."""
    on_grid = width % GRID == 0 and height % GRID == 0
    return on_grid and min(width, height) >= MIN_SIDE and width * height <= MAX_PIXELS


@given(photo_sides, photo_sides, scales, st.sampled_from(list(ASPECT_PRESETS.values())))
def test_an_aspect_preset_lands_on_an_exact_sendable_canvas_around_the_source(
    w: int, h: int, scale: float, ratio: tuple[int, int]
) -> None:
    fit = aspect_canvas((w, h), scale, *ratio)
    assert sendable(fit.canvas_width, fit.canvas_height)
    assert fit.canvas_width * ratio[1] == fit.canvas_height * ratio[0]  # exactly the ratio
    assert 0 < fit.scale <= scale
    source_w, source_h = scaled_size((w, h), fit.scale)
    assert source_w <= fit.canvas_width and source_h <= fit.canvas_height
    # the smallest such canvas: one exact step smaller would not hold the source, or be too small
    step_w, step_h = GRID * ratio[0] // gcd(*ratio), GRID * ratio[1] // gcd(*ratio)
    smaller = (fit.canvas_width - step_w, fit.canvas_height - step_h)
    assert (
        smaller[0] < source_w or smaller[1] < source_h or min(smaller) < MIN_SIDE
        or fit.scale < scale
    )  # fmt: skip
    if fit.scale < scale:  # scaled down only when the next exact step is over 4 MP
        bigger = (fit.canvas_width + step_w) * (fit.canvas_height + step_h)
        assert bigger > MAX_PIXELS


def test_sixteen_nine_on_a_1680x1120_photo_is_exact() -> None:
    assert aspect_canvas((1680, 1120), 1.0, 16, 9) == PresetFit(2048, 1152, 1.0)
    nine_sixteen = aspect_canvas((1680, 1120), 1.0, 9, 16)
    assert (nine_sixteen.canvas_width, nine_sixteen.canvas_height) == (1440, 2560)
    assert nine_sixteen.scale == pytest.approx(1440 / 1680)


canvas_sides = st.integers(min_value=MIN_SIDE // GRID, max_value=4096 // GRID).map(
    lambda n: n * GRID
)


@given(canvas_sides, canvas_sides, scales, st.sampled_from([1.25, 1.5, 2.0]))
def test_an_expand_preset_grows_the_canvas_and_stays_sendable(
    cw: int, ch: int, scale: float, factor: float
) -> None:
    fit = expanded_canvas((cw, ch), scale, factor)
    assert sendable(fit.canvas_width, fit.canvas_height)
    assert 0 < fit.scale <= scale
    shrink = fit.scale / scale
    # the canvas is factor times the old one, each side to the nearest grid step ...
    assert abs(fit.canvas_width - cw * factor * shrink) <= GRID / 2
    assert abs(fit.canvas_height - ch * factor * shrink) <= GRID / 2
    # ... and it always does something visible: a bigger canvas, or a smaller source
    assert fit.canvas_width * fit.canvas_height > cw * ch or fit.scale < scale
    if shrink < 1:  # shrunk only when the grown canvas, on the grid, is over 4 MP
        nearest = [math.floor(side * factor / GRID + 0.5) * GRID for side in (cw, ch)]
        assert nearest[0] * nearest[1] > MAX_PIXELS
        assert fit.canvas_width * fit.canvas_height > MAX_PIXELS * 0.9


@given(placements())
def test_fit_scale_keeps_the_canvas_under_the_limit(p: Placement) -> None:
    scale = fit_scale(p)
    assert 0 < scale <= 1
    assert p.scaled(scale).pixels <= MAX_PIXELS
    if p.pixels > MAX_PIXELS:
        assert p.scaled(min(1.0, scale * 1.01)).pixels > MAX_PIXELS * 0.97


@given(placements())
def test_fitting_on_the_grid_stays_under_the_limit_and_keeps_the_source_inside(
    p: Placement,
) -> None:
    scale, fitted = fit_on_grid(p)
    assert fitted.pixels <= MAX_PIXELS
    assert fitted.canvas_width % GRID == 0 and fitted.canvas_height % GRID == 0
    if not p.overhang().any():
        assert not fitted.overhang().any()
    assert fitted.source_width == max(1, round(p.source_width * scale))
