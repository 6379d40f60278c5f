"""Extend through the GUI: FLUX against the simulator, the offline engine, cancel, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import open_with_flux
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from outpaint_studio.core.jobs import Journal
from outpaint_studio.core.settings import journal_dir, settings_path


def extend_and_wait(window, qtbot, timeout: int = 15000) -> None:
    with qtbot.waitSignal(window.jobs.finished, timeout=timeout):
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)


def test_extend_with_flux_against_the_simulator(keyed_env, window, small_photo, qtbot) -> None:
    sim = keyed_env
    assert window.model.state.options.engine == "bfl"
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    window.model.set_offset(0, 16)
    extend_and_wait(window, qtbot)
    records = Journal(journal_dir()).records()
    assert [r.state.value for r in records] == ["saved"]
    record = records[0]
    assert record.job_id and Path(record.output_path).is_file()
    body = next(r.body for r in sim.requests if r.method == "POST")
    assert (body["reference_offset_x"], body["reference_offset_y"]) == (0, 16)
    assert (body["width"], body["height"]) == (208, 160)
    assert window.results.has_result()
    assert window.canvas.result_item.isVisible()
    assert window.options_panel.status.text().startswith("Done · ")  # with the actual cost
    assert window.findChild(object, "saveButton").isEnabled()


def test_extend_offline_then_save_and_use_as_source(window, small_photo, tmp_path, qtbot) -> None:
    assert window.model.state.options.engine == "local"
    assert window.options_panel.key_notice.isVisible()
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    extend_and_wait(window, qtbot, timeout=30000)
    assert window.results.has_result(), window.banner.label.text()
    assert window.canvas.result_item.pixmap().size().toTuple() == (208, 160)
    target = tmp_path / "out" / "result.jpg"
    window.dialogs.answer("save_path", str(target))
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert target.is_file() and target.read_bytes()[:2] == b"\xff\xd8"  # JPEG, by the suffix
    window.canvas.set_compare(True)
    assert not window.canvas.result_item.isVisible()
    window.canvas.set_compare(False)
    window.results.use_as_source()
    qtbot.waitUntil(lambda: window.model.state.source_size == (208, 160), timeout=5000)
    assert not window.results.has_result()
    said = window.statusBar().currentMessage  # the photo's name, not the history file's
    qtbot.waitUntil(lambda: said() == f"A result of {Path(small_photo).name}: 208 × 160 px")
    # the next result is named after the photo, not after its history file
    qtbot.waitUntil(window.options_panel.extend_button.isEnabled, timeout=5000)
    extend_and_wait(window, qtbot, timeout=30000)
    window.dialogs.answer("save_path", "")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    # where the last save went; Settings' own Output folder is the user's to set
    assert window.dialogs.asked[-1][2] == str(
        target.parent / f"{Path(small_photo).stem}-extended.png"
    )
    assert window.settings.output_dir == ""
    assert f"Source: a result of {Path(small_photo).name}" in window.history.details.text()


def test_a_save_never_replaces_a_file_the_dialog_did_not_ask_about(loaded, tmp_path, qtbot) -> None:
    extend_and_wait(loaded, qtbot, timeout=30000)
    taken = tmp_path / "result.png"
    taken.write_bytes(b"the user's own file")
    loaded.dialogs.answer("save_path", str(tmp_path / "result"))  # typed without a suffix
    qtbot.keyClick(loaded, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert taken.read_bytes() == b"the user's own file"
    assert (tmp_path / "result-1.png").is_file()


def test_a_save_that_fails_says_why_and_keeps_the_result(loaded, tmp_path, qtbot) -> None:
    extend_and_wait(loaded, qtbot, timeout=30000)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where a folder should be")
    loaded.dialogs.answer("save_path", str(blocked / "result.png"))
    qtbot.keyClick(loaded, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert loaded.banner.isVisible() and loaded.banner.kind == "export"
    assert loaded.banner.label.text().startswith("Could not save result.png")
    assert loaded.results.has_result() and not (blocked / "result.png").exists()


def test_cancel_stops_a_submitted_job_and_keeps_it(window, small_photo, qtbot, monkeypatch) -> None:
    from bfl_sim import BflSimulator

    with BflSimulator(api_key="test-key", finish_after=30) as sim:
        open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
        assert window.options_panel.cancel_button.isEnabled()
        qtbot.waitUntil(  # submitted: the service reports it queued, then generating
            lambda: window.options_panel.status.text().startswith(("Queued", "Generating")),
            timeout=5000,
        )
        with qtbot.waitSignal(window.jobs.finished, timeout=5000):
            qtbot.mouseClick(window.options_panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not window.options_panel.cancel_button.isEnabled()
    (record,) = Journal(journal_dir()).records()
    assert record.state.value == "submitted"  # collectable later with resume
    assert "collected" in window.banner.label.text()


def test_a_wrong_key_shows_the_key_banner(sim, window, small_photo, qtbot, monkeypatch) -> None:
    monkeypatch.setenv("BFL_API_KEY", "wrong-key")
    monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", sim.base_url)
    window.model.set_options(engine="bfl")
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    extend_and_wait(window, qtbot)
    assert window.banner.isVisible()
    assert window.banner.kind == "auth"
    assert window.banner.button.text() == "Open Settings"
    assert not window.results.has_result()


def test_no_credits_offers_the_offline_engine(window, small_photo, qtbot, monkeypatch) -> None:
    """Credits are bought on BFL's site, not in Settings: the banner offers what works now."""
    from bfl_sim import BflSimulator

    with BflSimulator(api_key="test-key", credits=0.0) as poor:
        open_with_flux(window, poor, small_photo, qtbot, monkeypatch)
        extend_and_wait(window, qtbot)
        assert window.banner.isVisible() and window.banner.kind == "credits"
        assert "nothing was charged" in window.banner.label.text()
        assert window.banner.button.text() == "Use the offline engine"
        qtbot.mouseClick(window.banner.button, Qt.MouseButton.LeftButton)
        assert window.options_panel.engine.currentText().startswith("Offline")
        assert not window.banner.isVisible()
        extend_and_wait(window, qtbot)
        assert window.results.has_result(), window.banner.label.text()
        assert poor.submit_count == 0


