"""Menus, the toolbar and the shortcuts of the editor window.

The actions say what the user asked; the window connects the commands that are its own (Save,
Copy, Use as source, Settings, Quit, Extend, Cancel) to their ``triggered``, and opens what
``open_requested`` and ``image_pasted`` name. The view's own actions (zoom, fit, before/after)
act directly on the canvas; Undo/Redo on the undo group they are given, whose active stack is
the steps of the layout on the canvas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QImage, QKeySequence, QShortcut, QUndoGroup
from PySide6.QtWidgets import (
    QDockWidget,
    QMenu,
    QMenuBar,
    QSizePolicy,
    QStyle,
    QToolBar,
    QToolButton,
    QWidget,
)

from outpaint_studio import APP_NAME
from outpaint_studio.core.settings import Settings, dialog_folder, is_app_file
from outpaint_studio.ui.canvas import CanvasView, dropped_sources
from outpaint_studio.ui.dialogs import Dialogs
from outpaint_studio.ui.layered_export import LayeredExport

OPEN_FILTER = (
    "Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.bmp *.gif *.heic *.heif *.psd);;All (*)"
)

Keys = QKeySequence | QKeySequence.StandardKey | str | None


def _action(
    parent: QWidget,
    text: str,
    slot: Callable[[], object] | None = None,
    keys: Keys = None,
    icon: QStyle.StandardPixmap | None = None,
) -> QAction:
    action = QAction(text, parent)
    # a toolbar shows the text without its "&" and "…" (Qt drops the "…" itself only from 6.8)
    action.setIconText(text.replace("&", "").removesuffix("…"))
    if keys is not None:
        action.setShortcut(QKeySequence(keys))
    if icon is not None:
        action.setIcon(parent.style().standardIcon(icon))
    if slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    return action


def tell_keys(button: QAction, keys_of: QAction) -> None:
    """``button``'s tooltip names the key of ``keys_of`` (a toolbar's "Save (Ctrl+S)")."""
    key = keys_of.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    if key:
        button.setToolTip(f"{button.iconText()} ({key})")


class EditorActions(QObject):
    """Every action of the editor window, in its menus (on ``menu_bar``) and on ``toolbar``
    (which the window adds). ``layered`` adds its File actions; the ``docks`` can be shown from
    the end of the View menu (History, Formats, Formats: results).

    Signals:
        open_requested(str): a file or URL to open, chosen in File › Open or Open recent, or
            pasted.
        image_pasted(QImage): an image pasted from the clipboard.
    """

    open_requested = Signal(str)
    image_pasted = Signal(QImage)

    def __init__(
        self,
        parent: QWidget,
        menu_bar: QMenuBar,
        canvas: CanvasView,
        undo_group: QUndoGroup,
        settings: Settings,
        dialogs: Dialogs,
        layered: LayeredExport,
        docks: Sequence[QDockWidget],
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.settings = settings
        self.dialogs = dialogs
        std, pix = QKeySequence.StandardKey, QStyle.StandardPixmap
        self.open = _action(parent, "&Open…", self.open_dialog, std.Open, pix.SP_DialogOpenButton)
        canvas.open_requested.connect(self.open.trigger)  # the empty canvas's Open button
        self.paste = _action(parent, "&Paste image", self.paste_image, std.Paste)
        self.save = _action(parent, "&Save…", None, std.Save, pix.SP_DialogSaveButton)
        self.save.setObjectName("saveAction")
        self.copy = _action(parent, "&Copy", None, std.Copy)
        self.undo = undo_group.createUndoAction(parent, "&Undo")
        self.undo.setShortcut(QKeySequence(std.Undo))
        self.redo = undo_group.createRedoAction(parent, "&Redo")
        self.redo.setShortcuts(redo_keys())
        self.fit = _action(parent, "&Fit", canvas.fit, "Ctrl+0")
        self.actual = _action(parent, "&100 %", canvas.actual_size, "Ctrl+1")
        self.zoom_in = _action(parent, "Zoom &in", lambda: canvas.zoom_by(1.25), std.ZoomIn)
        self.zoom_out = _action(parent, "Zoom &out", lambda: canvas.zoom_by(0.8), std.ZoomOut)
        self.use_as_source = _action(parent, "Use as &source")
        self.settings_action = _action(parent, "Se&ttings…", None, std.Preferences)
        self.quit = _action(parent, "&Quit", None, std.Quit)
        self.extend = _action(parent, "&Extend")
        self.extend.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.cancel = QShortcut(QKeySequence(Qt.Key.Key_Escape), parent)
        self.recent = QMenu("Open &recent", parent)
        self.recent.aboutToShow.connect(self.fill_recent)
        self.compare = QToolButton()
        self._build_menus(menu_bar, layered, docks)
        self.toolbar = self._build_toolbar(canvas, undo_group)

    def _build_menus(
        self, bar: QMenuBar, layered: LayeredExport, docks: Sequence[QDockWidget]
    ) -> None:
        file_menu = bar.addMenu("&File")
        for item in (self.open, self.paste):
            file_menu.addAction(item)
        file_menu.addMenu(self.recent)
        file_menu.addSeparator()
        for item in (self.save, self.copy, self.use_as_source):
            file_menu.addAction(item)
        layered.add_actions(file_menu)  # Export layers…, Export mask…, Open layers in…
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        edit_menu = bar.addMenu("&Edit")
        for item in (self.undo, self.redo):
            edit_menu.addAction(item)
        edit_menu.addSeparator()
        edit_menu.addAction(self.extend)
        edit_menu.addSeparator()
        edit_menu.addAction(self.settings_action)
        view_menu = bar.addMenu("&View")
        for item in (self.fit, self.actual, self.zoom_in, self.zoom_out):
            view_menu.addAction(item)
        help_menu = bar.addMenu("&Help")
        listed = [self.open, self.paste, self.save, self.copy, self.undo, self.redo, self.extend,
                  self.settings_action, self.quit, self.fit, self.actual, self.zoom_in,
                  self.zoom_out]  # fmt: skip
        shortcuts = _action(self.parent_widget, "&Keyboard shortcuts",
                            lambda: self.show_help("shortcuts", listed),
                            QKeySequence.StandardKey.HelpContents)  # fmt: skip
        shortcuts.setObjectName("shortcutsAction")
        about = _action(self.parent_widget, f"&About {APP_NAME}",
                        lambda: self.show_help("about", listed))  # fmt: skip
        about.setObjectName("aboutAction")
        help_menu.addAction(shortcuts)
        help_menu.addAction(about)
        view_menu.addSeparator()
        for dock in docks:  # brings a closed dock back
            view_menu.addAction(dock.toggleViewAction())

    def _build_toolbar(self, canvas: CanvasView, undo_group: QUndoGroup) -> QToolBar:
        parent, pix = self.parent_widget, QStyle.StandardPixmap
        bar = QToolBar("Main", parent)
        bar.setObjectName("mainToolBar")
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addAction(self.open)
        bar.addSeparator()
        bar_undo = _action(parent, "Undo", undo_group.undo, None, pix.SP_ArrowBack)
        bar_redo = _action(parent, "Redo", undo_group.redo, None, pix.SP_ArrowForward)
        bar_undo.setEnabled(False)
        bar_redo.setEnabled(False)
        undo_group.canUndoChanged.connect(bar_undo.setEnabled)
        undo_group.canRedoChanged.connect(bar_redo.setEnabled)
        bar.addAction(bar_undo)
        bar.addAction(bar_redo)
        bar.addSeparator()
        bar.addAction(self.fit)
        bar.addAction(self.actual)
        bar.addSeparator()
        compare = self.compare
        compare.setText("Before/after")
        compare.setObjectName("compareButton")
        compare.setAccessibleName("compareButton")
        compare.setToolTip("Hold to see the source alone (or hold \\ on the canvas)")
        compare.pressed.connect(lambda: canvas.set_compare(True))
        compare.released.connect(lambda: canvas.set_compare(False))
        bar.addWidget(compare)
        bar.addAction(self.use_as_source)
        bar.addSeparator()
        bar.addAction(self.save)
        save_button = bar.widgetForAction(self.save)
        save_button.setObjectName("saveButton")
        save_button.setAccessibleName("saveButton")
        bar.addAction(self.copy)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addAction(self.settings_action)
        for action in (self.open, self.fit, self.actual, self.save, self.copy,
                       self.settings_action):  # fmt: skip
            tell_keys(action, action)
        tell_keys(bar_undo, self.undo)
        tell_keys(bar_redo, self.redo)
        return bar

    def show_help(self, which: str, listed: list[QAction]) -> None:
        """The shortcuts or About window, shown without blocking; one of each at a time."""
        from outpaint_studio.ui.help import about_box, shortcuts_dialog

        parent = self.parent_widget
        name = "shortcutsDialog" if which == "shortcuts" else "aboutBox"
        window = parent.findChild(QWidget, name)
        if window is None:
            window = shortcuts_dialog(parent, listed) if which == "shortcuts" else about_box(parent)
        window.show()

    def open_dialog(self) -> None:
        """File › Open starts where the user last opened an image, never in the app's folders."""
        start = next((p for p in self.settings.recent_files if not is_app_file(p)), None)
        folder = str(dialog_folder(start))
        path = self.dialogs.open_path("Open an image", folder, OPEN_FILTER)
        if path:
            self.open_requested.emit(path)

    def paste_image(self) -> None:
        """Ctrl+V: an image file or URL from the clipboard, else the image itself."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return
        sources = dropped_sources(mime.urls()) if mime.hasUrls() else []
        text = mime.text().strip() if mime.hasText() else ""
        if sources:
            self.open_requested.emit(sources[0])
        elif mime.hasImage():
            self.image_pasted.emit(QGuiApplication.clipboard().image())
        elif text.startswith(("http://", "https://")) or (text and Path(text).is_file()):
            self.open_requested.emit(text)

    def fill_recent(self) -> None:
        menu, recent_files = self.recent, self.settings.recent_files
        menu.clear()
        for path in recent_files:
            action = menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_requested.emit(p))
        if not recent_files:
            menu.addAction("No recent files").setEnabled(False)


def redo_keys() -> list[QKeySequence]:
    """The platform's Redo keys, plus Ctrl+Y and Ctrl+Shift+Z, each once."""
    keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    for extra in ("Ctrl+Y", "Ctrl+Shift+Z"):
        if QKeySequence(extra) not in keys:
            keys.append(QKeySequence(extra))
    return keys
