"""Opening another image starts clean: no words of the last job, auto-crop off unless restored."""

from __future__ import annotations

from helpers import open_with_flux
from photos import make_photo
from PySide6.QtCore import Qt


def open_and_wait(window, qtbot, path) -> None:
    window.open_image(path)
    qtbot.waitUntil(lambda: window.source is not None and window.source.path == path, timeout=5000)


def test_another_image_clears_the_last_jobs_status_and_time(
    window, small_photo, tmp_path, qtbot, monkeypatch
) -> None:
    from bfl_sim import BflSimulator

    panel = window.options_panel
    with BflSimulator(api_key="test-key", finish_after=30) as sim:
        open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
        qtbot.mouseClick(panel.extend_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: panel.status.text().startswith(("Queued", "Generating")), timeout=5000
        )
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.jobs.is_running(), timeout=5000)
    assert panel.status.text() and panel.elapsed.text().endswith(" s")
    open_and_wait(window, qtbot, make_photo(tmp_path / "other.png", (96, 64)))
    assert panel.status.text() == "" and panel.elapsed.text() == ""


def test_auto_crop_belongs_to_the_image(loaded, tmp_path, qtbot) -> None:
    qtbot.mouseClick(loaded.layout_panel.auto_crop, Qt.MouseButton.LeftButton)
    assert loaded.model.state.options.auto_crop
    params = loaded.model.state.job_params()
    other = make_photo(tmp_path / "other.png", (96, 64))
    open_and_wait(loaded, qtbot, other)
    assert not loaded.model.state.options.auto_crop
    assert not loaded.layout_panel.auto_crop.isChecked()
    loaded.restore_layout(params)  # the first image's layout, as History reopens it
    qtbot.waitUntil(lambda: loaded.model.state.source_size == (160, 128), timeout=5000)
    assert loaded.model.state.options.auto_crop
    assert loaded.layout_panel.auto_crop.isChecked()


def test_a_past_result_shown_from_history_clears_the_last_jobs_status(
    loaded, qtbot, monkeypatch
) -> None:
    from bfl_sim import BflSimulator

    panel = loaded.options_panel
    with qtbot.waitSignal(loaded.jobs.finished, timeout=30000):  # an offline result for History
        qtbot.mouseClick(panel.extend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: loaded.history.model.rowCount() == 1, timeout=5000)
    with BflSimulator(api_key="test-key", finish_after=30) as sim:
        monkeypatch.setenv("BFL_API_KEY", sim.config.api_key)
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", sim.base_url)
        loaded.model.set_options(engine="bfl")
        qtbot.mouseClick(panel.extend_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: panel.status.text().startswith(("Queued", "Generating")), timeout=5000
        )
        with qtbot.waitSignal(loaded.jobs.finished, timeout=5000):
            qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
        assert panel.status.text() == "Submitted, not collected"
        assert panel.elapsed.text().endswith(" s")
        qtbot.waitUntil(lambda: not loaded.jobs.is_running(), timeout=5000)
    history = loaded.history
    qtbot.waitUntil(lambda: history.model.rowCount() == 2, timeout=5000)
    states = [history.model.records[row].state.value for row in range(2)]
    saved = states.index("saved")

    def click_row(row: int) -> None:
        spot = history.view.visualRect(history.model.index(row, 0)).center()
        qtbot.mouseClick(history.view.viewport(), Qt.MouseButton.LeftButton, pos=spot)

    click_row(1 - saved)  # the cancelled job: nothing to show
    with qtbot.waitSignal(history.result_chosen, timeout=5000):
        click_row(saved)
    assert panel.status.text() == "" and panel.elapsed.text() == ""
