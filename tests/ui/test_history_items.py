"""History as a new user meets it (issue 12, item 9): a click shows a past result, the words and
sizes are true, cancelled jobs leave no entry, and a closed History comes back from View."""

from __future__ import annotations

from pathlib import Path

from helpers import menu_titled, open_with_flux
from photos import make_photo
from PySide6.QtCore import Qt

from outpaint_studio.core.jobs import Journal
from outpaint_studio.core.settings import journal_dir


def extend(window, qtbot, timeout: int = 15000):
    with qtbot.waitSignal(window.jobs.finished, timeout=timeout) as blocker:
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert outcome.succeeded, outcome.error
    return outcome


def click_row(window, qtbot, row: int) -> None:
    view = window.history.view
    rect = view.visualRect(window.history.model.index(row))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_clicking_a_past_result_shows_it_on_the_canvas(keyed_env, window, small_photo,
                                                       qtbot) -> None:  # fmt: skip
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    first = extend(window, qtbot)
    window.model.set_offset(0, 0)
    second = extend(window, qtbot)
    assert window.results.outcome.key == second.key
    qtbot.waitUntil(lambda: window.history.model.rowCount() == 2, timeout=5000)
    click_row(window, qtbot, 1)  # newest first: the first result
    qtbot.waitUntil(lambda: window.results.outcome.key == first.key, timeout=5000)
    assert window.canvas.result_item.isVisible()
    assert window.canvas.result_item.pixmap().size().toTuple() == (208, 160)
    assert window.findChild(object, "saveButton").isEnabled()  # Save acts on what is shown


def test_a_result_only_in_history_is_not_called_saved(keyed_env, window, small_photo,
                                                      qtbot) -> None:  # fmt: skip
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    extend(window, qtbot)
    text = window.history.model.data(window.history.model.index(0))
    assert "Done, kept in history" in text and "Saved" not in text


def test_cancelled_jobs_that_never_reached_the_service_leave_no_entry(
    window, small_photo, qtbot, monkeypatch
) -> None:
    from bfl_sim import BflSimulator

    with BflSimulator(api_key="test-key") as sim:
        sim.inject("submit_429", times=10, retry_after="30")  # the submit waits its turn
        open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
        for attempt in range(1, 4):
            window.extend()
            qtbot.waitUntil(lambda n=attempt: sim.submit_attempts == n, timeout=5000)
            with qtbot.waitSignal(window.jobs.finished, timeout=5000):
                window.cancel()
    assert [r.state.value for r in Journal(journal_dir()).records()] == ["cancelled"] * 3
    assert sim.submit_count == 0
    assert window.history.model.rowCount() == 0


def test_the_size_shown_is_the_files(keyed_env, window, small_photo, qtbot) -> None:
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    window.layout_panel.scale_spin.setValue(50.0)  # full resolution: the output is twice the canvas
    assert window.model.state.geometry.canvas_width == 208
    extend(window, qtbot)
    text = window.history.model.data(window.history.model.index(0))
    assert text.startswith("416 × 320 · FLUX"), text
    window.history.select_row(0)
    assert window.history.details.text().startswith("416 × 320 · FLUX")


def test_view_menu_brings_a_closed_history_back(window, qtbot) -> None:
    dock = window.history_dock
    dock.close()
    assert not dock.isVisible()
    toggle = next(a for a in menu_titled(window, "&View").actions() if a.text() == "History")
    assert toggle.isCheckable() and not toggle.isChecked()
    toggle.trigger()
    qtbot.waitUntil(dock.isVisible, timeout=2000)
    assert toggle.isChecked()


def the_only_row_after_an_extend(window, qtbot) -> str:
    """Click Extend with History empty: the one row's text once the job ended, failed or not."""
    with qtbot.waitSignal(window.jobs.finished, timeout=15000):
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.history.model.rowCount() == 1, timeout=5000)
    return window.history.model.data(window.history.model.index(0))


