"""The Results model with no widgets: which result is current, kept or stale, and what the strip
is told."""

from __future__ import annotations

from PySide6.QtGui import QImage

from outpaint_studio.core.editor import Geometry
from outpaint_studio.core.transitions import JobState
from outpaint_studio.model.job_work import JobOutcome
from outpaint_studio.model.results import Results

LAYOUT = Geometry(208, 160, 1.0, 24, 16)
MOVED = Geometry(208, 160, 1.0, 0, 16)


def outcome(index: int, state: JobState = JobState.SAVED) -> JobOutcome:
    path = f"/tmp/result-{index}.png" if state is JobState.SAVED else None
    return JobOutcome(f"key{index}", state, None, None, path, path, None, "local", index)


def image() -> QImage:
    picture = QImage(8, 8, QImage.Format.Format_RGB32)
    picture.fill(0x336699)
    return picture


def recorder(results: Results) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    results.current_changed.connect(lambda: seen.append(("current", results.outcome)))
    return seen


def test_the_first_ready_variation_becomes_current(qapp) -> None:
    results = Results()
    results.layout_changed(LAYOUT)
    results.begin(3, LAYOUT)
    seen = recorder(results)
    results.job_finished(outcome(1, JobState.FAILED), QImage())
    results.job_finished(outcome(0), image())
    results.job_finished(outcome(2), image())
    assert results.current_index == 0 and results.outcome == outcome(0)
    assert [s for s in seen if s[0] == "current"] == [("current", outcome(0))]
    assert results.variations[1].status == "Failed"


def test_a_result_is_stale_while_the_layout_differs_and_back_after_undo(qapp) -> None:
    results = Results()
    results.layout_changed(LAYOUT)
    results.begin(1, LAYOUT)
    results.job_finished(outcome(0), image())
    assert results.has_result() and not results.stale
    results.layout_changed(MOVED)
    assert results.stale and not results.has_result()
    results.layout_changed(LAYOUT)  # undo
    assert not results.stale and results.has_result()


def test_a_result_shown_from_the_history_belongs_to_the_layout_it_is_shown_on(qapp) -> None:
    results = Results()
    results.layout_changed(MOVED)
    results.show(outcome(4), image(), MOVED)
    assert not results.stale
    results.layout_changed(LAYOUT)
    assert results.stale


def test_keep_and_discard(qapp) -> None:
    results = Results()
    results.begin(2, LAYOUT)
    results.job_finished(outcome(0), image())
    assert not results.can_discard(1, running=True)  # still running: Cancel stops it
    results.toggle_keep(0)
    results.toggle_keep(1)  # not ready: nothing to keep
    assert [v.index for v in results.kept()] == [0]
    told: list[str] = []
    results.status_message.connect(lambda text, ms: told.append(text))
    results.job_finished(outcome(1), image())
    results.discard(0)
    results.discard(1)
    assert results.variations == {} and not results.has_result()
    assert told == ["Every variation was discarded; history keeps them"]


def test_choosing_a_variation_after_the_layout_moved_says_how_to_compare(qapp) -> None:
    results = Results()
    results.layout_changed(LAYOUT)
    results.begin(2, LAYOUT)
    results.job_finished(outcome(0), image())
    results.job_finished(outcome(1), image())
    results.layout_changed(MOVED)
    told: list[str] = []
    results.status_message.connect(lambda text, ms: told.append(text))
    results.select(1)
    assert results.outcome == outcome(0)  # still the first: the second is not shown
    assert told and "undo to compare" in told[0]


def test_over_the_memory_budget_variations_are_read_back_from_their_files(qapp, tmp_path) -> None:
    pictures = []
    for index in range(3):
        picture = QImage(64, 64, QImage.Format.Format_RGB32)
        picture.fill(0x102030 * (index + 1))
        path = tmp_path / f"v{index}.png"
        assert picture.save(str(path))
        pictures.append((picture, str(path)))
    results = Results(budget=2 * pictures[0][0].sizeInBytes())
    results.layout_changed(LAYOUT)
    results.begin(3, LAYOUT)
    for index, (picture, path) in enumerate(pictures):
        done = JobOutcome(f"k{index}", JobState.SAVED, None, None, path, path, None, "local", index)
        results.job_finished(done, picture)
    held = [v.index for v in results.variations.values() if v.image is not None]
    assert len(held) == 2 and 0 in held  # #1 is on the canvas: never let go
    let_go = next(i for i in range(3) if i not in held)
    results.select(let_go)
    assert results.outcome is not None and results.outcome.index == let_go
    assert results.image is not None and results.image.pixel(5, 5) == pictures[let_go][0].pixel(
        5, 5
    )


def test_an_extend_that_does_not_start_leaves_the_result_where_it_was(qapp) -> None:
    results = Results()
    results.layout_changed(LAYOUT)
    results.begin(1, LAYOUT)
    results.job_finished(outcome(0), image())
    results.layout_changed(MOVED)
    results.begin(2, MOVED)  # an Extend on the moved layout, refused (no key)
    results.abandon()
    assert results.outcome is not None and results.stale  # still LAYOUT's, not shown on MOVED
    results.layout_changed(LAYOUT)
    assert not results.stale and results.has_result()


def test_the_first_ready_variation_is_shown_even_while_a_running_tile_is_chosen(qapp) -> None:
    results = Results()
    results.layout_changed(LAYOUT)
    results.begin(2, LAYOUT)
    results.select(1)  # still running
    results.job_finished(outcome(0), image())
    assert results.outcome == outcome(0) and results.current_index == 0


def test_discarding_the_variation_on_the_canvas_shows_the_next_ready_one(qapp) -> None:
    results = Results()
    results.layout_changed(LAYOUT)
    results.begin(3, LAYOUT)
    for index in range(3):
        results.job_finished(outcome(index), image())
    assert results.outcome == outcome(0)
    results.discard(0)
    assert results.outcome == outcome(1) and results.current_index == 1


def saved_outcome(index: int, folder) -> JobOutcome:
    path = str(folder / f"result-{index}.png")
    assert image().save(path)
    return JobOutcome(f"key{index}", JobState.SAVED, None, None, path, path, None, "local", index)


def test_a_replaced_result_comes_back_with_its_layout(qapp, tmp_path) -> None:
    results = Results()
    results.layout_changed(LAYOUT)
    first, second = saved_outcome(0, tmp_path), saved_outcome(1, tmp_path)
    results.show(first, image(), LAYOUT)
    results.layout_changed(MOVED)
    results.show(second, image(), MOVED)
    results.layout_changed(LAYOUT)
    assert results.outcome == first and not results.stale
    results.layout_changed(MOVED)
    assert results.outcome == second and not results.stale


def test_a_replaced_result_whose_file_is_gone_stays_away(qapp, tmp_path) -> None:
    results = Results()
    first, second = saved_outcome(0, tmp_path), saved_outcome(1, tmp_path)
    results.show(first, image(), LAYOUT)
    results.show(second, image(), MOVED)
    (tmp_path / "result-0.png").unlink()
    results.layout_changed(LAYOUT)
    assert results.outcome == second and results.stale


def test_a_composed_image_is_not_saved_as_the_result_before_it(qapp, tmp_path) -> None:
    """Between composing and saving, Save has no file to write: not the previous result's."""
    results = Results()
    results.layout_changed(LAYOUT)
    results.show(saved_outcome(0, tmp_path), image(), LAYOUT)
    results.begin(1, LAYOUT)
    results.composed(image())
    assert results.outcome is None and not results.has_result()
