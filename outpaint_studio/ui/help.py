"""The Help menu's windows: the keyboard shortcuts and About."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from outpaint_studio import APP_NAME, __version__

# What the menus cannot show: gestures on the canvas, keys of the variations strip, of History
# and of the Formats results sheet.
CANVAS_KEYS = (
    ("Drag the photo", "Place it (snaps to edges, centre and the 16 px grid)"),
    ("Ctrl+drag (or Alt+drag)", "Place it freely, without snapping"),
    ("Drag a frame handle", "Resize the canvas"),
    ("Arrows / Shift+arrows", "Nudge the photo 1 px / 16 px"),
    ("Space+drag, middle drag", "Pan the view"),
    ("Wheel", "Zoom"),
    ("Hold \\ or Before/after", "See the source alone"),
    ("Esc", "Cancel the running job"),
    ("Enter / Delete on a variation", "Keep it / discard it"),
    ("Enter / Delete / R on a format's result", "Keep it / discard it / run that format again"),
    ("Delete in History", "Delete the selected result (asks first)"),
)


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """Each menu action that has keys, as (keys, what it does), then the canvas gestures."""
    rows = []
    for action in actions:
        name = action.text().replace("&", "").rstrip("…")
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        keys = [key for key in keys if key != name]  # a keyboard's own Redo key reads as a stutter
        if keys:
            rows.append((", ".join(keys), name))
    return rows + list(CANVAS_KEYS)


def shortcuts_dialog(parent: QWidget, actions: list[QAction]) -> QDialog:
    """A window listing every shortcut; shown without blocking the editor."""
    dialog = QDialog(parent)
    dialog.setObjectName("shortcutsDialog")
    dialog.setWindowTitle("Keyboard shortcuts")
    cells = "".join(
        f"<tr><td style='padding-right:16px'><b>{escape(keys)}</b></td><td>{escape(text)}</td></tr>"
        for keys, text in shortcut_rows(actions)
    )
    table = QLabel(f"<table>{cells}</table>")
    table.setObjectName("shortcutsTable")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    return dialog


def about_box(parent: QWidget) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle(f"About {APP_NAME}")
    box.setText(f"<b>{APP_NAME}</b> {__version__}")
    box.setInformativeText(
        "Extends images beyond their borders with Black Forest Labs' FLUX outpainting, or with "
        "the built-in offline engine."
    )
    return box
