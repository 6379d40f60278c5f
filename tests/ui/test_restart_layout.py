"""Quitting and starting again gives back the docks and the toolbar as the user left them; a saved
layout that cannot be used gives the default one, never a crash."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest
from helpers import menu_titled
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QMainWindow
from scripted_dialogs import ScriptedDialogs

from outpaint_studio.core.settings import load_settings, save_settings
from outpaint_studio.ui.closing import WINDOW_STATE_VERSION

LEFT = Qt.DockWidgetArea.LeftDockWidgetArea
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
DEFAULT = {"history": (LEFT, True), "formats": (LEFT, False), "toolbar": True}  # History's tab


def start(qtbot, staged: bool = False) -> QMainWindow:
    """The app started again from the same home; ``staged`` as the app starts it, the docks
    added to a window already on screen."""
    from outpaint_studio.ui import MainWindow

    window = MainWindow(dialogs=ScriptedDialogs(), staged=staged)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.is_ready, timeout=5000)
    QApplication.processEvents()  # what the window queued as it was built
    return window


def layout(window) -> dict[str, object]:
    history, formats = window.history_dock, window.formats.dock
    return {
        "history": (window.dockWidgetArea(history), history.isVisible()),
        "formats": (window.dockWidgetArea(formats), formats.isVisible()),
        "toolbar": window.actions_.toolbar.isVisible(),
    }


def rearrange(window, qtbot) -> None:
    """Show Formats from the View menu and put it on the right (it opens as History's tab),
    close History with its title bar's button, and hide the toolbar from the context menu of
    the window's bars."""
    view = menu_titled(window, "&View")
    next(a for a in view.actions() if a.text() == "Formats").trigger()
    window.addDockWidget(RIGHT, window.formats.dock)  # where a drag of its title bar drops it
    close = window.history_dock.findChild(QAbstractButton, "qt_dockwidget_closebutton")
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    bars = window.createPopupMenu()
    next(a for a in bars.actions() if a.text() == "Main").trigger()
    bars.deleteLater()
    qtbot.waitUntil(lambda: not window.history_dock.isVisible(), timeout=3000)


@pytest.mark.parametrize("staged", [False, True])
def test_the_docks_and_the_toolbar_come_back_as_they_were_left(window, qtbot, staged) -> None:
    assert layout(window) == DEFAULT
    rearrange(window, qtbot)
    window.formats.sheet.show()  # Extend all's results, of this session only
    moved = {"history": (LEFT, False), "formats": (RIGHT, True), "toolbar": False}
    assert layout(window) == moved
    width = window.formats.dock.width()
    window.close()
    again = start(qtbot, staged)
    assert layout(again) == moved
    assert again.formats.dock.width() == width, again.formats.dock.width()
    assert not again.formats.sheet.isVisible()  # it has nothing to show yet
    view = menu_titled(again, "&View")
    next(a for a in view.actions() if a.text() == "History").trigger()  # still brings it back
    assert again.history_dock.isVisible()


def test_a_first_start_has_the_default_layout(qtbot) -> None:
    assert layout(start(qtbot)) == DEFAULT


def a_state_of_another_version(qtbot) -> str:
    window = start(qtbot)
    rearrange(window, qtbot)
    state = window.saveState(WINDOW_STATE_VERSION + 1)
    window.close()
    return bytes(state.toBase64().data()).decode()


def a_cut_state(qtbot) -> str:
    window = start(qtbot)
    rearrange(window, qtbot)
    state = window.saveState(WINDOW_STATE_VERSION)
    window.close()
    return base64.b64encode(bytes(state.data())[: state.size() // 2]).decode()


UNUSABLE = {
    "not base64": lambda qtbot: "this is no window state ✗",
    "noise": lambda qtbot: base64.b64encode(bytes(range(256)) * 3).decode(),
    "another version": a_state_of_another_version,
    "cut short": a_cut_state,
}


@pytest.mark.parametrize("kind", UNUSABLE)
def test_a_saved_layout_that_cannot_be_used_gives_the_default_one(kind, qtbot) -> None:
    save_settings(replace(load_settings(), window_state=UNUSABLE[kind](qtbot)))
    window = start(qtbot)
    assert layout(window) == DEFAULT
    window.close()  # and the next start has the layout this one left
    assert layout(start(qtbot)) == DEFAULT
