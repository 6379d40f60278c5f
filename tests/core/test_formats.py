import math
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from PIL import Image

from outpaint_studio.core.formats import (
    FORMAT_GROUPS,
    MAX_EXACT_UNIT,
    MAX_OUTPUT_SIDE,
    MAX_RATIO,
    Target,
    TargetError,
    file_part,
    layout_for,
    parse_anchor,
    parse_target,
    parse_targets,
    ratio_canvas,
    ratio_target,
    resized_to,
    target_params,
)
from outpaint_studio.core.jobs import JobParams
from outpaint_studio.core.layout import ANCHORS, GRID, MAX_PIXELS, MIN_SIDE, scaled_size, snap_up
from outpaint_studio.core.output import output_target

photo_sides = st.integers(min_value=1, max_value=20000)
limits = st.sampled_from([MAX_PIXELS, MAX_PIXELS // 4, 1_000_000])
presets = st.sampled_from([target for _, group in FORMAT_GROUPS for target in group])


@st.composite
def ratios(draw: st.DrawFn) -> Target:
    short = draw(st.integers(1, 60))
    long = draw(st.integers(short, short * MAX_RATIO))
    return ratio_target(*((long, short) if draw(st.booleans()) else (short, long)))


@st.composite
def exact_sizes(draw: st.DrawFn) -> Target:
    short = draw(st.integers(MIN_SIDE, 3000))
    long = draw(st.integers(short, min(short * MAX_RATIO, MAX_OUTPUT_SIDE)))
    width, height = (long, short) if draw(st.booleans()) else (short, long)
    return parse_target(f"{width}x{height}")


targets = presets | ratios() | exact_sizes()


def exact_ratio_possible(target: Target, limit: int) -> bool:
    unit_w, unit_h = GRID * target.ratio_w, GRID * target.ratio_h
    return max(unit_w, unit_h) <= MAX_EXACT_UNIT and unit_w * unit_h <= limit


def ratio_error(width: int, height: int, target: Target) -> float:
    return abs(math.log(width * target.ratio_h / (height * target.ratio_w)))


@given(photo_sides, photo_sides, targets, st.sampled_from(ANCHORS), limits)
def test_a_layout_keeps_the_whole_source_on_a_sendable_canvas(
    w: int, h: int, target: Target, anchor: str, limit: int
) -> None:
    layout = layout_for((w, h), target, anchor, limit)  # type: ignore[arg-type]
    p = layout.placement
    assert not p.overhang().any()  # never cropped
    assert p.canvas_width % GRID == 0 and p.canvas_height % GRID == 0
    assert min(p.canvas_width, p.canvas_height) >= MIN_SIDE
    assert p.pixels <= limit
    assert 0 < layout.scale <= 1
    assert (p.source_width, p.source_height) == scaled_size((w, h), layout.scale)


@given(photo_sides, photo_sides, targets, st.sampled_from(ANCHORS))
def test_the_anchor_holds(w: int, h: int, target: Target, anchor: str) -> None:
    p = layout_for((w, h), target, anchor).placement  # type: ignore[arg-type]
    box = p.source_box()
    column, row = ANCHORS.index(anchor) % 3, ANCHORS.index(anchor) // 3  # type: ignore[arg-type]
    centred_x, centred_y = (
        (p.canvas_width - p.source_width) // 2,
        (p.canvas_height - p.source_height) // 2,
    )
    gaps_x = (box.left, p.x - centred_x, p.canvas_width - box.right)
    gaps_y = (box.top, p.y - centred_y, p.canvas_height - box.bottom)
    assert gaps_x[column] == 0 and gaps_y[row] == 0
    assert (p.offset_x is None) == (column == 1) and (p.offset_y is None) == (row == 1)


@given(photo_sides, photo_sides, targets, limits)
def test_the_ratio_is_as_close_as_the_grid_allows(
    w: int, h: int, target: Target, limit: int
) -> None:
    p = layout_for((w, h), target, "center", limit).placement
    error = ratio_error(p.canvas_width, p.canvas_height, target)
    if exact_ratio_possible(target, limit):
        assert error == 0
        return
    # no grid canvas holding the source, up to a step beyond the exact ratio's, is closer
    ratio = target.ratio_w / target.ratio_h
    least_w = max(p.source_width, p.source_height * ratio, MIN_SIDE, MIN_SIDE * ratio)
    most_w, most_h = snap_up(math.ceil(least_w)) + GRID, snap_up(math.ceil(least_w / ratio)) + GRID
    assert p.canvas_width <= most_w and p.canvas_height <= most_h
    for width in range(max(MIN_SIDE, snap_up(p.source_width)), most_w + 1, GRID):
        for height in range(max(MIN_SIDE, snap_up(p.source_height)), most_h + 1, GRID):
            assert ratio_error(width, height, target) >= error - 1e-12


@given(photo_sides, photo_sides, targets, limits)
def test_the_source_is_as_large_as_fits(w: int, h: int, target: Target, limit: int) -> None:
    layout = layout_for((w, h), target, "center", limit)
    if target.output_size is None:
        at_full_size = ratio_canvas((w, h), 1.0, target, limit=2**40)
        unlimited = at_full_size.canvas_width * at_full_size.canvas_height
        assert (layout.scale == 1) == (unlimited <= limit)
    p = layout.placement
    if not exact_ratio_possible(target, limit):  # the canvas hugs the source within a step
        least_w = max(p.source_width, p.source_height * target.ratio_w / target.ratio_h)
        least_h = least_w * target.ratio_h / target.ratio_w
        assert p.canvas_width <= max(MIN_SIDE * MAX_RATIO, least_w + 2 * GRID)
        assert p.canvas_height <= max(MIN_SIDE * MAX_RATIO, least_h + 2 * GRID)


@given(photo_sides, photo_sides, exact_sizes())
def test_exact_pixels_give_the_output_size_from_a_canvas_no_larger_than_needed(
    w: int, h: int, target: Target
) -> None:
    layout = layout_for((w, h), target)
    assert layout.output_size == target.output_size
    needed = ratio_canvas(target.output_size, 1.0, target)  # type: ignore[arg-type]
    assert layout.placement.pixels <= needed.canvas_width * needed.canvas_height


def test_an_exact_size_is_reached_by_a_lanczos_resize() -> None:
    target = parse_target("1080x1350")
    layout = layout_for((4000, 3000), target)
    p = layout.placement
    assert (p.canvas_width, p.canvas_height) == (1088, 1360)  # 4:5 exactly, just over the output
    finished = Image.linear_gradient("L").resize((p.canvas_width, p.canvas_height))
    out = resized_to(finished, layout.output_size)
    assert out.size == (1080, 1350)
    assert out.tobytes() == finished.resize((1080, 1350), Image.Resampling.LANCZOS).tobytes()
    assert resized_to(out, (1080, 1350)) is out


def test_a_preset_lays_out_as_the_editors_aspect_box_does() -> None:
    layout = layout_for((1680, 1120), parse_target("16:9"))
    p = layout.placement
    assert (p.canvas_width, p.canvas_height, layout.scale) == (2048, 1152, 1.0)
    story = layout_for((1680, 1120), parse_target("9:16"), "top").placement
    assert (story.canvas_width, story.canvas_height) == (1440, 2560)
    assert (story.offset_x, story.offset_y) == (None, 0)


def test_an_odd_exact_size_gets_the_nearest_ratio_around_the_source() -> None:
    layout = layout_for((500, 500), parse_target("1001x700"))
    p = layout.placement
    assert (p.canvas_width, p.canvas_height) == (736, 512)  # not the exact ratio's 2288x1600
    assert layout.scale == 1 and layout.output_size == (1001, 700)


@pytest.mark.parametrize(
    ("text", "label", "part"),
    [("4:5", "4:5", "4x5"), (" 16 : 9 ", "16:9", "16x9"), ("8:10", "8:10", "8x10"),
     ("21:9", "21:9", "21x9"), ("1080x1350", "1080x1350", "1080x1350"),
     ("1080X1920", "1080x1920", "1080x1920")],
)  # fmt: skip
def test_targets_parse_to_ratios_or_exact_pixels(text: str, label: str, part: str) -> None:
    target = parse_target(text)
    assert target.label == label and file_part(target.label) == part


def test_a_ratio_keeps_its_name_and_equals_its_other_names() -> None:
    assert parse_target("21:9") == parse_target("7:3") and parse_target("8:10") == Target(4, 5)
    assert parse_targets("21:9,7:3,4:5,8:10") == [Target(7, 3), Target(4, 5)]
    assert [t.label for t in parse_targets("21:9,7:3")] == ["21:9"]


@pytest.mark.parametrize(
    ("text", "words"),
    [("square", "not a target"), ("0:5", "above 0"), ("11:1", "at most 10:1"),
     ("32x32", "64 to 16384 px"), ("1:1,,", None), ("", "no targets")],
)  # fmt: skip
def test_bad_targets_are_one_line_messages(text: str, words: str | None) -> None:
    if words is None:
        assert parse_targets(text) == [parse_target("1:1")]
        return
    with pytest.raises(TargetError, match=words) as caught:
        parse_targets(text)
    assert "\n" not in str(caught.value)


def test_a_list_keeps_each_target_once_in_order() -> None:
    found = parse_targets("1:1,4:5,2:2,9:16,1080x1920")
    assert [t.label for t in found] == ["1:1", "4:5", "9:16", "1080x1920"]


def test_anchors_parse_by_name() -> None:
    assert parse_anchor(" Top-Left ") == "top-left"
    with pytest.raises(TargetError, match="not an anchor"):
        parse_anchor("middle")


@given(ratios(), st.integers(MIN_SIDE, 8000))
def test_a_long_side_makes_a_ratio_exact(target: Target, long_side: int) -> None:
    sized = target.with_long_side(long_side)
    assert sized.output_size is not None and max(sized.output_size) == long_side
    assume(min(sized.output_size) >= 8)
    width, height = sized.output_size
    ratio = target.ratio_w / target.ratio_h
    assert abs(width / height / ratio - 1) <= 0.5 / (min(width, height) - 0.5) + 1e-12  # rounding
    assert sized.with_long_side(long_side + 1) == sized


@pytest.mark.parametrize(
    ("target", "name"), [(None, "shoe-extended.png"), ("4:5", "shoe-4x5.png"),
                         ("1080x1350", "shoe-1080x1350.png")],
)  # fmt: skip
def test_an_output_is_named_by_its_target(target: str | None, name: str, tmp_path: Path) -> None:
    params = JobParams(input="/photos/shoe.jpg", width=64, height=64, out_dir=str(tmp_path),
                       target=target)  # fmt: skip
    assert output_target(params, "key", tmp_path / "history") == tmp_path / name


def test_target_params_carry_the_layout_the_name_and_the_exact_size() -> None:
    layout = layout_for((4000, 3000), parse_target("1080x1350"), "bottom-right")
    params = target_params(JobParams(input="a.png", width=1, height=1), layout)
    p = layout.placement
    assert (params.width, params.height, params.scale) == (1088, 1360, layout.scale)
    assert (params.offset_x, params.offset_y) == (p.offset_x, p.offset_y) != (None, None)
    assert (params.target, params.output_width, params.output_height) == ("1080x1350", 1080, 1350)
    assert params.placement((4000, 3000)) == p
