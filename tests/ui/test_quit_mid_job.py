"""Quitting while jobs run asks once, saying what happens to each kind of job: Cancel keeps the
window and its jobs, Quit closes at once as before. With nothing running, no question."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import menu_titled, open_with_flux
from photos import make_photo
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from qt_threads import running_threads

from outpaint_studio.core.jobs import COLLECTABLE, Journal
from outpaint_studio.core.settings import journal_dir, settings_path
from outpaint_studio.ui.closing import quit_question

ONE_FILL = "1 job is running. The offline fill in progress will stop. Quit anyway?"


def states() -> list[str]:
    return [r.state.value for r in Journal(journal_dir()).records()]


def questions(window) -> list[tuple[str, str, object]]:
    return [asked for asked in window.dialogs.asked if asked[0] == "confirm"]


def start_a_long_fill(window, qtbot, tmp_path: Path) -> None:
    """An offline Extend of a large photo, caught while it fills."""
    window.open_image(make_photo(tmp_path / "big.png", (1280, 960)))
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    status = window.options_panel.status
    qtbot.waitUntil(lambda: status.text().startswith("Generating"), timeout=10000)


def file_quit(window) -> None:
    """File › Quit (Ctrl+Q where the platform binds it; the offscreen one binds no key)."""
    quit_action = next(a for a in menu_titled(window, "&File").actions() if a.text() == "&Quit")
    quit_action.trigger()


def test_cancel_keeps_the_window_and_the_fill_which_then_ends(window, qtbot, tmp_path) -> None:
    start_a_long_fill(window, qtbot, tmp_path)
    window.dialogs.answer("confirm", False)  # Cancel
    file_quit(window)
    assert questions(window) == [("confirm", "Quit", ONE_FILL)]
    assert window.isVisible() and window.jobs.is_running()
    qtbot.waitUntil(window.results.has_result, timeout=90000)  # the fill went on to its end
    assert states() == ["saved"]
    file_quit(window)  # nothing runs now: no question
    assert not window.isVisible()
    assert len(questions(window)) == 1


def test_quit_closes_at_once_and_stops_the_fill(window, qtbot, tmp_path) -> None:
    start_a_long_fill(window, qtbot, tmp_path)
    window.dialogs.answer("confirm", True)  # Quit
    file_quit(window)
    assert questions(window) == [("confirm", "Quit", ONE_FILL)]
    assert not window.isVisible() and not window.jobs.is_running()
    assert json.loads(settings_path().read_text())["window_state"]  # saved as on any quit
    qtbot.waitUntil(lambda: states() == ["cancelled"] and not window.jobs.is_stopping(),
                    timeout=30000)  # fmt: skip


def test_nothing_running_quits_without_a_question(window, qtbot, small_photo) -> None:
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    file_quit(window)
    assert not window.isVisible()
    assert questions(window) == []


def test_a_flux_job_is_said_to_be_collected_and_is_after_quit(
    window, small_photo, qtbot, monkeypatch
) -> None:
    from bfl_sim import BflSimulator

    with BflSimulator(api_key="test-key", finish_after=30) as sim:
        open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: sim.submit_count == 1, timeout=5000)
        window.dialogs.answer("confirm", True)
        window.close()  # the title bar's close button
        assert not window.isVisible()
        qtbot.waitUntil(lambda: not window.jobs.is_stopping(), timeout=10000)
    ((_, _, question),) = questions(window)
    assert question == (
        "1 job is running. The FLUX job will be collected the next time you start Outpaint "
        "Studio, so nothing paid is lost. Quit anyway?"
    )
    (record,) = Journal(journal_dir()).records()
    assert record.state in COLLECTABLE and record.job_id


def test_an_extend_all_running_asks_too(window, qtbot, tmp_path) -> None:
    window.open_image(make_photo(tmp_path / "big.png", (1280, 960)))
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    dock = window.formats.dock
    dock.toggleViewAction().trigger()
    for label in ("1:1", "4:5", "16:9"):  # ticked from the keyboard
        dock.list.setCurrentItem(dock.item(label))
        qtbot.keyClick(dock.list, Qt.Key.Key_Space)
    qtbot.mouseClick(dock.extend_all, Qt.MouseButton.LeftButton)
    assert window.formats.run.is_running()
    window.dialogs.answer("confirm", False)
    window.close()
    assert window.isVisible() and window.formats.run.is_running()
    window.dialogs.answer("confirm", True)
    window.close()
    assert [question for _, _, question in questions(window)] == [
        "3 jobs are running. The 3 offline fills in progress will stop. Quit anyway?"
    ] * 2
    assert not window.isVisible()
    # the fills stop at their next check, after the run has let them go
    qtbot.waitUntil(lambda: not running_threads(), timeout=30000)


@pytest.mark.parametrize(
    ("jobs_left", "words"),
    [
        ([True, True], "2 jobs are running. The 2 FLUX jobs will be collected the next time "
                       "you start Outpaint Studio, so nothing paid is lost. Quit anyway?"),
        ([True, False], "2 jobs are running. The FLUX job will be collected the next time you "
                        "start Outpaint Studio, so nothing paid is lost; the offline fill in "
                        "progress will stop. Quit anyway?"),
    ],
)  # fmt: skip
def test_the_question_says_what_happens_to_each_kind(jobs_left, words) -> None:
    assert quit_question(jobs_left) == words


def test_the_real_question_has_cancel_as_its_default(window, qtbot) -> None:
    from outpaint_studio.ui.dialogs import Dialogs

    answers: list[bool] = []
    seen: list[str] = []

    def respond(press: str) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, lambda: respond(press))
            return
        default = box.defaultButton()
        seen.append(default.text() if default is not None else "none")
        if press == "Return":  # the default button
            qtbot.keyClick(box, Qt.Key.Key_Return)
        else:
            next(b for b in box.buttons() if b.text() == press).click()

    for press in ("Return", "Quit", "Cancel"):
        QTimer.singleShot(0, lambda press=press: respond(press))
        answers.append(Dialogs(window).confirm("Quit", ONE_FILL, action="Quit"))
    assert answers == [False, True, False]
    assert seen == ["Cancel"] * 3
