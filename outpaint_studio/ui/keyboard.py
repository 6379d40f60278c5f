"""Keys that act on the canvas wherever the keyboard focus is in the editor window.

A focused control would otherwise take them for itself: a spin box undoes its own text on
Ctrl+Z, a button clicks on Space, a tool button moves the focus on the arrows. Space is the
canvas's only while the pointer is over it (hold Space, drag): elsewhere a button clicks and a
check box ticks on Space, as the keyboard alone needs.
"""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QCursor, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

ARROWS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
TEXT_FIELDS = (QLineEdit, QTextEdit, QPlainTextEdit)


def is_undo_key(event: QKeyEvent) -> bool:
    """Undo or redo: the platform's keys, Ctrl+Y or Ctrl+Shift+Z."""
    standard = QKeySequence.StandardKey
    if event.matches(standard.Undo) or event.matches(standard.Redo):
        return True
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    pressed = (event.key(), event.modifiers())
    return pressed in ((Qt.Key.Key_Y, ctrl), (Qt.Key.Key_Z, ctrl | shift))


class CanvasKeys(QObject):
    """An application event filter for one editor window (installed when made).

    - Undo and redo reach the window's Undo/Redo actions from any control but a text field (the
      prompt keeps Ctrl+Z for its own text).
    - Space held with the pointer over the canvas pans it with a drag, from any control but a
      text field.
    - The arrows nudge the source while a placement control (anchor, centre) has the focus.
    """

    def __init__(
        self, scope: QWidget, canvas: QWidget, placement_controls: Collection[QWidget]
    ) -> None:
        super().__init__(scope)
        self.scope = scope  # the window whose controls' keys are watched
        self.canvas = canvas
        self.placement_controls = placement_controls
        self._panning = False  # a Space press went to the canvas: so does its release
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def remove(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        if watched is not QApplication.focusWidget() or not self.scope.isAncestorOf(watched):
            return False  # not the focused control of this window (or a key passed up to a parent)
        if watched is self.canvas or isinstance(watched, TEXT_FIELDS):
            return False
        assert isinstance(event, QKeyEvent)
        if kind == QEvent.Type.ShortcutOverride:
            # Not accepted: the control does not claim the keys, so the window's shortcut runs.
            return is_undo_key(event)
        key = event.key()
        if key == Qt.Key.Key_Space and kind == QEvent.Type.KeyPress and not event.isAutoRepeat():
            self._panning = self._pointer_on_canvas()
        to_canvas = (key == Qt.Key.Key_Space and self._panning) or (
            key in ARROWS and watched in self.placement_controls
        )
        if to_canvas:
            forwarded = QKeyEvent(kind, key, event.modifiers(), event.text(), event.isAutoRepeat())
            QApplication.sendEvent(self.canvas, forwarded)
        return to_canvas

    def _pointer_on_canvas(self) -> bool:
        return self.canvas.rect().contains(self.canvas.mapFromGlobal(QCursor.pos()))
