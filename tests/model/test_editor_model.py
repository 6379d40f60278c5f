"""The editor model: one signal per part of the state that really changed, then ``changed``;
geometry edits are undo steps, and consecutive edits of one kind merge into one."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest

from outpaint_studio.core.options import Options
from outpaint_studio.model.editor import EditorModel

PARTS = ("source_changed", "canvas_changed", "scale_changed", "offset_changed",
         "options_changed", "changed")  # fmt: skip


@pytest.fixture
def model(qapp: object) -> EditorModel:
    editor = EditorModel(Options())
    editor.set_source("/photos/beach.png", (160, 128))
    return editor


def emitted(model: EditorModel, action: Callable[[], object]) -> list[str]:
    """The model's signals, in order, while ``action`` runs."""
    seen: list[str] = []
    slots = {name: partial(seen.append, name) for name in PARTS}
    for name, slot in slots.items():
        getattr(model, name).connect(slot)
    action()
    for name, slot in slots.items():
        getattr(model, name).disconnect(slot)
    return seen


def test_a_new_source_resets_the_layout_and_clears_undo(qapp: object) -> None:
    model = EditorModel(Options())
    signals = emitted(model, lambda: model.set_source("/a.png", (160, 128)))
    assert signals == ["source_changed", "canvas_changed", "offset_changed", "changed"]
    model.set_canvas(320, 320)
    assert model.undo_stack.count() == 1
    model.set_source("/b.png", (160, 128))
    assert model.undo_stack.count() == 0
    assert model.state.geometry.canvas_width == 208


def test_each_edit_emits_only_what_it_changed(model: EditorModel) -> None:
    assert emitted(model, lambda: model.set_offset(0, 0)) == ["offset_changed", "changed"]
    # a placed source stays where it is on a resized canvas, but its view still follows
    assert emitted(model, lambda: model.set_canvas(320, 240)) == [
        "canvas_changed", "offset_changed", "changed"]  # fmt: skip
    assert emitted(model, lambda: model.set_scale(0.5)) == [
        "scale_changed", "offset_changed", "changed"]  # fmt: skip
    assert emitted(model, lambda: model.set_options(mode="fast")) == [
        "options_changed", "changed"]  # fmt: skip


def test_an_edit_to_the_same_value_emits_nothing_and_adds_no_undo_step(model: EditorModel) -> None:
    g = model.state.geometry
    assert emitted(model, lambda: model.set_canvas(g.canvas_width, g.canvas_height)) == []
    assert emitted(model, lambda: model.set_offset(g.offset_x, g.offset_y)) == []
    assert emitted(model, lambda: model.set_options(mode=model.state.options.mode)) == []
    assert model.undo_stack.count() == 0


def test_options_are_not_undo_steps(model: EditorModel) -> None:
    model.set_options(prompt="sea", engine="bfl")
    assert model.undo_stack.count() == 0
    assert model.state.options.prompt == "sea" and model.state.options.engine == "bfl"


def test_consecutive_nudges_merge_into_one_undo_step(model: EditorModel) -> None:
    start = model.state.geometry
    for _ in range(5):
        model.nudge(1, 0)
    model.nudge(0, -2)
    assert (model.state.placement().x, model.state.placement().y) == (24 + 5, 16 - 2)
    assert model.undo_stack.count() == 1 and model.undo_stack.undoText() == "Nudge"
    signals = emitted(model, model.undo_stack.undo)
    assert signals == ["offset_changed", "changed"]
    assert model.state.geometry == start


def test_edits_of_different_kinds_are_separate_steps(model: EditorModel) -> None:
    start = model.state.geometry
    model.set_canvas(320, 240)
    model.set_canvas(336, 240)  # typed in two goes: one step
    resized = model.state.geometry
    model.nudge(1, 0)
    model.set_scale(0.5)
    assert model.undo_stack.count() == 3
    model.undo_stack.undo()
    model.undo_stack.undo()
    assert model.state.geometry == resized
    model.undo_stack.undo()
    assert model.state.geometry == start
    model.undo_stack.redo()
    assert model.state.geometry == resized


def test_a_drag_followed_live_is_one_step_back_to_where_it_began(model: EditorModel) -> None:
    start = model.state.geometry
    for x in (10, 20, 30):
        model.set_geometry_live(model.state.moved_to(x, 0))  # the mouse moves: no undo step
    assert model.undo_stack.count() == 0
    model.edit(model.state.geometry, "Move source", before=start)  # the drag ends
    assert model.undo_stack.count() == 1
    model.undo_stack.undo()
    assert model.state.geometry == start
    model.undo_stack.redo()
    assert (model.state.geometry.offset_x, model.state.geometry.offset_y) == (30, 0)
