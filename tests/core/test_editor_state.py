"""The editor's Qt-free state: edits return new states, why Extend cannot run, the job it runs,
centring and auto-crop."""

from __future__ import annotations

import dataclasses

import pytest

from outpaint_studio.core.editor import EditorState, Geometry, initial_geometry
from outpaint_studio.core.layout import GRID, MAX_PIXELS
from outpaint_studio.core.options import Options

SOURCE = (160, 128)


def loaded(**geometry: object) -> EditorState:
    state = EditorState(source_path="/photos/beach.png", source_size=SOURCE,
                        geometry=initial_geometry(SOURCE))  # fmt: skip
    return state.with_geometry(**geometry) if geometry else state


def test_a_fresh_source_gets_a_centred_canvas_a_quarter_larger_on_the_grid() -> None:
    state = loaded()
    assert state.geometry == Geometry(208, 160, 1.0, None, None)
    assert (state.placement().x, state.placement().y) == (24, 16)
    assert state.problems() == []


def test_a_huge_source_starts_scaled_under_4_mp_and_inside_its_canvas() -> None:
    state = EditorState(source_size=(4000, 3000), geometry=initial_geometry((4000, 3000)))
    g = state.geometry
    assert g.scale < 1 and state.pixels() <= MAX_PIXELS
    assert g.canvas_width % GRID == 0 and g.canvas_height % GRID == 0
    assert not state.placement().overhang().any()


def test_edits_return_new_states_and_leave_the_old_one_as_it_was() -> None:
    state = loaded()
    moved = state.with_geometry(offset_x=0)
    assert moved.geometry.offset_x == 0 and state.geometry.offset_x is None
    assert state.moved_to(8, 16) == dataclasses.replace(state.geometry, offset_x=8, offset_y=16)
    assert state.geometry.offset_x is None  # moved_to gives a geometry; the state is unchanged
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.geometry.canvas_width = 1  # type: ignore[misc]


def test_a_centred_source_stays_centred_when_the_canvas_changes() -> None:
    wider = loaded(canvas_width=400, canvas_height=200)
    assert (wider.placement().x, wider.placement().y) == (120, 36)
    half = loaded().with_geometry(offset_x=0)  # placed on one axis, centred on the other
    taller = half.with_geometry(canvas_height=256)
    assert (taller.placement().x, taller.placement().y) == (0, 64)


@pytest.mark.parametrize(
    ("anchor", "offsets"),
    [
        ("top-left", (0, 0)),
        ("center", (None, None)),
        ("bottom-right", (48, 32)),
        ("top", (None, 0)),
    ],
)
def test_anchors_place_the_source_and_send_centre_as_null(anchor: str, offsets: tuple) -> None:
    state = loaded(canvas_width=208, canvas_height=160)
    g = state.anchored(anchor)  # type: ignore[arg-type]
    assert (g.offset_x, g.offset_y) == offsets
    assert (g.canvas_width, g.canvas_height) == (208, 160)


def test_presets_centre_the_source_on_a_canvas_on_the_grid() -> None:
    state = loaded(offset_x=0, offset_y=0)
    doubled = state.expanded(2)
    assert (doubled.offset_x, doubled.offset_y) == (None, None)
    assert doubled.canvas_width >= 2 * 208 - GRID and doubled.canvas_width % GRID == 0
    wide = state.with_aspect(16, 9)
    assert wide.canvas_width * 9 == wide.canvas_height * 16
    assert wide.canvas_width >= SOURCE[0] and wide.canvas_height >= SOURCE[1]


def test_fitting_scales_the_whole_layout_under_4_mp() -> None:
    state = loaded(canvas_width=4096, canvas_height=2048)
    assert any("over the 4 MP limit" in p for p in state.problems())
    fitted = dataclasses.replace(state, geometry=state.fitted())
    assert fitted.geometry.scale < 1
    assert fitted.pixels() <= MAX_PIXELS and fitted.problems() == []
    assert loaded().fitted() == loaded().geometry  # already under: unchanged


def test_problems_say_why_extend_cannot_run() -> None:
    assert EditorState().problems() == ["Open or drop an image to start"]
    assert loaded(canvas_width=48).problems()[0] == (
        "The canvas must be at least 64 px on each side"
    )
    [hangs] = loaded(offset_x=-10, offset_y=40).problems()
    assert hangs == (
        "The source hangs 10 px off the left and 8 px off the bottom: "
        "move it, enlarge the canvas, scale it down, or allow auto-crop"
    )


def test_auto_crop_allows_a_source_partly_off_the_canvas_but_not_wholly() -> None:
    cropping = dataclasses.replace(loaded(offset_x=-10), options=Options(auto_crop=True))
    assert cropping.problems() == []
    assert cropping.job_params().auto_crop and cropping.request().auto_crop
    gone = cropping.with_geometry(offset_x=-400)
    assert gone.problems() == ["Nothing of the source is on the canvas: move it onto the canvas"]


def test_job_params_carry_the_layout_and_every_option() -> None:
    options = Options(engine="bfl", mode="fast", output_format="webp", prompt="sea",
                      safety_tolerance=4, auto_crop=False, variations=3, full_res=True)  # fmt: skip
    state = dataclasses.replace(loaded(offset_x=8, offset_y=None, scale=0.5), options=options)
    params = state.job_params()
    assert (params.input, params.width, params.height) == ("/photos/beach.png", 208, 160)
    assert (params.offset_x, params.offset_y, params.scale) == (8, None, 0.5)
    assert (params.engine, params.mode, params.output_format) == ("bfl", "fast", "webp")
    assert (params.prompt, params.safety_tolerance, params.auto_crop) == ("sea", 4, False)
    assert params.full_res and state.output_size() == (416, 320)
    request = state.request()
    assert (request.width, request.height, request.source_size) == (208, 160, (80, 64))
    assert (request.reference_offset_x, request.reference_offset_y) == (8, None)


def test_no_prompt_is_sent_as_none_and_full_res_needs_a_scaled_source() -> None:
    state = loaded()
    params = state.job_params()
    assert params.prompt is None
    assert not params.full_res and state.output_size() == (208, 160)  # scale 1: nothing to add
    off = dataclasses.replace(loaded(scale=0.5), options=Options(full_res=False))
    assert not off.job_params().full_res and off.output_size() == (208, 160)
    assert EditorState().job_params().input == ""
