"""Keys act on the canvas wherever the focus is: undo/redo, Space to pan, arrows to nudge."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def press_on_focus(qtbot, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press as the user makes it: delivered to whatever has the keyboard focus."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key, modifiers)


def expand(window, qtbot, name: str = "expand2") -> None:
    qtbot.mouseClick(window.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def test_after_clicking_extend_ctrl_z_undoes_the_canvas_not_the_variations_box(
    loaded, qtbot
) -> None:
    start = loaded.model.state.geometry
    expand(loaded, qtbot)
    expanded = loaded.model.state.geometry
    box = loaded.options_panel.variations
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "2")
    assert loaded.model.state.options.variations == 2
    with qtbot.waitSignal(loaded.jobs.finished, timeout=30000):
        qtbot.mouseClick(loaded.options_panel.extend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not loaded.jobs.is_running(), timeout=30000)
    box.setFocus()
    press_on_focus(qtbot, Qt.Key.Key_Z, CTRL)
    assert loaded.model.state.geometry == start
    assert loaded.model.state.options.variations == 2 and box.value() == 2
    press_on_focus(qtbot, Qt.Key.Key_Y, CTRL)  # Ctrl+Y redoes ...
    assert loaded.model.state.geometry == expanded
    press_on_focus(qtbot, Qt.Key.Key_Z, CTRL)
    press_on_focus(qtbot, Qt.Key.Key_Z, CTRL | SHIFT)  # ... and so does Ctrl+Shift+Z
    assert loaded.model.state.geometry == expanded


def test_after_clicking_extend_the_arrows_nudge_the_photo(loaded, qtbot) -> None:
    """Extend is disabled while its job runs: the focus goes to the canvas, not to the next
    control (the variations box, whose value the arrows would change)."""
    expand(loaded, qtbot)
    with qtbot.waitSignal(loaded.jobs.finished, timeout=30000):
        qtbot.mouseClick(loaded.options_panel.extend_button, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is loaded.canvas
    before = loaded.model.state.placement().x
    press_on_focus(qtbot, Qt.Key.Key_Right)
    assert loaded.model.state.placement().x == before + 1
    assert loaded.options_panel.variations.value() == 1


def test_extend_clicked_in_a_window_not_yet_active_also_leaves_the_focus_on_the_canvas(
    loaded, qtbot
) -> None:
    """On an X server without a window manager a click does not activate the window (and
    hasFocus stays false): the focus must still leave Extend for the canvas."""
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is other, timeout=5000)
    expand(loaded, qtbot)
    with qtbot.waitSignal(loaded.jobs.finished, timeout=30000):
        qtbot.mouseClick(loaded.options_panel.extend_button, Qt.MouseButton.LeftButton)
    assert not loaded.isActiveWindow()
    assert loaded.focusWidget() is loaded.canvas  # what keys reach once the window is active


def test_undo_from_a_spin_box_undoes_the_canvas_but_the_prompt_keeps_its_own(loaded, qtbot) -> None:
    start = loaded.model.state.geometry
    expand(loaded, qtbot)
    loaded.findChild(QSpinBox, "offsetX").setFocus()
    press_on_focus(qtbot, Qt.Key.Key_Z, CTRL)
    assert loaded.model.state.geometry == start
    prompt = loaded.options_panel.prompt
    loaded.model.set_options(engine="bfl")  # the prompt is for FLUX
    prompt.setFocus()
    qtbot.keyClicks(prompt, "sea")
    press_on_focus(qtbot, Qt.Key.Key_Z, CTRL)
    assert prompt.text() != "sea"  # the text's own undo
    assert loaded.model.undo_stack.index() == 0  # the canvas's redo is untouched
    assert loaded.model.undo_stack.canRedo()


def test_space_drag_pans_the_view_while_a_panel_button_has_the_focus(loaded, qtbot) -> None:
    view = loaded.canvas
    view.zoom_by(4)
    button = loaded.findChild(QPushButton, "centreH")
    button.setFocus()
    state = loaded.model.state
    before = view.mapToScene(view.viewport().rect().center())
    viewport = view.viewport()
    start = view.mapFromScene(view.source_item.sceneBoundingRect().center())
    QCursor.setPos(viewport.mapToGlobal(viewport.rect().center()))  # on the canvas: Space pans
    QTest.keyPress(button, Qt.Key.Key_Space)
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, left, none, start)
    QTest.mouseMove(viewport, start + QPoint(-30, 0))
    QTest.mouseRelease(viewport, left, none, start + QPoint(-30, 0))
    QTest.keyRelease(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert view.mapToScene(view.viewport().rect().center()).x() > before.x()
    assert loaded.model.state == state  # neither the drag nor the button moved the source
    assert loaded.model.undo_stack.count() == 0


def test_space_is_the_focused_controls_while_the_pointer_is_off_the_canvas(loaded, qtbot) -> None:
    """The keyboard alone: Tab to a check box or a button, Space ticks or clicks it."""
    QCursor.setPos(loaded.options_panel.mapToGlobal(QPoint(2, 2)))
    auto_crop = loaded.findChild(QCheckBox, "autoCropCheck")
    auto_crop.setFocus()
    press_on_focus(qtbot, Qt.Key.Key_Space)
    assert auto_crop.isChecked() and loaded.model.state.options.auto_crop
    expand(loaded, qtbot)
    centre = loaded.findChild(QPushButton, "centreH")
    loaded.model.set_offset(0, loaded.model.state.placement().y)
    centre.setFocus()
    press_on_focus(qtbot, Qt.Key.Key_Space)
    placed = loaded.model.state.placement()
    assert placed.x == (placed.canvas_width - placed.source_width) // 2 > 0


def test_arrows_nudge_the_source_while_a_placement_button_has_the_focus(loaded, qtbot) -> None:
    expand(loaded, qtbot)
    anchor = loaded.findChild(QToolButton, "anchor-top-left")
    qtbot.mouseClick(anchor, Qt.MouseButton.LeftButton)
    anchor.setFocus()
    press_on_focus(qtbot, Qt.Key.Key_Right)
    press_on_focus(qtbot, Qt.Key.Key_Down, SHIFT)
    placement = loaded.model.state.placement()
    assert (placement.x, placement.y) == (1, 16)
    assert QApplication.focusWidget() is anchor  # the focus did not move on


def test_tab_from_the_canvas_goes_straight_to_the_panels_first_control(loaded, qtbot) -> None:
    qtbot.mouseClick(loaded.canvas.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.waitUntil(loaded.canvas.hasFocus, timeout=3000)
    press_on_focus(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is loaded.findChild(QSpinBox, "canvasWidth")
    press_on_focus(qtbot, Qt.Key.Key_Backtab, SHIFT)
    assert QApplication.focusWidget() is loaded.canvas
