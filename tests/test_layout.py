from hypothesis import given
from hypothesis import strategies as st

from outpaint_studio.core.layout import (
    ANCHORS,
    GRID,
    MAX_PIXELS,
    Placement,
    canvas_for_aspect,
    expand_around,
    fit_on_grid,
    fit_scale,
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


@given(sides, sides, st.sampled_from([(1, 1), (16, 9), (9, 16), (4, 5), (21, 9)]))
def test_aspect_canvas_contains_the_source(w: int, h: int, ratio: tuple[int, int]) -> None:
    cw, ch = canvas_for_aspect(w, h, *ratio)
    assert cw >= w and ch >= h
    # exact up to one grid step (a 16 px grid cannot hold every ratio exactly)
    assert abs(cw - ch * ratio[0] / ratio[1]) < GRID or abs(ch - cw * ratio[1] / ratio[0]) < GRID


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
