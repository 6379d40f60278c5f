"""Binding a control to a model value, both ways (in the manner of krita-ai-diffusion's
``ui/properties.py``): the model's signal shows the value in the control without echoing it back,
and the user's edit writes it to the model. The one way panels follow their model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSignalBlocker, SignalInstance
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)

Accessors = tuple[Callable[[], Any], Callable[[Any], None], SignalInstance]


def _accessors(control: QWidget) -> Accessors:
    """The control's value getter, setter and edited signal."""
    if isinstance(control, QComboBox):

        def select(data: Any) -> None:  # fmt: skip
            index = control.findData(data)
            if index >= 0:
                control.setCurrentIndex(index)

        return control.currentData, select, control.currentIndexChanged
    if isinstance(control, QSpinBox | QDoubleSpinBox):
        return control.value, control.setValue, control.valueChanged
    if isinstance(control, QLineEdit):
        return control.text, control.setText, control.textChanged
    if isinstance(control, QAbstractButton):
        return control.isChecked, control.setChecked, control.toggled
    raise TypeError(f"cannot bind a {type(control).__name__}")


def bind(
    control: QWidget,
    changed: SignalInstance,
    read: Callable[[], Any],
    write: Callable[[Any], None] | None = None,
) -> None:
    """Show ``read()`` in ``control`` now and whenever ``changed`` fires; when the user edits
    the control, call ``write`` with its new value (no ``write``: the control only shows)."""
    get, put, edited = _accessors(control)

    def show(*_: object) -> None:
        value = read()
        if get() != value:
            with QSignalBlocker(control):
                put(value)

    changed.connect(show)
    if write is not None:
        edited.connect(lambda *_: write(get()))
    show()


__all__ = ["bind"]
