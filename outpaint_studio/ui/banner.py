"""A message strip across the top of the canvas: the error model's error, with one action."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from outpaint_studio.model.errors import ErrorModel, UserError

LEVEL_COLOURS = {
    "error": ("#fde7e7", "#8a1c1c", "#e8a3a3"),
    "warning": ("#fff4d6", "#6b4e00", "#e6cf8a"),
    "info": ("#e6f0ff", "#173f7a", "#a9c4ee"),
}


class Banner(QFrame):
    """Shows the error of an ErrorModel, and hides when it is cleared or dismissed; the action
    button emits ``action`` with its id.

    Signals:
        action(str): the action id given to :meth:`show_message`.
    """

    action = Signal(str)

    def __init__(self, errors: ErrorModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.errors = errors
        self.setObjectName("banner")
        self.setAccessibleName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton()
        self.button.setObjectName("bannerAction")
        self.button.setAccessibleName("bannerAction")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName("Dismiss")
        self.close_button.setToolTip("Dismiss")
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        layout.addWidget(self.close_button)
        self.button.clicked.connect(self._on_action)
        self.close_button.clicked.connect(errors.clear)
        self.kind = ""
        self._action = ""
        self.hide()
        errors.changed.connect(self._show)

    def _show(self, error: UserError | None) -> None:
        if error is None:
            self.hide()
        else:
            self.show_message(error.message, error.severity, error.action, error.action_text,
                              error.kind)  # fmt: skip

    def show_message(
        self, text: str, level: str = "error", action: str = "", action_text: str = "",
        kind: str = "",
    ) -> None:  # fmt: skip
        background, foreground, border = LEVEL_COLOURS.get(level, LEVEL_COLOURS["info"])
        self.setStyleSheet(
            f"QFrame#banner {{ background: {background}; border: 1px solid {border};"
            f" border-radius: 6px; }} QFrame#banner QLabel {{ color: {foreground}; }}"
        )
        self.kind = kind or level
        self.label.setText(text)
        self._action = action
        self.button.setText(action_text)
        self.button.setVisible(bool(action))
        self.show()

    def _on_action(self) -> None:
        action = self._action
        self.errors.clear()
        self.action.emit(action)
