"""The Formats set without Qt: ticks, custom targets, the anchor, edits and each target's job."""

from __future__ import annotations

from pathlib import Path

from outpaint_studio.core.editor import EditorState, Geometry
from outpaint_studio.core.format_sets import SavedSet, load_sets, save_sets
from outpaint_studio.core.formats import parse_target
from outpaint_studio.core.formats_state import FormatSet, default_geometry

SOURCE = (1600, 1200)


def test_the_presets_are_grouped_by_use_and_none_is_ticked() -> None:
    formats = FormatSet.presets()
    assert [e.label for e in formats.entries] == [
        "1:1", "4:5", "9:16", "3:2", "16:9", "21:9", "3:1", "2:3", "3:4"
    ]  # fmt: skip
    assert formats.entry("21:9").use == "Banners" and formats.entry("2:3").use == "Print"
    assert formats.ticked() == []


def test_a_custom_target_is_added_ticked_once() -> None:
    formats = FormatSet.presets().with_custom(parse_target("1080x1350"))
    formats = formats.with_custom(parse_target("1080x1350")).with_custom(parse_target("2:2"))
    formats = formats.with_custom(parse_target("7:3"))  # as a set saved when 21:9 was named 7:3
    assert [e.label for e in formats.ticked()] == ["1:1", "21:9", "1080x1350"]
    assert formats.entry("1080x1350").use == "Custom" and len(formats.entries) == 10


def test_an_edit_is_that_targets_alone_and_another_anchor_resets_them() -> None:
    formats = FormatSet.presets()
    moved = Geometry(1600, 2000, 1.0, 0, 0)
    formats = formats.with_edit("4:5", moved)
    assert formats.geometry(formats.entry("4:5"), SOURCE) == moved
    square = formats.geometry(formats.entry("1:1"), SOURCE)
    assert square == default_geometry(SOURCE, parse_target("1:1"), "center")
    assert (square.canvas_width, square.canvas_height, square.offset_y) == (1600, 1600, None)
    top = formats.with_anchor("top")
    assert top.entry("4:5").edited is None
    assert top.geometry(top.entry("4:5"), SOURCE) == Geometry(1600, 2000, 1.0, None, 0)


def test_a_targets_job_has_the_editors_options_its_layout_name_and_size() -> None:
    formats = FormatSet.presets().with_custom(parse_target("1080x1920"))
    state = EditorState(source_path="/p/shoe.jpg", source_size=SOURCE)
    state = state.with_geometry(canvas_width=2048, canvas_height=2048)
    params = formats.job_params(state, formats.entry("1080x1920"))
    expected = default_geometry(SOURCE, parse_target("1080x1920"), "center")
    assert (params.width, params.height, params.scale) == (
        expected.canvas_width, expected.canvas_height, expected.scale
    )  # fmt: skip
    assert (params.target, params.output_width, params.output_height) == ("1080x1920", 1080, 1920)
    assert params.input == "/p/shoe.jpg" and params.mode == state.options.mode


def test_a_saved_set_ticks_exactly_its_targets_at_its_anchor(tmp_path: Path) -> None:
    formats = FormatSet.presets().with_custom(parse_target("1080x1350")).with_anchor("top")
    formats = formats.with_ticked("16:9", True)
    path = tmp_path / "sets.json"
    save_sets({"Social": formats.saved(), "Print": SavedSet(("2:3", "3:4"))}, path)
    sets = load_sets(path)
    assert sets["Social"] == SavedSet(("16:9", "1080x1350"), "top")
    other = FormatSet.presets().with_ticked("4:5", True).with_saved(sets["Social"])
    assert [e.label for e in other.ticked()] == ["16:9", "1080x1350"]
    assert other.anchor == "top"
    assert [e.label for e in other.with_saved(sets["Print"]).ticked()] == ["2:3", "3:4"]


def test_a_bad_sets_file_loses_only_what_is_bad(tmp_path: Path) -> None:
    path = tmp_path / "sets.json"
    assert load_sets(path) == {}
    path.write_text('{"sets": {"ok": {"targets": ["4:5"]}, "bad": {"targets": ["4/5"]}, '
                    '"worse": 3}}')  # fmt: skip
    assert load_sets(path) == {"ok": SavedSet(("4:5",), "center")}
    path.write_text("{not json")
    assert load_sets(path) == {}


def test_the_set_comes_back_as_the_user_left_it() -> None:
    formats = FormatSet.presets().with_custom(parse_target("1080x1350"))
    formats = formats.with_custom(parse_target("5:4")).with_ticked("5:4", False)
    formats = formats.with_ticked("9:16", True).with_anchor("top")  # the anchor unticks nothing
    ticked = [e.label for e in formats.ticked()]
    back = FormatSet.restored(ticked, formats.added(), formats.anchor)
    assert back.added() == ["1080x1350", "5:4"]
    assert [e.label for e in back.ticked()] == ticked == ["9:16", "1080x1350"]
    assert back.anchor == "top"


def test_a_restored_set_leaves_out_what_does_not_parse() -> None:
    back = FormatSet.restored(["4:5", "nonsense"], ["0x0", "nonsense", "7:5"], "middle")
    assert back.added() == ["7:5"]
    assert [e.label for e in back.ticked()] == ["4:5"]
    assert back.anchor == "center"
