"""UI fixtures: offscreen Qt, a private app home per test, no QThread left running."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from photos import make_photo
from qt_threads import no_thread_left  # noqa: F401  (autouse: no QThread outlives a test)
from scripted_dialogs import ScriptedDialogs

# The offscreen platform plugin says this on every show(); it is not the app's warning.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def small_photo(tmp_path: Path) -> Path:
    return make_photo(tmp_path / "small.png")


@pytest.fixture
def window(qtbot: object) -> Iterator[object]:
    from outpaint_studio.ui import MainWindow

    win = MainWindow(dialogs=ScriptedDialogs())
    qtbot.addWidget(win)  # type: ignore[attr-defined]
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)  # type: ignore[attr-defined]
    yield win
    win.dialogs.answer("confirm", True)  # Quit, should a job the test left running ask
    win.close()


@pytest.fixture
def loaded(window: object, small_photo: Path, qtbot: object) -> object:
    """The window with the small photo fully loaded."""
    window.open_image(small_photo)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)  # type: ignore[attr-defined]
    return window
