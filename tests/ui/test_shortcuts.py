"""Zoom, pan, keyboard shortcuts, recent files, the clipboard and the Settings region."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import menu_titled, open_with_flux
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QHelpEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton, QToolTip, QWidget
from scripted_dialogs import ScriptedDialogs

from outpaint_studio.core.jobs import Journal
from outpaint_studio.core.settings import journal_dir


def wheel(view, steps: int) -> None:
    viewport = view.viewport()
    pos = QPointF(viewport.rect().center())
    event = QWheelEvent(pos, QPointF(viewport.mapToGlobal(pos.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * steps), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)  # fmt: skip
    QApplication.sendEvent(viewport, event)


def centre_in_scene(view) -> QPointF:
    return view.mapToScene(view.viewport().rect().center())


def test_wheel_zooms_in_and_out(loaded) -> None:
    view = loaded.canvas
    before = view.transform().m11()
    wheel(view, 1)
    assert abs(view.transform().m11() - before * 1.2) < 1e-6
    wheel(view, -2)
    assert abs(view.transform().m11() - before / 1.2) < 1e-6


def test_middle_button_pans_without_moving_the_source(loaded) -> None:
    view = loaded.canvas
    view.zoom_by(4)
    state = loaded.model.state
    before = centre_in_scene(view)
    viewport = view.viewport()
    start = viewport.rect().center()
    middle, none = Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, middle, none, start)
    QTest.mouseMove(viewport, start + QPoint(40, 24))
    QTest.mouseRelease(viewport, middle, none, start + QPoint(40, 24))
    after = centre_in_scene(view)
    assert after.x() < before.x() and after.y() < before.y()  # the scene followed the hand
    assert loaded.model.state == state


def test_space_drag_pans_instead_of_dragging(loaded, qtbot) -> None:
    view = loaded.canvas
    view.zoom_by(4)
    view.setFocus()
    state = loaded.model.state
    before = centre_in_scene(view)
    viewport = view.viewport()
    start = view.mapFromScene(view.source_item.sceneBoundingRect().center())
    QTest.keyPress(view, Qt.Key.Key_Space)
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, left, none, start)
    QTest.mouseMove(viewport, start + QPoint(-30, 0))
    QTest.mouseRelease(viewport, left, none, start + QPoint(-30, 0))
    QTest.keyRelease(view, Qt.Key.Key_Space)
    assert centre_in_scene(view).x() > before.x()
    assert loaded.model.state == state  # the source stayed where it was
    assert loaded.model.undo_stack.count() == 0


def test_escape_cancels_a_running_job(window, small_photo, qtbot, monkeypatch) -> None:
    from bfl_sim import BflSimulator

    with BflSimulator(api_key="test-key", finish_after=30) as sim:
        open_with_flux(window, sim, small_photo, qtbot, monkeypatch)
        window.extend()
        qtbot.waitUntil(
            lambda: window.options_panel.status.text().startswith(("Queued", "Generating")),
            timeout=5000,
        )
        with qtbot.waitSignal(window.jobs.finished, timeout=5000) as finished:
            qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert finished.args[0].state == "submitted"


def test_ctrl_enter_extends_and_ctrl_c_copies(loaded, qtbot) -> None:
    loaded.canvas.setFocus()
    with qtbot.waitSignal(loaded.jobs.finished, timeout=30000):
        qtbot.keyClick(loaded.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert loaded.results.has_result(), loaded.banner.label.text()
    assert [r.state.value for r in Journal(journal_dir()).records()] == ["saved"]
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(loaded.canvas, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QGuiApplication.clipboard().image()
    assert copied.size().toTuple() == (208, 160)


def test_toolbar_use_as_source_and_file_quit_reach_the_window(loaded, qtbot) -> None:
    """The actions say what the user asked; the window does it (it connects them)."""
    loaded.canvas.setFocus()
    with qtbot.waitSignal(loaded.jobs.finished, timeout=30000):
        qtbot.keyClick(loaded.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(loaded.results.has_result, timeout=5000)
    actions = loaded.actions_
    button = actions.toolbar.widgetForAction(actions.use_as_source)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: loaded.model.state.source_size == (208, 160), timeout=5000)
    assert actions.quit in menu_titled(loaded, "&File").actions()
    actions.quit.trigger()  # File › Quit (no key on every platform)
    assert not loaded.isVisible()


def test_recent_files_reopen(loaded, tmp_path, qtbot) -> None:
    from photos import make_photo

    other = make_photo(tmp_path / "other.png", (96, 64))
    loaded.open_image(other)
    qtbot.waitUntil(lambda: loaded.model.state.source_size == (96, 64), timeout=5000)
    qtbot.waitUntil(lambda: loaded.source is not None, timeout=5000)
    recent = loaded.settings.recent_files
    assert Path(recent[0]) == other and Path(recent[1]).name == "small.png"
    menu = loaded.actions_.recent
    menu.aboutToShow.emit()  # File › Open recent opens (a real popup only adds offscreen noise)
    assert [a.text() for a in menu.actions()][:2] == ["other.png", "small.png"]
    menu.actions()[1].trigger()
    qtbot.waitUntil(lambda: loaded.model.state.source_size == (160, 128), timeout=5000)


def test_the_toolbar_settings_button_opens_settings(loaded, qtbot) -> None:
    shown = []

    def close_the_dialog() -> None:  # runs inside the dialog's own event loop
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            shown.append(dialog.windowTitle())
            dialog.reject()

    actions = loaded.actions_
    QTimer.singleShot(0, close_the_dialog)
    qtbot.mouseClick(actions.toolbar.widgetForAction(actions.settings_action),
                     Qt.MouseButton.LeftButton)  # fmt: skip
    assert shown == ["Settings"]


def test_settings_region_and_custom_url(qtbot) -> None:
    from outpaint_studio.core.settings import REGIONS, KeyStore, Settings
    from outpaint_studio.model.workers import Workers
    from outpaint_studio.ui.settings_dialog import SettingsDialog

    settings = Settings()
    dialog = SettingsDialog(settings, KeyStore(), Workers(), ScriptedDialogs())
    qtbot.addWidget(dialog)
    assert not dialog.custom_url.isEnabled()
    dialog.region.setCurrentIndex(dialog.region.findData("eu"))
    dialog.accept()
    assert settings.region == "eu" and settings.api_url == REGIONS["eu"]
    dialog = SettingsDialog(settings, KeyStore(), Workers(), ScriptedDialogs())
    qtbot.addWidget(dialog)
    dialog.region.setCurrentIndex(dialog.region.findData("custom"))
    assert dialog.custom_url.isEnabled()
    dialog.custom_url.setText("https://api.example.test")
    dialog.accept()
    assert settings.region == "custom"
    assert settings.api_url == "https://api.example.test"


def hover_tooltip(button: QWidget) -> str:
    """What the tooltip says when the pointer rests on ``button``."""
    centre = button.rect().center()
    QApplication.sendEvent(button, QHelpEvent(QEvent.Type.ToolTip, centre,
                                              button.mapToGlobal(centre)))  # fmt: skip
    return QToolTip.text()


@pytest.mark.qt_log_ignore(r"This plugin does not support (raise|propagateSizeHints)")
def test_toolbar_tooltips_name_the_keys(loaded) -> None:
    bar = loaded.findChild(QToolBar, "mainToolBar")
    tips = {button.text(): hover_tooltip(button) for button in bar.findChildren(QToolButton)}
    QToolTip.hideText()
    expected = {"Open": "Ctrl+O", "Undo": "Ctrl+Z", "Redo": "Ctrl+Y", "Fit": "Ctrl+0",
                "100 %": "Ctrl+1", "Save": "Ctrl+S", "Copy": "Ctrl+C"}  # fmt: skip
    for text, key in expected.items():
        assert tips[text] == f"{text} ({key})"
