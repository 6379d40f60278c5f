"""The history panel: it survives a restart, reopens layouts, exports, polls again, deletes."""

from __future__ import annotations

from pathlib import Path

from helpers import open_with_flux
from PySide6.QtCore import QCoreApplication, Qt

from outpaint_studio.core.jobs import Journal
from outpaint_studio.core.settings import history_dir, journal_dir


def extend_offline(window, qtbot) -> None:
    with qtbot.waitSignal(window.jobs.finished, timeout=30000):
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    assert window.results.has_result(), window.banner.label.text()


def new_window(qtbot):
    from outpaint_studio.ui import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    return win


def test_history_survives_a_restart_and_reopens_the_layout(loaded, qtbot) -> None:
    loaded.model.set_offset(0, 8)
    extend_offline(loaded, qtbot)
    assert loaded.history.model.rowCount() == 1
    loaded.close()
    again = new_window(qtbot)
    qtbot.waitUntil(lambda: again.history.model.rowCount() == 1, timeout=5000)
    record = again.history.model.record_at(0)
    assert record is not None and record.state.value == "saved"
    assert "Offline" in again.history.model.data(again.history.model.index(0))
    qtbot.waitUntil(lambda: again.history.model.cached_thumbnails() == 1, timeout=5000)
    again.history.select_row(0)
    assert again.history.buttons["reopen"].isEnabled()
    qtbot.mouseClick(again.history.buttons["reopen"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.source is not None, timeout=5000)
    state = again.model.state
    assert (state.geometry.offset_x, state.geometry.offset_y) == (0, 8)
    assert (state.geometry.canvas_width, state.geometry.canvas_height) == (208, 160)
    again.close()


def test_delete_removes_the_files_and_the_record(loaded, qtbot) -> None:
    extend_offline(loaded, qtbot)
    history = loaded.history
    history.select_row(0)
    record = history.selected()
    files = [Path(p) for p in (record.output_path, record.history_path) if p]
    assert files and all(f.is_file() for f in files)
    loaded.dialogs.answer("confirm", False, True)
    qtbot.mouseClick(history.buttons["delete"], Qt.MouseButton.LeftButton)  # No: kept
    assert all(f.is_file() for f in files) and history.model.rowCount() == 1
    qtbot.mouseClick(history.buttons["delete"], Qt.MouseButton.LeftButton)
    assert [kind for kind, *_ in loaded.dialogs.asked] == ["confirm", "confirm"]
    assert not any(f.exists() for f in files)
    assert Journal(journal_dir()).records() == []
    assert history.model.rowCount() == 0
    assert not any(history_dir().glob(f"{record.key}*"))


def test_the_delete_key_deletes_the_selected_result_after_asking(loaded, qtbot) -> None:
    extend_offline(loaded, qtbot)
    history = loaded.history
    view = history.view
    rect = view.visualRect(history.model.index(0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(view.hasFocus, timeout=3000)
    loaded.dialogs.answer("confirm", False, True)
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # No: kept
    assert history.model.rowCount() == 1
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert [kind for kind, *_ in loaded.dialogs.asked] == ["confirm", "confirm"]
    assert history.model.rowCount() == 0 and Journal(journal_dir()).records() == []
    assert "(Del)" in history.buttons["delete"].toolTip()


def test_export_from_history_carries_the_layout(loaded, tmp_path, qtbot) -> None:
    from outpaint_studio.core.metadata import read_layout

    extend_offline(loaded, qtbot)
    target = tmp_path / "exported.png"
    loaded.dialogs.answer("save_path", str(target))
    loaded.history.select_row(0)
    qtbot.mouseClick(loaded.history.buttons["export"], Qt.MouseButton.LeftButton)
    params = read_layout(target)
    assert params is not None and (params.width, params.height) == (208, 160)


def test_dropping_an_export_offers_to_restore_its_layout(loaded, tmp_path, qtbot) -> None:
    from helpers import drop_file

    loaded.model.set_offset(16, 0)
    extend_offline(loaded, qtbot)
    target = tmp_path / "again.png"
    loaded.dialogs.answer("save_path", str(target))
    loaded.results.save()
    loaded.model.set_offset(0, 0)
    loaded.dialogs.answer("confirm", True)
    assert drop_file(loaded.canvas, target)
    qtbot.waitUntil(lambda: loaded.model.state.geometry.offset_x == 16, timeout=5000)
    [(kind, title, question)] = loaded.dialogs.asked[-1:]
    assert (kind, title) == ("confirm", "Restore layout") and target.name in question
    assert loaded.model.state.source_size == (160, 128)
    assert Path(loaded.model.state.source_path).name == "small.png"


def test_poll_again_collects_a_submitted_job(window, small_photo, qtbot, monkeypatch) -> None:
    from bfl_sim import BflSimulator

    def journal_state() -> str:
        records = Journal(journal_dir()).records()
        return records[0].state.value if records else ""

    with BflSimulator(api_key="test-key", finish_after=2.0) as sim:
        open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
        window.extend()
        qtbot.waitUntil(lambda: journal_state() == "submitted", timeout=5000)
        with qtbot.waitSignal(window.jobs.finished, timeout=5000):
            window.cancel()
        history = window.history
        history.select_row(0)
        assert history.selected().state.value == "submitted"
        assert history.buttons["poll"].isEnabled()
        # paid and not collected: deleting it would lose it for good (seen in a user trial)
        assert not history.buttons["delete"].isEnabled()
        history.view.setFocus()
        qtbot.keyClick(history.view, Qt.Key.Key_Delete)
        assert not [a for a in window.dialogs.asked if a[0] == "confirm"]
        assert journal_state() == "submitted"
        qtbot.mouseClick(history.buttons["poll"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: history.selected().state.value == "saved", timeout=10000)
        assert history.buttons["delete"].isEnabled()
    (record,) = Journal(journal_dir()).records()
    assert record.state.value == "saved" and Path(record.output_path).is_file()


def test_cost_estimate_session_total_and_balance(keyed_env, window, small_photo, qtbot) -> None:
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    estimate = window.options_panel.estimate
    assert "MP" in estimate.text() and "after the first FLUX" in estimate.text()
    with qtbot.waitSignal(window.jobs.finished, timeout=15000):
        window.extend()
    (record,) = Journal(journal_dir()).records()
    assert record.cost is not None
    assert "credits" in window.options_panel.status.text()
    assert "about" in estimate.text()  # a price per megapixel is now known
    assert window.cost.session.text() == f"Session {round(record.cost, 2):g} credits"
    qtbot.waitUntil(lambda: "Balance" in window.cost.balance.text(), timeout=5000)
    window.history.select_row(0)
    window.dialogs.answer("confirm", True)
    qtbot.mouseClick(window.history.buttons["delete"], Qt.MouseButton.LeftButton)
    assert not Journal(journal_dir()).records()
    window.update_cost()  # deleted from History, still spent
    assert window.cost.session.text() == f"Session {round(record.cost, 2):g} credits"
    window.model.set_options(engine="local")
    assert "free" in estimate.text()


def balance_shown(qtbot, monkeypatch, key: str, api_url: str):  # type: ignore[no-untyped-def]
    """The status bar's balance once the window, started with ``key``, has asked for it."""
    monkeypatch.setenv("BFL_API_KEY", key)
    monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", api_url)
    win = new_window(qtbot)
    qtbot.waitUntil(lambda: win.is_ready and win.cost.balance.text() != "", timeout=10000)
    qtbot.waitUntil(lambda: not win.workers.running(), timeout=5000)
    balance = win.cost.balance
    return balance.text(), balance.toolTip()


def test_the_balance_says_a_wrong_key_was_refused_and_never_shows_it(
    sim, qtbot, monkeypatch
) -> None:
    text, reason = balance_shown(qtbot, monkeypatch, "wrong-key-5f1c0ffee", sim.base_url)
    assert text == "Balance unavailable: the key was refused"
    assert reason.startswith("The BFL API key was refused (HTTP 40")
    assert "5f1c0ffee" not in text + reason


def test_the_balance_says_when_the_service_cannot_be_reached(qtbot, monkeypatch) -> None:
    text, reason = balance_shown(qtbot, monkeypatch, "test-key", "http://127.0.0.1:9")
    assert (text, reason) == ("Balance unavailable", "Cannot reach http://127.0.0.1:9.")


def test_the_balance_of_a_good_key(sim, qtbot, monkeypatch) -> None:
    text, reason = balance_shown(qtbot, monkeypatch, sim.config.api_key, sim.base_url)
    assert (text, reason) == ("Balance 1000 credits", "Credits left on the account")


def test_a_result_file_that_cannot_be_shown_keeps_its_placeholder(loaded, qtbot) -> None:
    import shutil

    from data.make_corpus import CORPUS

    from outpaint_studio.model.history import image_path

    extend_offline(loaded, qtbot)
    record = loaded.history.model.record_at(0)
    shutil.copyfile(CORPUS / "header-bomb-50000.png", image_path(record))  # 2500 MP, it says
    loaded.close()
    again = new_window(qtbot)
    model = again.history.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    assert "2500" not in model.data(model.index(0))  # the canvas's size, not the file's claim
    qtbot.waitUntil(lambda: model.decoded == 1, timeout=5000)
    assert model.cached_thumbnails() == 0


def test_the_estimate_says_when_it_passes_the_balance(keyed_env, window, small_photo, qtbot):
    """Honest cost before the click: an Extend the account cannot pay for says so."""
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    with qtbot.waitSignal(window.jobs.finished, timeout=15000):
        window.extend()
    estimate = window.options_panel.estimate
    qtbot.waitUntil(lambda: window.cost.credits is not None, timeout=5000)
    qtbot.waitUntil(lambda: not window.workers.running(), timeout=5000)  # no check under way
    assert "about" in estimate.text() and "left" not in estimate.text()  # 1000 credits
    with keyed_env.state.lock:
        keyed_env.state.credits = 1.0  # spent elsewhere meanwhile
    window.cost.refresh_balance()
    qtbot.waitUntil(lambda: estimate.text().endswith("· more than the 1 left"), timeout=5000)
    assert window.cost.balance.text() == "Balance 1 credits"


def test_tab_into_history_shows_nothing_until_a_row_is_chosen(loaded, qtbot, tmp_path) -> None:
    """Focus landing on History makes its first row current: that is no choice (in a trial,
    Tab through the window swapped the photo for the newest result, another photo's)."""
    from photos import make_photo

    extend_offline(loaded, qtbot)
    loaded.close()
    again = new_window(qtbot)
    other = make_photo(tmp_path / "other.png", (96, 64))
    again.open_image(other)
    qtbot.waitUntil(lambda: again.source is not None and again.history.model.rowCount() == 1)
    view = again.history.view
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: view.currentIndex().row() == 0, timeout=5000)
    qtbot.waitUntil(lambda: again.history.model.pool.activeThreadCount() == 0, timeout=5000)
    QCoreApplication.processEvents()  # a decode's answer, had the focus asked for one
    assert again.model.state.source_path == str(other) and again.results.outcome is None
    qtbot.keyClick(view, Qt.Key.Key_Space)  # the keyboard's choice: shown, on its own layout
    qtbot.waitUntil(lambda: again.results.outcome is not None, timeout=10000)
    assert again.model.state.source_path != str(other)
    again.close()
