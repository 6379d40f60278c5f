"""The Qt binding keeps Python's reference counts: PySide6 6.12.0 on Python 3.11 dropped one
reference to None on every void call and one to True on every signal emit, until the interpreter
aborted (none_dealloc, bool_dealloc) in the app or when pytest exited."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QLabel, QSpinBox

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None, True and False are immortal from Python 3.12"
)

CALLS = 500
MARGIN = 25  # references the interpreter itself may let go of meanwhile


class Emitter(QObject):
    changed = Signal(int)


def assert_keeps_references(call: Callable[[int], object]) -> None:
    """``call`` made CALLS times leaves None, True and False with the references they had.

    Checked after each call, so a leaking binding fails here before the interpreter aborts."""
    singletons = {"None": None, "True": True, "False": False}
    before = {name: sys.getrefcount(value) for name, value in singletons.items()}
    for i in range(CALLS):
        call(i)
        for name, value in singletons.items():
            lost = before[name] - sys.getrefcount(value)
            assert lost <= MARGIN, f"{lost} references to {name} lost after {i + 1} calls"


def test_void_calls_keep_references(qapp: object) -> None:
    scene = QGraphicsScene()
    item = QGraphicsPixmapItem()
    scene.addItem(item)
    spin = QSpinBox()
    spin.setRange(0, CALLS)
    label = QLabel()

    assert_keeps_references(lambda i: item.setPos(i, i))
    assert_keeps_references(spin.setValue)
    assert_keeps_references(lambda i: label.setText(str(i)))
    assert_keeps_references(lambda i: label.setVisible(i % 2 == 0))


def test_signal_emits_keep_references(qapp: object) -> None:
    emitter = Emitter()
    received: list[int] = []
    emitter.changed.connect(received.append)

    assert_keeps_references(emitter.changed.emit)
    assert received == list(range(CALLS))
