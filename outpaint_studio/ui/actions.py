"""Menus, the toolbar and the shortcuts of the editor window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QMenu,
    QSizePolicy,
    QStyle,
    QToolBar,
    QToolButton,
    QWidget,
)

from outpaint_studio import APP_NAME
from outpaint_studio.core.settings import dialog_folder, is_app_file
from outpaint_studio.ui.layered_export import LayeredExport

if TYPE_CHECKING:
    from outpaint_studio.ui.main_window import MainWindow

OPEN_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.bmp *.gif *.heic *.heif);;All (*)"


@dataclass
class Actions:
    open: QAction
    paste: QAction
    save: QAction
    copy: QAction
    undo: QAction
    redo: QAction
    fit: QAction
    actual: QAction
    use_as_source: QAction
    settings: QAction
    compare: QToolButton
    recent: QMenu


Keys = QKeySequence | QKeySequence.StandardKey | str | None


def _action(
    window: QWidget,
    text: str,
    slot: Callable[[], object],
    keys: Keys = None,
    icon: QStyle.StandardPixmap | None = None,
) -> QAction:
    action = QAction(text, window)
    if keys is not None:
        action.setShortcut(QKeySequence(keys))
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    action.triggered.connect(lambda _checked=False: slot())
    return action


def build_actions(w: MainWindow) -> Actions:
    std = QKeySequence.StandardKey
    pix = QStyle.StandardPixmap
    open_ = _action(w, "&Open…", lambda: open_dialog(w), std.Open, pix.SP_DialogOpenButton)
    w.canvas.open_requested.connect(open_.trigger)  # the empty canvas's Open button
    paste = _action(w, "&Paste image", lambda: paste_image(w), std.Paste)
    save = _action(w, "&Save…", w.results.save, std.Save, pix.SP_DialogSaveButton)
    copy = _action(w, "&Copy", w.copy_result, std.Copy)
    undo = w.model.undo_stack.createUndoAction(w, "&Undo")
    undo.setShortcut(QKeySequence(std.Undo))
    redo = w.model.undo_stack.createRedoAction(w, "&Redo")
    redo.setShortcuts(redo_keys())
    fit = _action(w, "&Fit", w.canvas.fit, "Ctrl+0")
    actual = _action(w, "&100 %", w.canvas.actual_size, "Ctrl+1")
    zoom_in = _action(w, "Zoom &in", lambda: w.canvas.zoom_by(1.25), std.ZoomIn)
    zoom_out = _action(w, "Zoom &out", lambda: w.canvas.zoom_by(0.8), std.ZoomOut)
    use = _action(w, "Use as &source", w.results.use_as_source)
    settings = _action(w, "Se&ttings…", w.open_settings, std.Preferences)
    quit_ = _action(w, "&Quit", w.close, std.Quit)
    extend = _action(w, "&Extend", w.extend)
    extend.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    cancel = QShortcut(QKeySequence(Qt.Key.Key_Escape), w)
    cancel.activated.connect(w.cancel)
    save.setObjectName("saveAction")
    recent = QMenu("Open &recent", w)
    recent.aboutToShow.connect(lambda: fill_recent(w, recent))

    file_menu = w.menuBar().addMenu("&File")
    for item in (open_, paste):
        file_menu.addAction(item)
    file_menu.addMenu(recent)
    file_menu.addSeparator()
    for item in (save, copy, use):
        file_menu.addAction(item)
    LayeredExport(w).add_actions(file_menu)  # Export layers…, Export mask…, Open layers in…
    file_menu.addSeparator()
    file_menu.addAction(quit_)
    edit_menu = w.menuBar().addMenu("&Edit")
    for item in (undo, redo):
        edit_menu.addAction(item)
    edit_menu.addSeparator()
    edit_menu.addAction(extend)
    edit_menu.addSeparator()
    edit_menu.addAction(settings)
    view_menu = w.menuBar().addMenu("&View")
    for item in (fit, actual, zoom_in, zoom_out):
        view_menu.addAction(item)
    help_menu = w.menuBar().addMenu("&Help")
    listed = [open_, paste, save, copy, undo, redo, extend, settings, quit_, fit, actual,
              zoom_in, zoom_out]  # fmt: skip
    shortcuts = _action(w, "&Keyboard shortcuts", lambda: show_help(w, "shortcuts", listed),
                        std.HelpContents)  # fmt: skip
    shortcuts.setObjectName("shortcutsAction")
    about = _action(w, f"&About {APP_NAME}", lambda: show_help(w, "about", listed))
    about.setObjectName("aboutAction")
    help_menu.addAction(shortcuts)
    help_menu.addAction(about)
    view_menu.addSeparator()
    view_menu.addAction(w.history_dock.toggleViewAction())  # brings a closed History back
    view_menu.addAction(w.formats.dock.toggleViewAction())  # one photo, every format

    bar = QToolBar("Main")
    bar.setObjectName("mainToolBar")
    bar.setMovable(False)
    bar.setIconSize(QSize(18, 18))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    w.addToolBar(bar)
    bar.addAction(open_)
    bar.addSeparator()
    stack = w.model.undo_stack
    bar_undo = _action(w, "Undo", stack.undo, None, pix.SP_ArrowBack)
    bar_redo = _action(w, "Redo", stack.redo, None, pix.SP_ArrowForward)
    bar_undo.setEnabled(False)
    bar_redo.setEnabled(False)
    stack.canUndoChanged.connect(bar_undo.setEnabled)
    stack.canRedoChanged.connect(bar_redo.setEnabled)
    bar.addAction(bar_undo)
    bar.addAction(bar_redo)
    bar.addSeparator()
    bar.addAction(fit)
    bar.addAction(actual)
    bar.addSeparator()
    compare = QToolButton()
    compare.setText("Before/after")
    compare.setObjectName("compareButton")
    compare.setAccessibleName("compareButton")
    compare.setToolTip("Hold to see the source alone (or hold \\ on the canvas)")
    compare.pressed.connect(lambda: w.canvas.set_compare(True))
    compare.released.connect(lambda: w.canvas.set_compare(False))
    bar.addWidget(compare)
    bar.addAction(use)
    bar.addSeparator()
    bar.addAction(save)
    save_button = bar.widgetForAction(save)
    save_button.setObjectName("saveButton")
    save_button.setAccessibleName("saveButton")
    bar.addAction(copy)
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    bar.addWidget(spacer)
    bar.addAction(settings)
    return Actions(open_, paste, save, copy, undo, redo, fit, actual, use, settings, compare,
                   recent)  # fmt: skip


def redo_keys() -> list[QKeySequence]:
    """The platform's Redo keys, plus Ctrl+Y and Ctrl+Shift+Z, each once."""
    keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    for extra in ("Ctrl+Y", "Ctrl+Shift+Z"):
        if QKeySequence(extra) not in keys:
            keys.append(QKeySequence(extra))
    return keys


