"""Where the file dialogs start, the Help menu's windows, and the word after Copy."""

from __future__ import annotations

import time
from pathlib import Path

from helpers import menu_titled
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QListView,
    QMessageBox,
)

CTRL = Qt.KeyboardModifier.ControlModifier


def run_file_dialog(trigger, choose: Path | None = None) -> Path:
    """Run ``trigger``, which opens a modal file dialog; note the folder it starts in, then pick
    ``choose`` in it (or cancel it). Returns that folder."""
    seen: dict[str, Path] = {}

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        seen["folder"] = Path(dialog.directory().absolutePath())
        if choose is None:
            dialog.reject()
        else:
            dialog.selectFile(str(choose))
            dialog.accept()

    QTimer.singleShot(0, answer)
    trigger()
    assert "folder" in seen, "no file dialog opened"
    return seen["folder"]


def extend_once(window, qtbot) -> None:
    window.canvas.setFocus()
    with qtbot.waitSignal(window.jobs.finished, timeout=30000):
        qtbot.keyClick(window.canvas, Qt.Key.Key_Return, CTRL)
    assert window.results.has_result(), window.banner.label.text()


def test_save_starts_beside_the_photo_then_in_the_last_export_folder(
    loaded, small_photo, tmp_path, qtbot
) -> None:
    extend_once(loaded, qtbot)
    exports = tmp_path / "exports"
    exports.mkdir()
    loaded.dialogs.answer("save_path", str(exports / "mine.png"), ("", ""))  # then cancelled
    for _ in range(2):
        qtbot.keyClick(loaded.canvas, Qt.Key.Key_S, CTRL)
    asked = [(kind, Path(str(suggested)).parent) for kind, _, suggested in loaded.dialogs.asked]
    assert asked == [("save_path", small_photo.parent), ("save_path", exports)]
    assert (exports / "mine.png").is_file()
    assert loaded.settings.output_dir == ""  # Settings' Output folder stays the user's to set


def test_after_a_paste_open_starts_in_the_last_folder_opened(
    loaded, small_photo, app_home, qtbot
) -> None:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    QGuiApplication.clipboard().setImage(image)
    qtbot.keyClick(loaded.canvas, Qt.Key.Key_V, CTRL)
    qtbot.waitUntil(lambda: loaded.model.state.source_size == (64, 48), timeout=5000)
    assert Path(loaded.model.state.source_path).is_relative_to(app_home)  # kept by the app
    loaded.dialogs.answer("open_path", "")  # cancelled
    qtbot.keyClick(loaded.canvas, Qt.Key.Key_O, CTRL)
    assert loaded.dialogs.asked == [("open_path", "Open an image", str(small_photo.parent))]


def test_open_asks_the_real_file_dialog_which_starts_where_it_is_told(
    window, small_photo, qtbot
) -> None:
    from outpaint_studio.ui.actions import OPEN_FILTER
    from outpaint_studio.ui.dialogs import Dialogs

    dialogs, chosen = Dialogs(window), []
    ask = lambda: chosen.append(  # noqa: E731
        dialogs.open_path("Open an image", str(small_photo.parent), OPEN_FILTER)
    )
    assert run_file_dialog(ask, small_photo) == small_photo.parent
    assert chosen == [str(small_photo)]
    assert run_file_dialog(ask) == small_photo.parent  # cancelled
    assert chosen[1:] == [""]


def test_help_lists_the_shortcuts_and_about_names_the_app(loaded, qtbot) -> None:
    loaded.canvas.setFocus()
    qtbot.keyClick(loaded.canvas, Qt.Key.Key_F1)
    dialog = loaded.findChild(QDialog, "shortcutsDialog")
    assert dialog is not None and dialog.isVisible()
    table = dialog.findChild(QLabel, "shortcutsTable").text()
    for words in ("Ctrl+Y", "Ctrl+Shift+Z", "Undo", "Space+drag", "Ctrl+drag", "Extend",
                  "Delete in History"):  # fmt: skip
        assert words in table, words
    assert "Z, Redo" not in table and "Y, Redo" not in table  # the Redo key is not named twice
    dialog.close()
    help_menu = menu_titled(loaded, "&Help")
    about = next(a for a in help_menu.actions() if a.objectName() == "aboutAction")
    about.trigger()
    box = loaded.findChild(QMessageBox, "aboutBox")
    assert box is not None and box.isVisible() and "Outpaint Studio" in box.text()
    box.close()


def test_copy_says_so_in_the_status_bar(loaded, qtbot) -> None:
    extend_once(loaded, qtbot)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(loaded.canvas, Qt.Key.Key_C, CTRL)
    assert not QGuiApplication.clipboard().image().isNull()
    assert loaded.statusBar().currentMessage() == "Copied to the clipboard"


def test_settings_opened_from_the_window_checks_the_key_typed(sim, window, qtbot) -> None:
    from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton

    from outpaint_studio.ui.settings_dialog import SettingsDialog

    answers: list[str] = []

    def in_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SettingsDialog):
            QTimer.singleShot(20, in_dialog)
            return
        region = dialog.findChild(QComboBox, "regionCombo")
        region.setCurrentIndex(region.findData("custom"))
        dialog.findChild(QLineEdit, "customUrlEdit").setText(sim.base_url)
        for key in ("wrong-key", sim.config.api_key):
            dialog.findChild(QLineEdit, "apiKeyEdit").setText(key)
            button = dialog.findChild(QPushButton, "checkKeyButton")
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(button.isEnabled, timeout=10_000)
            answers.append(dialog.findChild(QLabel, "keyStatus").text())
        dialog.reject()

    QTimer.singleShot(0, in_dialog)
    window.actions_.settings_action.trigger()
    assert len(answers) == 2, "the Settings dialog did not open"
    assert answers[0].startswith("The BFL API key was refused")
    assert answers[1] == "Key works: 1000 credits left"
    qtbot.waitUntil(lambda: not window.workers.running(), timeout=5000)


def listed_by_open(window, folder: Path, expected: int) -> list[str]:
    """The file names File › Open's dialog lists in ``folder`` under the filter it starts with,
    read once ``expected`` names are listed (or after 3 s: the folder is read in the background)."""
    from outpaint_studio.ui.actions import OPEN_FILTER
    from outpaint_studio.ui.dialogs import Dialogs

    listed: list[str] = []
    deadline = time.monotonic() + 3

    def read_the_list() -> None:
        dialog = QApplication.activeModalWidget()
        view = dialog.findChild(QListView, "listView") if isinstance(dialog, QFileDialog) else None
        if view is None or (view.model().rowCount(view.rootIndex()) < expected
                            and time.monotonic() < deadline):  # fmt: skip
            QTimer.singleShot(20, read_the_list)
            return
        model, root = view.model(), view.rootIndex()
        listed.extend(model.index(row, 0, root).data() for row in range(model.rowCount(root)))
        dialog.reject()

    QTimer.singleShot(0, read_the_list)
    Dialogs(window).open_path("Open an image", str(folder), OPEN_FILTER)
    return sorted(listed)


def test_open_lists_photoshop_files_and_camera_names(window, tmp_path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("layered.psd", "IMG_0001.JPG", "photo.png", "notes.txt"):
        (folder / name).write_bytes(b"")
    expected = ["IMG_0001.JPG", "layered.psd", "photo.png"]
    assert listed_by_open(window, folder, len(expected)) == expected