def test_a_job_the_service_refused_says_it_was_not_charged(
    sim, window, small_photo, qtbot, monkeypatch
) -> None:
    open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
    monkeypatch.setenv("BFL_API_KEY", "wrong-key")
    text = the_only_row_after_an_extend(window, qtbot)
    assert "Failed" in text and "not charged" in text and "cost unknown" not in text


def test_a_moderated_job_is_not_charged_in_history_as_in_the_banner(
    sim, window, small_photo, qtbot, monkeypatch
) -> None:
    open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
    sim.inject("status", status="Content Moderated")
    text = the_only_row_after_an_extend(window, qtbot)
    assert "Failed" in text and "not charged" in text and "credits" not in text


def test_a_past_result_clicked_in_an_empty_editor_is_seen_not_hidden_by_the_drop_area(
    window, small_photo, qtbot
) -> None:
    from scripted_dialogs import ScriptedDialogs

    from outpaint_studio.ui import MainWindow

    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    extend(window, qtbot, timeout=30000)
    window.close()
    empty = MainWindow(dialogs=ScriptedDialogs())  # the next start, no image opened
    qtbot.addWidget(empty)
    empty.resize(1200, 800)
    empty.show()
    qtbot.waitExposed(empty)
    assert empty.canvas.empty_state.isVisible()
    qtbot.waitUntil(lambda: empty.history.model.rowCount() == 1, timeout=5000)
    click_row(empty, qtbot, 0)
    view = empty.canvas
    qtbot.waitUntil(view.result_item.isVisible, timeout=5000)
    assert not view.empty_state.isVisible()
    shown = view.mapFromScene(view.result_item.sceneBoundingRect()).boundingRect()
    assert view.viewport().rect().contains(shown)  # the whole result, fitted in the view
    assert shown.width() > view.viewport().width() // 2
    empty.close()


def test_a_past_result_of_another_photo_comes_back_on_its_own_layout(
    window, small_photo, tmp_path, qtbot
) -> None:
    """Seen in a new user's trial: it was drawn over the other photo's canvas, at its corner,
    and Save offered the other photo's name for it."""
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    first = extend(window, qtbot, timeout=30000)
    first_layout = window.model.state.geometry
    other = make_photo(tmp_path / "other.png", (240, 96))
    window.open_image(other)
    qtbot.waitUntil(lambda: window.model.state.source_size == (240, 96), timeout=5000)
    extend(window, qtbot, timeout=30000)
    assert window.model.state.geometry.canvas_width != first_layout.canvas_width
    qtbot.waitUntil(lambda: window.history.model.rowCount() == 2, timeout=5000)
    click_row(window, qtbot, 1)  # newest first: the first photo's result
    qtbot.waitUntil(lambda: window.results.outcome is not None
                    and window.results.outcome.key == first.key, timeout=10_000)  # fmt: skip
    assert Path(window.model.state.source_path).name == small_photo.name
    assert window.model.state.geometry == first_layout
    assert window.canvas.result_item.isVisible()
    window.dialogs.answer("save_path", "")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert Path(window.dialogs.asked[-1][2]).name == f"{small_photo.stem}-extended.png"


def test_a_past_result_whose_photo_is_gone_is_saved_under_its_own_photos_name(
    window, small_photo, tmp_path, qtbot
) -> None:
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    first = extend(window, qtbot, timeout=30000)
    window.open_image(make_photo(tmp_path / "other.png", (240, 96)))
    qtbot.waitUntil(lambda: window.model.state.source_size == (240, 96), timeout=5000)
    small_photo.unlink()  # its layout cannot come back: the result is shown where it can be
    qtbot.waitUntil(lambda: window.history.model.rowCount() == 1, timeout=5000)
    click_row(window, qtbot, 0)
    qtbot.waitUntil(lambda: window.results.outcome is not None
                    and window.results.outcome.key == first.key, timeout=10_000)  # fmt: skip
    window.dialogs.answer("save_path", "")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert Path(window.dialogs.asked[-1][2]).name == f"{small_photo.stem}-extended.png"
