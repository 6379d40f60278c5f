"""Cancel and close answer at once, whatever the jobs are doing; nothing paid is lost."""

from __future__ import annotations

import time
from pathlib import Path

from helpers import open_with_flux
from photos import make_photo
from PySide6.QtCore import Qt
from qt_threads import running_threads
from scripted_dialogs import ScriptedDialogs

from outpaint_studio.core.jobs import COLLECTABLE, Journal
from outpaint_studio.core.settings import journal_dir

SUBMIT_DELAY = 3.0  # the simulator holds each submit's reply this long: a step Cancel can't cut
CLOSE_BOUND = 0.8  # seconds; waiting for the step (the old way) takes 2 s and more


def states() -> list[str]:
    return [r.state.value for r in Journal(journal_dir()).records()]


def inside_a_fill(status: str) -> bool:
    """Past the fill's first step: inside its first native PatchMatch phase."""
    return status.startswith("Generating") and status not in ("Generating 0 %", "Generating 100 %")


def new_window(qtbot, deleted_by_test: bool = False):
    """A window whose user answers Quit when asked about the jobs left running."""
    from outpaint_studio.ui import MainWindow

    win = MainWindow(dialogs=ScriptedDialogs())
    win.dialogs.answer("confirm", True)
    if not deleted_by_test:
        qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    return win


def test_cancel_answers_within_a_second_with_three_variations(
    window, small_photo, qtbot, monkeypatch
) -> None:
    from bfl_sim import BflSimulator

    with BflSimulator(api_key="test-key", finish_after=30) as sim:
        sim.inject("submit_slow", times=3, delay=SUBMIT_DELAY)
        open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
        window.model.set_options(variations=3)
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: sim.submit_attempts == 3, timeout=5000)  # all three in flight
        qtbot.mouseClick(window.options_panel.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.jobs.is_running(), timeout=1000)
        assert window.options_panel.extend_button.isEnabled()
        assert window.options_panel.status.text() == "Cancelled"
        # the submits were accepted meanwhile: each job ends collectable, none is sent again
        qtbot.waitUntil(lambda: not window.jobs.is_stopping(), timeout=SUBMIT_DELAY * 3000)
    assert states() == ["submitted"] * 3
    assert sim.submit_count == 3
    assert "collected" in window.banner.label.text()
    qtbot.waitUntil(lambda: {window.history.model.record_at(i).state.value for i in range(3)}
                    == {"submitted"}, timeout=5000)  # fmt: skip


def test_cancel_answers_within_a_second_with_three_offline_variations(
    window, qtbot, tmp_path: Path
) -> None:
    window.open_image(make_photo(tmp_path / "big.png", (1280, 960)))
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    window.model.set_options(variations=3)
    qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    strip = window.variations.strip  # two fill at once, each inside a native phase
    qtbot.waitUntil(lambda: inside_a_fill(strip.item(0).text()), timeout=10000)
    qtbot.mouseClick(window.options_panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.jobs.is_running(), timeout=1000)
    qtbot.waitUntil(lambda: not window.jobs.is_stopping(), timeout=30000)
    assert set(states()) == {"cancelled"}  # the third never started: nothing journaled


def test_closing_during_a_submit_is_immediate_and_keeps_the_job(
    small_photo, qtbot, monkeypatch
) -> None:
    from bfl_sim import BflSimulator

    win = new_window(qtbot)
    with BflSimulator(api_key="test-key", finish_after=30) as sim:
        sim.inject("submit_slow", delay=SUBMIT_DELAY)
        open_with_flux(win, sim, small_photo, qtbot, monkeypatch)
        win.extend()
        qtbot.waitUntil(lambda: sim.submit_attempts == 1, timeout=5000)
        started = time.monotonic()
        win.close()
        assert time.monotonic() - started < CLOSE_BOUND
        assert not win.isVisible()
        qtbot.waitUntil(lambda: not win.jobs.is_stopping(), timeout=SUBMIT_DELAY * 3000)
    (record,) = Journal(journal_dir()).records()
    assert record.state in COLLECTABLE and record.job_id  # resume collects it
    assert sim.submit_count == 1


def test_closing_during_an_offline_fill_is_immediate_and_cancels_it(qtbot, tmp_path: Path) -> None:
    win = new_window(qtbot, deleted_by_test=True)
    win.open_image(make_photo(tmp_path / "big.png", (1280, 960)))
    qtbot.waitUntil(lambda: win.source is not None, timeout=5000)
    win.extend()
    # inside the first PatchMatch phase, a native call that cannot be interrupted
    qtbot.waitUntil(lambda: inside_a_fill(win.options_panel.status.text()), timeout=5000)
    started = time.monotonic()
    win.close()
    assert time.monotonic() - started < CLOSE_BOUND
    win.deleteLater()  # the window goes; the fill still ends its step and is journaled
    qtbot.waitUntil(lambda: states() == ["cancelled"] and not running_threads(), timeout=30000)


def test_an_offline_fill_cancelled_while_waiting_for_its_turn_starts_no_phase(monkeypatch) -> None:
    """Offline fills take turns (the native random seed is global): a variation cancelled while
    it waited must stop before its first uninterruptible PatchMatch phase, not after it."""
    import threading

    import numpy as np

    from outpaint_studio.engines import fill as fill_module
    from outpaint_studio.engines.fill import FillCancelled, patchmatch_fill

    if not fill_module.patchmatch_available:
        return
    phases: list[int] = []
    native = patchmatch_fill._patchmatch
    monkeypatch.setattr(patchmatch_fill, "_patchmatch",
                        lambda *args: phases.append(1) or native(*args))  # fmt: skip
    canvas = np.zeros((256, 384, 3), np.uint8)
    known = np.zeros((256, 384), bool)
    canvas[64:192, 96:288], known[64:192, 96:288] = 200, True
    cancel, ended, waiting = threading.Event(), [], threading.Event()
    turn = threading.Lock()

    class Turn:  # the fills' lock, saying when a fill starts waiting for it
        def __enter__(self) -> None:
            waiting.set()
            turn.acquire()

        def __exit__(self, *exc: object) -> None:
            turn.release()

    monkeypatch.setattr(patchmatch_fill, "_seed_lock", Turn())

    def run() -> None:
        try:
            fill_module.fill(canvas, known, "fast", steps=fill_module.Steps(cancel))
        except FillCancelled:
            ended.append("cancelled")

    with turn:  # another variation is filling
        worker = threading.Thread(target=run)
        worker.start()
        assert waiting.wait(30)
        cancel.set()
    worker.join(30)
    assert ended == ["cancelled"] and phases == []
