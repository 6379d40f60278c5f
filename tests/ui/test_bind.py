"""ui/bind.py: a control shows its model value without echoing it back, and writes the user's
edits, for every kind of control the panels bind."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from outpaint_studio.ui.bind import bind


class Value(QObject):
    changed = Signal()

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value
        self.writes: list[Any] = []

    def set(self, value: Any) -> None:
        self.writes.append(value)
        self.value = value
        self.changed.emit()


def combo() -> QComboBox:
    box = QComboBox()
    for data in ("high", "fast"):
        box.addItem(data.title(), data)
    return box


@pytest.mark.parametrize(
    ("make", "first", "second", "edit"),
    [
        (combo, "high", "fast", lambda c: c.setCurrentIndex(0)),
        (QSpinBox, 3, 7, lambda c: c.setValue(5)),
        (QDoubleSpinBox, 12.5, 50.0, lambda c: c.setValue(25.0)),
        (QLineEdit, "sky", "sea", lambda c: c.setText("dunes")),
        (lambda: QCheckBox("on"), False, True, lambda c: c.setChecked(False)),
    ],
)
def test_a_bound_control_follows_the_model_and_writes_only_user_edits(
    qtbot, make, first, second, edit
) -> None:
    control: QWidget = make()
    qtbot.addWidget(control)
    model = Value(first)
    bind(control, model.changed, lambda: model.value, model.set)
    model.value = second
    model.changed.emit()  # the model changed: shown, not written back
    assert model.writes == []
    edit(control)  # the user's edit: written
    assert len(model.writes) == 1 and model.writes[0] == model.value != second


def test_a_control_bound_without_a_writer_only_shows(qtbot) -> None:
    box = QCheckBox()
    qtbot.addWidget(box)
    model = Value(True)
    bind(box, model.changed, lambda: model.value)
    assert box.isChecked()
    box.setChecked(False)
    assert model.writes == [] and model.value is True
