"""Portable mode: with OUTPAINT_STUDIO_HOME set, the app writes nothing outside that folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The real app, run as the user runs it: open a photo, open File › Open and cancel it, quit.
SESSION = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog
from outpaint_studio.ui.launch import run_gui
from outpaint_studio.ui.main_window import MainWindow


def cancel_the_dialog():
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, QFileDialog):
        dialog.reject()
    else:
        QTimer.singleShot(20, cancel_the_dialog)


def session():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    if not windows or not windows[0].is_ready or windows[0].source is None:
        QTimer.singleShot(20, session)
        return
    QTimer.singleShot(0, cancel_the_dialog)
    windows[0].actions_.open.trigger()  # the file dialog runs (modal) until it is cancelled
    windows[0].close()


QTimer.singleShot(0, session)
QTimer.singleShot(30000, lambda: QApplication.exit(3))  # a deadline, never a pass
sys.exit(run_gui(sys.argv[1]))
"""


def written_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_portable_session_writes_nothing_outside_its_folder(tmp_path, small_photo) -> None:
    user_home = tmp_path / "user"
    user_home.mkdir()
    portable = tmp_path / "portable"
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(user_home), OUTPAINT_STUDIO_HOME=str(portable), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", SESSION, str(small_photo)], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert written_under(user_home) == []
    written = written_under(portable)
    assert "settings.json" in written
    assert "qt/QtProject.conf" in written  # the file dialog's history, kept in the folder
