"""Staged start-up: the empty window paints first, the editor is built right after."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QGraphicsView, QPushButton, QWidget

from outpaint_studio.ui import MainWindow
from outpaint_studio.ui.launch import run_gui
from outpaint_studio.ui.main_window import STAGED_BUILD_DEADLINE_MS


def test_staged_window_shows_empty_then_builds_the_editor(qtbot) -> None:
    win = MainWindow(staged=True)
    qtbot.addWidget(win)
    assert not win.is_ready
    assert win.findChildren(QWidget) == []  # nothing to lay out or style before the first paint
    with qtbot.waitSignal(win.ready, timeout=5000):
        win.show()
    assert win.findChild(QGraphicsView, "canvasView") is not None
    assert win.findChild(QPushButton, "extendButton") is not None
    win.close()


def test_a_window_that_is_never_painted_is_built_all_the_same(qtbot) -> None:
    win = MainWindow(staged=True)  # never shown: no paint
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.ready, timeout=5000):
        pass
    assert win.findChild(QGraphicsView, "canvasView") is not None


def test_closing_before_the_editor_is_built_cancels_the_build(qtbot) -> None:
    win = MainWindow(staged=True)
    qtbot.addWidget(win)
    shown = time.monotonic()
    win.show()
    win.close()  # before the event loop ran: no paint yet, so no editor
    past_deadline = STAGED_BUILD_DEADLINE_MS / 1000 + 0.2

    def build_would_have_run() -> bool:
        timers = win.findChildren(QTimer)
        return time.monotonic() - shown > past_deadline and not any(t.isActive() for t in timers)

    qtbot.waitUntil(build_would_have_run, timeout=5000)
    assert not win.is_ready
    assert win.findChild(QGraphicsView, "canvasView") is None


def test_the_app_opens_the_photo_named_on_its_command_line(qapp, small_photo: Path) -> None:
    """``outpaint-studio photo.png``: run_gui's event loop, until the photo is on the canvas."""
    seen: dict[str, object] = {}

    def check() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        win = windows[0] if windows else None
        if win is not None and win.is_ready and win.source is not None:
            seen["path"] = win.model.state.source_path
            seen["size"] = win.model.state.source_size
            win.close()  # the last window: the event loop ends
            win.deleteLater()
        else:
            QTimer.singleShot(20, check)

    QTimer.singleShot(0, check)
    QTimer.singleShot(10_000, QApplication.quit)  # a safety net, never a pass
    assert run_gui(str(small_photo)) == 0
    assert seen == {"path": str(small_photo), "size": (160, 128)}