def test_flux_without_a_key_points_to_settings(window, small_photo, qtbot) -> None:
    window.model.set_options(engine="bfl")
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    assert window.banner.isVisible() and window.banner.button.text() == "Open Settings"
    assert not window.jobs.is_running()


def test_closing_during_a_job_leaves_no_thread(qtbot, tmp_path) -> None:
    from photos import make_photo
    from scripted_dialogs import ScriptedDialogs

    from outpaint_studio.ui import MainWindow

    photo = make_photo(tmp_path / "big.png", (640, 480))
    win = MainWindow(dialogs=ScriptedDialogs())
    win.dialogs.answer("confirm", True)  # Quit anyway
    qtbot.addWidget(win)
    win.show()
    win.open_image(photo)
    qtbot.waitUntil(lambda: win.source is not None, timeout=5000)
    qtbot.mouseClick(win.options_panel.extend_button, Qt.MouseButton.LeftButton)
    assert win.jobs.is_running()
    win.close()
    assert not win.jobs.is_running()
    qtbot.waitUntil(lambda: not win.jobs.is_stopping(), timeout=30000)
    settings = json.loads(settings_path().read_text())
    assert settings["window_geometry"]


@pytest.mark.parametrize("engine", ["local", "bfl"])
def test_options_are_remembered(window, engine, qtbot) -> None:
    from outpaint_studio.ui import MainWindow

    engines = window.findChild(QComboBox, "engineCombo")
    engines.setCurrentIndex(engines.findData(engine))
    window.options_panel.mode.setCurrentIndex(window.options_panel.mode.findData("fast"))
    window.options_panel.format.setCurrentIndex(window.options_panel.format.findData("webp"))
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.model.state.options.mode == "fast"
    assert again.model.state.options.output_format == "webp"
    assert again.findChild(object, "formatCombo").currentData() == "webp"
    assert again.findChild(QComboBox, "engineCombo").currentData() == engine


def test_a_moderated_job_says_it_was_not_charged(keyed_env, window, small_photo, qtbot) -> None:
    keyed_env.inject("status", status="Request Moderated")
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    extend_and_wait(window, qtbot)
    assert window.banner.isVisible() and window.banner.kind == "moderated"
    assert window.banner.label.text().count("not charged") == 1