def show_help(w: MainWindow, which: str, listed: list[QAction]) -> None:
    """The shortcuts or About window, shown without blocking; one of each at a time."""
    from outpaint_studio.ui.help import about_box, shortcuts_dialog

    name = "shortcutsDialog" if which == "shortcuts" else "aboutBox"
    window = w.findChild(QWidget, name)
    if window is None:
        window = shortcuts_dialog(w, listed) if which == "shortcuts" else about_box(w)
    window.show()


def open_dialog(w: MainWindow) -> None:
    """File › Open starts where the user last opened an image, never in the app's own folders."""
    start = next((p for p in w.settings.recent_files if not is_app_file(p)), None)
    folder = str(dialog_folder(start))
    path, _ = QFileDialog.getOpenFileName(w, "Open an image", folder, OPEN_FILTER)
    if path:
        w.open_image(path)


def paste_image(w: MainWindow) -> None:
    """Ctrl+V: an image file or URL from the clipboard, else the image itself."""
    mime = QGuiApplication.clipboard().mimeData()
    if mime is None:
        return
    from outpaint_studio.ui.canvas import dropped_sources

    sources = dropped_sources(mime.urls()) if mime.hasUrls() else []
    text = mime.text().strip() if mime.hasText() else ""
    if sources:
        w.open_image(sources[0])
    elif mime.hasImage():
        w.open_qimage(QGuiApplication.clipboard().image())
    elif text.startswith(("http://", "https://")) or (text and Path(text).is_file()):
        w.open_image(text)


def fill_recent(w: MainWindow, menu: QMenu) -> None:
    menu.clear()
    for path in w.settings.recent_files:
        action = menu.addAction(Path(path).name)
        action.setToolTip(path)
        action.triggered.connect(lambda _c=False, p=path: w.open_image(p))
    if not w.settings.recent_files:
        menu.addAction("No recent files").setEnabled(False)
