"""Extend with N variations: concurrent jobs, the strip, keep and discard, Save, Cancel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from helpers import open_with_flux
from PIL import Image
from PySide6.QtCore import Qt

from outpaint_studio.core.jobs import Journal
from outpaint_studio.core.settings import journal_dir


def choose_variations(window, qtbot, count: int) -> None:
    """Step the "× N" spin box beside Extend up with the arrow key, as a user would."""
    spin = window.options_panel.variations
    spin.setFocus()
    for _ in range(count - spin.value()):
        qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert window.model.state.options.variations == count


def extend_variations(window, qtbot, count: int, timeout: int = 20000) -> None:
    choose_variations(window, qtbot, count)
    assert window.options_panel.extend_button.text() == f"Extend {count}"
    qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    assert window.jobs.is_running()
    qtbot.waitUntil(lambda: not window.jobs.is_running(), timeout=timeout)


def click_tile(window, qtbot, row: int) -> None:
    strip = window.variations.strip
    rect = strip.visualItemRect(strip.item(row))
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def saved_records() -> list:
    return [r for r in Journal(journal_dir()).records() if r.state.value == "saved"]


def test_flux_variations_run_at_once_and_each_is_journaled(window, small_photo, qtbot,
                                                           monkeypatch) -> None:  # fmt: skip
    from bfl_sim import BflSimulator

    with BflSimulator(api_key="test-key", finish_after=1.5) as sim:
        open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
        extend_variations(window, qtbot, 3)
        posts = [r for r in sim.requests if r.method == "POST"]
        first_done = min(job["finish_at"] for job in sim.jobs.values())
        assert sim.peak_active == 3  # all three were waiting at the same time
    assert len(posts) == 3
    assert max(p.time for p in posts) < first_done  # every submit arrived before any finished
    records = saved_records()
    assert len(records) == 3 and len({r.job_id for r in records}) == 3
    assert all(Path(r.output_path).is_file() for r in records)
    strip = window.variations.strip
    assert window.variations.isVisible() and strip.count() == 3
    assert window.options_panel.status.text() == "3 of 3 ready"
    assert window.canvas.result_item.isVisible()  # the first result is on the canvas
    # the last to finish is named by its number: the canvas shows another
    assert window.statusBar().currentMessage().startswith("Variation ")
    assert not window.options_panel.cancel_button.isEnabled()


def test_keyboard_keep_and_discard_then_save_exports_only_the_kept(loaded, qtbot, tmp_path
                                                                   ) -> None:  # fmt: skip
    window = loaded
    extend_variations(window, qtbot, 3, timeout=40000)
    bar, strip = window.variations, window.variations.strip
    assert strip.count() == 3 and all(e.ready for e in window.result_set.variations.values())
    click_tile(window, qtbot, 0)
    assert strip.currentRow() == 0
    qtbot.keyClick(strip, Qt.Key.Key_Right)
    assert strip.currentRow() == 1
    shown = window.results.outcome
    assert shown is not None and shown.index == 1  # the selected variation is on the canvas
    qtbot.keyClick(strip, Qt.Key.Key_Return)  # keep #2
    assert window.result_set.variations[1].kept and bar.keep_button.isChecked()
    assert "Kept" in strip.item(1).text()
    qtbot.keyClick(strip, Qt.Key.Key_Right)
    qtbot.keyClick(strip, Qt.Key.Key_Delete)  # discard #3
    assert strip.count() == 2 and 2 not in window.result_set.variations
    assert len(saved_records()) == 3  # discarded from the strip, not from history
    qtbot.keyClick(strip, Qt.Key.Key_Left)
    qtbot.keyClick(strip, Qt.Key.Key_Left)
    assert strip.currentRow() == 0
    qtbot.mouseClick(bar.keep_button, Qt.MouseButton.LeftButton)  # keep #1 with the button
    assert [e.index for e in window.result_set.kept()] == [0, 1]

    folder = tmp_path / "kept"
    folder.mkdir()
    window.dialogs.answer("folder", str(folder))  # and no file: one asked for would fail
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert sorted(p.name for p in folder.iterdir()) == ["small-extended-1.png",
                                                        "small-extended-2.png"]  # fmt: skip
    by_key = {r.key: r for r in saved_records()}
    for entry in window.result_set.kept():
        assert entry.outcome is not None
        exported = folder / f"small-extended-{entry.index + 1}.png"
        original = by_key[entry.outcome.key].output_path
        assert np.array_equal(np.asarray(Image.open(exported)), np.asarray(Image.open(original)))

    qtbot.keyClick(strip, Qt.Key.Key_Return)  # un-keep #1: one kept, Save asks for a file
    target = tmp_path / "one.png"
    window.dialogs.answer("save_path", str(target))
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert target.is_file()


def test_offline_variations_get_their_own_seed(loaded, qtbot) -> None:
    extend_variations(loaded, qtbot, 2, timeout=40000)
    records = saved_records()
    assert len(records) == 2
    first, second = (np.asarray(Image.open(r.output_path)) for r in records)
    assert first.shape == second.shape and not np.array_equal(first, second)
    seeds = {r.params.seed for r in records}  # kept, so a result can be made again
    assert None not in seeds and len(seeds) == 2


def test_cancel_stops_every_variation_and_leaves_them_collectable(window, small_photo, qtbot,
                                                                  monkeypatch) -> None:  # fmt: skip
    from bfl_sim import BflSimulator

    with BflSimulator(api_key="test-key", finish_after=30) as sim:
        open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
        choose_variations(window, qtbot, 3)
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
        strip = window.variations.strip
        waiting = ("Queued", "Generating")  # all three submitted, none finished
        qtbot.waitUntil(lambda: all(strip.item(i).text().startswith(waiting) for i in range(3)),
                        timeout=5000)  # fmt: skip
        assert window.options_panel.status.text() == "0 of 3 done"
        qtbot.mouseClick(window.options_panel.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.jobs.is_running(), timeout=5000)
    records = Journal(journal_dir()).records()
    assert [r.state.value for r in records] == ["submitted"] * 3
    assert {strip.item(i).text() for i in range(3)} == {"Submitted, not collected"}
    assert not window.options_panel.cancel_button.isEnabled()


def test_risky_choices_do_not_carry_over_to_the_next_session(window, qtbot) -> None:
    from outpaint_studio.ui import MainWindow

    choose_variations(window, qtbot, 4)
    window.model.set_options(auto_crop=True)
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.model.state.options.variations == 1
    assert again.findChild(object, "variationsSpin").value() == 1
    assert not again.model.state.options.auto_crop


def test_the_cost_line_counts_the_jobs_before_a_paid_extend_of_several(
    window, small_photo, qtbot, monkeypatch
) -> None:
    from bfl_sim import BflSimulator

    estimate = window.options_panel.estimate
    with BflSimulator(api_key="test-key", finish_after=0.2) as sim:
        open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
        assert "credits known after the first FLUX high job" in estimate.text()
        with qtbot.waitSignal(window.jobs.finished, timeout=20000):
            qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.jobs.is_running(), timeout=20000)
    single = estimate.text()
    assert "jobs" not in single and single.endswith(" credits"), single
    per_job = float(single.split("about ")[1].split()[0])
    choose_variations(window, qtbot, 3)
    assert estimate.text().endswith(f" · 3 jobs ≈ {round(per_job * 3, 3):g} credits")
