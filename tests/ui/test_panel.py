"""The parameter panel: presets, expand buttons, the 4 MP limit, scale, undo/redo."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QPushButton, QSpinBox, QToolButton

from outpaint_studio.core.layout import canvas_for_aspect, expand_around


def child(window, kind, name):
    found = window.findChild(kind, name)
    assert found is not None, name
    return found


def canvas_size(window) -> tuple[int, int]:
    return (child(window, QSpinBox, "canvasWidth").value(),
            child(window, QSpinBox, "canvasHeight").value())  # fmt: skip


def test_expand_and_aspect_presets(loaded, qtbot) -> None:
    qtbot.mouseClick(child(loaded, QPushButton, "expand1_5"), Qt.MouseButton.LeftButton)
    assert canvas_size(loaded) == expand_around(160, 128, 1.5) == (240, 192)
    assert loaded.model.state.geometry.offset_x is None  # centred, sent as null
    combo = child(loaded, QComboBox, "aspectCombo")
    index = combo.findText("16:9")
    combo.activated.emit(index)
    assert canvas_size(loaded) == canvas_for_aspect(160, 128, 16, 9)
    assert loaded.canvas.backdrop.rect().width() == canvas_size(loaded)[0]


def test_over_4_mp_disables_extend_with_the_reason_and_fit_fixes_it(loaded, qtbot) -> None:
    width = child(loaded, QSpinBox, "canvasWidth")
    width.selectAll()
    qtbot.keyClicks(width, "4096")
    height = child(loaded, QSpinBox, "canvasHeight")
    height.selectAll()
    qtbot.keyClicks(height, "2048")
    extend = loaded.options_panel.extend_button
    assert not extend.isEnabled()
    assert "over the 4 MP limit" in loaded.options_panel.reason.text()
    assert "over 4 MP" in loaded.layout_panel.readout.text()
    fit = child(loaded, QPushButton, "fitButton")
    assert fit.isEnabled()
    qtbot.mouseClick(fit, Qt.MouseButton.LeftButton)
    w, h = canvas_size(loaded)
    assert w * h <= 4_194_304
    assert child(loaded, QDoubleSpinBox, "scaleSpin").value() < 100
    assert extend.isEnabled(), loaded.options_panel.reason.text()


def test_scale_changes_the_source_size_on_the_canvas(loaded, qtbot) -> None:
    box = child(loaded, QDoubleSpinBox, "scaleSpin")
    box.selectAll()
    qtbot.keyClicks(box, "50")
    assert loaded.model.state.scaled_source == (80, 64)
    assert loaded.canvas.source_item.sceneBoundingRect().width() == 80
    assert loaded.model.state.job_params().scale == 0.5


def test_undo_and_redo_canvas_placement_and_scale(loaded, qtbot) -> None:
    start = loaded.model.state.geometry
    qtbot.mouseClick(child(loaded, QPushButton, "expand2"), Qt.MouseButton.LeftButton)
    expanded = loaded.model.state.geometry
    qtbot.mouseClick(child(loaded, QToolButton, "anchor-top-left"), Qt.MouseButton.LeftButton)
    assert loaded.canvas.source_item.pos().toTuple() == (0, 0)
    loaded.model.set_scale(0.5)
    undo, redo = loaded.actions_.undo, loaded.actions_.redo
    undo.trigger()
    assert loaded.model.state.geometry.scale == 1.0
    undo.trigger()
    assert loaded.model.state.geometry == expanded
    assert child(loaded, QSpinBox, "offsetX").value() == loaded.model.state.placement().x
    undo.trigger()
    assert loaded.model.state.geometry == start
    assert canvas_size(loaded) == (start.canvas_width, start.canvas_height)
    redo.trigger()
    assert loaded.model.state.geometry == expanded
    qtbot.keyClick(loaded, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert loaded.model.state.geometry == start


def test_centre_buttons_send_null(loaded, qtbot) -> None:
    loaded.model.set_offset(0, 0)
    centre_h = child(loaded, QPushButton, "centreH")
    assert not centre_h.isChecked()
    qtbot.mouseClick(centre_h, Qt.MouseButton.LeftButton)
    request = loaded.model.state.request()
    assert request.reference_offset_x is None and request.reference_offset_y == 0
    assert child(loaded, QSpinBox, "offsetX").value() == (208 - 160) // 2


def test_every_named_control_has_its_accessible_name(window) -> None:
    from PySide6.QtWidgets import QWidget

    names = ["canvasView", "canvasWidth", "canvasHeight", "offsetX", "offsetY", "scaleSpin",
             "modeCombo", "formatCombo", "promptEdit", "safetySpin", "autoCropCheck",
             "engineCombo", "extendButton", "cancelButton", "saveButton"]  # fmt: skip
    for name in names:
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName() == name


def test_settings_check_key_shows_credits(sim, qtbot) -> None:
    from outpaint_studio.core.settings import KeyStore, Settings
    from outpaint_studio.ui.settings_dialog import SettingsDialog

    settings = Settings(region="custom", custom_api_url=sim.base_url)
    dialog = SettingsDialog(settings, KeyStore())
    qtbot.addWidget(dialog)
    dialog.key_edit.setText("test-key-5f1c0ffee")
    with qtbot.waitSignal(dialog._check.answered if dialog._check else dialog.check_button.clicked,
                          timeout=5000, raising=False):  # fmt: skip
        qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "credits" in dialog.key_status.text(), timeout=5000)
    dialog.accept()
    assert KeyStore().get() == "test-key-5f1c0ffee"
