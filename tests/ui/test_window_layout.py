"""The window at the sizes users have: the Extend area stays in view whatever the panel holds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QSpinBox, QWidget


def fully_visible(widget: QWidget, window: QWidget) -> bool:
    """Shown, not clipped by any scroll area, and inside the window."""
    if not widget.isVisible() or widget.visibleRegion().boundingRect() != widget.rect():
        return False
    return window.rect().contains(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()))


def type_into(qtbot, box: QSpinBox, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Tab)


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_the_extend_area_stays_in_view_with_every_warning_shown(loaded, qtbot, size) -> None:
    loaded.resize(*size)
    qtbot.waitUntil(lambda: loaded.size().toTuple() == size, timeout=3000)
    panel = loaded.options_panel
    type_into(qtbot, loaded.findChild(QSpinBox, "canvasHeight"), "6000")
    type_into(qtbot, loaded.findChild(QSpinBox, "canvasWidth"), "1000")  # over 4 MP
    type_into(qtbot, loaded.findChild(QSpinBox, "offsetX"), "950")  # hangs off the right
    loaded.model.set_options(variations=3)
    assert "over 4 MP" in loaded.layout_panel.readout.text()
    assert loaded.layout_panel.overhang.text()
    assert panel.reason.isVisible() and panel.reason.text()

    def in_view() -> bool:
        controls = (panel.extend_button, panel.variations, panel.cancel_button, panel.reason,
                    panel.estimate)  # fmt: skip
        return all(fully_visible(control, loaded) for control in controls)

    qtbot.waitUntil(in_view, timeout=3000)
