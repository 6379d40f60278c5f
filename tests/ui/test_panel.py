"""The parameter panel: presets, expand buttons, the 4 MP limit, scale, undo/redo."""

from __future__ import annotations

import pytest
from photos import make_photo
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)
from scripted_dialogs import ScriptedDialogs


def child(window, kind, name):
    found = window.findChild(kind, name)
    assert found is not None, name
    return found


def canvas_size(window) -> tuple[int, int]:
    return (child(window, QSpinBox, "canvasWidth").value(),
            child(window, QSpinBox, "canvasHeight").value())  # fmt: skip


# The offscreen platform says these when a combo box opens its list; they are not the app's.
POPUP_NOISE = pytest.mark.qt_log_ignore(
    r"This plugin does not support (raise|grabbing|propagateSizeHints)"
)


def grid(side: float) -> int:
    """The nearest multiple of 16 (halves go up)."""
    return int(side / 16 + 0.5) * 16


@POPUP_NOISE
def test_expand_and_aspect_presets(loaded, qtbot) -> None:
    start = canvas_size(loaded)
    qtbot.mouseClick(child(loaded, QPushButton, "expand1_5"), Qt.MouseButton.LeftButton)
    assert canvas_size(loaded) == (grid(start[0] * 1.5), grid(start[1] * 1.5))
    assert loaded.model.state.geometry.offset_x is None  # centred, sent as null
    combo = child(loaded, QComboBox, "aspectCombo")
    choose(qtbot, combo, "16:9")
    assert canvas_size(loaded) == (256, 144)  # the smallest exact 16:9 grid canvas around 160x128
    assert combo.currentText() == "16:9"
    assert combo.itemText(0) == "Aspect…"  # no stale ratio left in the list
    choose(qtbot, combo, "21:9")
    assert canvas_size(loaded) == (336, 144)  # 7:3
    assert combo.currentText() == "21:9"
    assert loaded.canvas.backdrop.rect().width() == canvas_size(loaded)[0]


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick an item as a user does: click the box, arrow down its list to the item, Enter."""
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=3000)
    row = combo.findText(text)
    assert row >= 0, text
    qtbot.keyClick(view, Qt.Key.Key_Home)
    for _ in range(row):
        qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=3000)


def test_expand_x1_25_does_something_even_on_the_default_canvas(loaded, qtbot) -> None:
    start = canvas_size(loaded)  # the default: 1.25 times the source
    qtbot.mouseClick(child(loaded, QPushButton, "expand1_25"), Qt.MouseButton.LeftButton)
    assert canvas_size(loaded) == (grid(start[0] * 1.25), grid(start[1] * 1.25))
    assert canvas_size(loaded) != start


@POPUP_NOISE
def test_presets_on_a_big_photo_always_land_on_a_size_that_can_be_sent(
    window, tmp_path, qtbot
) -> None:
    window.open_image(make_photo(tmp_path / "big.png", (1680, 1120)))
    qtbot.waitUntil(lambda: window.source is not None, timeout=10000)
    combo = child(window, QComboBox, "aspectCombo")
    extend = window.options_panel.extend_button
    note = child(window, QLabel, "presetNote")
    choose(qtbot, combo, "2:3")
    assert canvas_size(window) == (1664, 2496)  # 2:3 needs the source scaled to 99 %
    assert child(window, QDoubleSpinBox, "scaleSpin").value() == 99.0
    assert note.text() == "Source scaled to 99.0 % to keep the canvas under 4 MP"
    assert note.isVisible()
    for name, (rw, rh) in (("16:9", (16, 9)), ("9:16", (9, 16)), ("2:3", (2, 3))):
        choose(qtbot, combo, name)
        w, h = canvas_size(window)
        assert w * rh == h * rw and w * h <= 4 * 2**20, (name, w, h)
        assert extend.isEnabled(), (name, window.options_panel.reason.text())
        assert combo.currentText() == name
    for name in ("expand1_5", "expand2", "expand1_25"):
        before = window.model.state.geometry
        qtbot.mouseClick(child(window, QPushButton, name), Qt.MouseButton.LeftButton)
        w, h = canvas_size(window)
        assert w * h <= 4 * 2**20 and w % 16 == 0 and h % 16 == 0, (name, w, h)
        assert extend.isEnabled(), (name, window.options_panel.reason.text())
        assert window.model.state.geometry != before, name
    assert note.text().startswith("Source scaled to") and "under 4 MP" in note.text()
    width = child(window, QSpinBox, "canvasWidth")
    width.selectAll()
    qtbot.keyClicks(width, "1680")
    assert combo.currentText() == f"{1680 / canvas_size(window)[1]:.2f}:1"
    assert not note.isVisible()  # a size of the user's own: the preset's reason has gone


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


def test_a_centred_source_stays_centred_as_the_canvas_grows_and_the_tooltip_says_so(
    loaded, qtbot
) -> None:
    loaded.model.set_offset(0, 0)
    centre_h = child(loaded, QPushButton, "centreH")
    qtbot.mouseClick(centre_h, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(child(loaded, QPushButton, "expand2"), Qt.MouseButton.LeftButton)
    width = canvas_size(loaded)[0]
    assert child(loaded, QSpinBox, "offsetX").value() == (width - 160) // 2
    for widget in loaded.findChildren(QWidget):
        assert "null" not in widget.toolTip()  # the API's word, not the user's
    assert "stays centred" in centre_h.toolTip()


def test_every_named_control_has_its_accessible_name(window) -> None:
    from PySide6.QtWidgets import QWidget

    names = ["canvasView", "canvasWidth", "canvasHeight", "offsetX", "offsetY", "scaleSpin",
             "modeCombo", "formatCombo", "promptEdit", "safetySpin", "autoCropCheck",
             "engineCombo", "extendButton", "cancelButton", "saveButton"]  # fmt: skip
    for name in names:
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName() == name


def settings_dialog(qtbot, settings, workers=None, dialogs=None):  # type: ignore[no-untyped-def]
    from outpaint_studio.core.settings import KeyStore
    from outpaint_studio.model.workers import Workers
    from outpaint_studio.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(
        settings, KeyStore(), workers or Workers(), dialogs or ScriptedDialogs()
    )
    qtbot.addWidget(dialog)
    return dialog


def test_settings_browse_puts_the_chosen_folder_in_the_save_folder(qtbot, tmp_path) -> None:
    from outpaint_studio.core.settings import Settings

    settings, dialogs = Settings(output_dir=str(tmp_path)), ScriptedDialogs()
    dialog = settings_dialog(qtbot, settings, dialogs=dialogs)
    browse = dialog.findChild(QPushButton, "browseFolderButton")
    dialogs.answer("folder", "", str(tmp_path / "exports"))  # cancelled, then a folder chosen
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    assert dialog.folder.text() == str(tmp_path)  # a cancelled dialog changes nothing
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    dialog.accept()
    assert dialogs.asked == [("folder", "Output folder", str(tmp_path))] * 2
    assert settings.output_dir == str(tmp_path / "exports")


def check_key(dialog, qtbot, key: str) -> str:  # type: ignore[no-untyped-def]
    """Type ``key``, click "Check key", and wait for the answer; returns it."""
    dialog.key_edit.setText(key)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.check_button.isEnabled, timeout=10_000)
    return dialog.key_status.text()


def test_settings_check_key_shows_credits(sim, qtbot) -> None:
    from outpaint_studio.core.settings import KeyStore, Settings

    settings = Settings(region="custom", custom_api_url=sim.base_url)
    dialog = settings_dialog(qtbot, settings)
    assert check_key(dialog, qtbot, "test-key-5f1c0ffee") == "Key works: 1000 credits left"
    assert dialog.key_status.styleSheet() == ""
    dialog.accept()
    assert KeyStore().get() == "test-key-5f1c0ffee"


def test_settings_check_key_says_a_wrong_key_is_refused_without_showing_it(sim, qtbot) -> None:
    from outpaint_studio.core.settings import KeyStore, Settings

    settings = Settings(region="custom", custom_api_url=sim.base_url)
    dialog = settings_dialog(qtbot, settings)
    answer = check_key(dialog, qtbot, "wrong-key-5f1c0ffee")
    assert answer.startswith("The BFL API key was refused (HTTP ") and "\n" not in answer
    assert "5f1c0ffee" not in answer and "#c0392b" in dialog.key_status.styleSheet()
    assert check_key(dialog, qtbot, "test-key-5f1c0ffee") == "Key works: 1000 credits left"
    assert dialog.key_status.styleSheet() == ""
    dialog.reject()
    assert KeyStore().get() is None


def test_settings_check_key_against_no_server_says_so(qtbot) -> None:
    from outpaint_studio.core.settings import Settings

    settings = Settings(region="custom", custom_api_url="http://127.0.0.1:9")
    dialog = settings_dialog(qtbot, settings)
    assert check_key(dialog, qtbot, "test-key-5f1c0ffee") == "Cannot reach http://127.0.0.1:9."


def test_the_anchor_picker_shows_where_the_source_sits(loaded, qtbot) -> None:
    def checked() -> list[str]:
        buttons = loaded.findChildren(QToolButton)
        return sorted(b.objectName() for b in buttons if b.objectName().startswith("anchor-")
                      and b.isChecked())  # fmt: skip

    assert checked() == ["anchor-center"]  # a new image is centred
    top_left = child(loaded, QToolButton, "anchor-top-left")
    qtbot.mouseClick(top_left, Qt.MouseButton.LeftButton)
    assert checked() == ["anchor-top-left"]
    qtbot.mouseClick(top_left, Qt.MouseButton.LeftButton)  # again: it stays the active one
    assert checked() == ["anchor-top-left"]
    x = child(loaded, QSpinBox, "offsetX")
    x.selectAll()
    qtbot.keyClicks(x, "5")
    assert checked() == []  # placed by hand, at no anchor


def test_settings_speaks_the_panels_words_and_asks_for_a_key_before_checking(window, qtbot) -> None:
    from outpaint_studio.core.settings import Settings

    settings = Settings(mode="high", output_format="png")
    dialog = settings_dialog(qtbot, settings, window.workers)
    mode, fmt = dialog.mode, dialog.format
    assert (mode.currentText(), fmt.currentText()) == ("High quality", "PNG")
    words = lambda combo: [combo.itemText(i) for i in range(combo.count())]  # noqa: E731
    assert words(mode) == words(window.options_panel.mode)
    assert words(fmt) == words(window.options_panel.format)
    dialog.key_edit.clear()
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert dialog.key_status.text() == "Type or paste a key first"
    assert dialog.check_button.isEnabled()
    mode.setFocus()
    qtbot.keyClick(mode, Qt.Key.Key_Down)
    fmt.setFocus()
    qtbot.keyClick(fmt, Qt.Key.Key_End)
    dialog.accept()
    assert (settings.mode, settings.output_format) == ("fast", "webp")


def test_extend_is_refused_with_nothing_of_the_source_on_the_canvas(loaded, qtbot) -> None:
    x = child(loaded, QSpinBox, "offsetX")
    x.selectAll()
    qtbot.keyClicks(x, "5000")  # the photo dragged entirely off the canvas
    qtbot.mouseClick(loaded.layout_panel.auto_crop, Qt.MouseButton.LeftButton)
    assert loaded.model.state.options.auto_crop
    panel = loaded.options_panel
    assert not panel.extend_button.isEnabled()
    assert panel.reason.text() == "Nothing of the source is on the canvas: move it onto the canvas"
    qtbot.keyClick(loaded.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not loaded.jobs.is_running()


def test_a_typed_canvas_side_lands_on_the_grid_when_typing_ends(loaded, qtbot) -> None:
    width = child(loaded, QSpinBox, "canvasWidth")
    before = canvas_size(loaded)
    width.setFocus()
    width.selectAll()
    qtbot.keyClicks(width, "1000")
    assert loaded.model.state.geometry.canvas_width == 1000  # the view follows the typing
    qtbot.keyClick(width, Qt.Key.Key_Return)
    assert loaded.model.state.geometry.canvas_width == 1008  # the nearest 16 px step
    assert width.value() == 1008
    loaded.actions_.undo.trigger()  # typing and landing on the grid are one step
    assert canvas_size(loaded) == before


def test_a_failed_check_never_shows_the_key() -> None:
    from outpaint_studio.ui.cost_view import check_failure_text

    refused = ValueError("not an https URL: https://x?key=sk-5f1c0ffee")
    assert check_failure_text(refused, "sk-5f1c0ffee") == "not an https URL: https://x?key=…"


def test_extend_lightens_under_the_pointer_in_the_accent_colour(loaded, qtbot) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPalette

    button = child(loaded, QPushButton, "extendButton")

    def colour() -> QColor:
        return button.grab().toImage().pixelColor(4, button.height() // 2)

    accent = button.palette().color(QPalette.ColorRole.Highlight)
    assert colour() == accent
    qtbot.mouseMove(button, QPoint(4, 4))
    qtbot.waitUntil(button.underMouse, timeout=3000)
    hovered = colour()
    assert hovered != accent
    assert abs(hovered.hueF() - accent.hueF()) < 0.02  # the same blue, lighter, not pure blue
    assert hovered.lightnessF() > accent.lightnessF()


def shows_red(label: QLabel) -> bool:
    """Whether ``label`` is drawn in the warning red (some of its pixels are strongly red)."""
    image = label.grab().toImage()
    return any(
        (colour := image.pixelColor(x, y)).red() - max(colour.green(), colour.blue()) > 80
        for x in range(image.width())
        for y in range(image.height())
    )


def test_only_a_problem_to_fix_is_red_not_the_invitation_to_open_an_image(
    window, small_photo, qtbot
) -> None:
    reason = window.options_panel.reason
    assert reason.isVisible() and reason.text() == "Open or drop an image to start"
    assert not shows_red(reason)
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    for name, value in (("canvasWidth", "4096"), ("canvasHeight", "2048")):
        box = child(window, QSpinBox, name)
        box.selectAll()
        qtbot.keyClicks(box, value)
    assert "over the 4 MP limit" in reason.text()
    assert shows_red(reason)


def test_a_side_that_hangs_off_adds_nothing_rather_than_a_negative_count(loaded, qtbot) -> None:
    x = child(loaded, QSpinBox, "offsetX")
    x.selectAll()
    qtbot.keyClicks(x, "100")  # the 160 px source on the 208 px canvas: 52 px off the right
    added = child(loaded, QLabel, "addedReadout").text()
    assert added.startswith("Adds ← 100  ") and "→ 0  " in added
    assert "-" not in added


def test_a_typed_side_off_the_grid_is_rounded_and_the_note_says_so(loaded, qtbot) -> None:
    width = child(loaded, QSpinBox, "canvasWidth")
    note = child(loaded, QLabel, "presetNote")
    width.setFocus()
    width.selectAll()
    qtbot.keyClicks(width, "250")
    qtbot.keyClick(width, Qt.Key.Key_Return)
    assert canvas_size(loaded)[0] == 256
    assert note.isVisible() and note.text().startswith("Rounded to 256 × ")
    qtbot.mouseClick(child(loaded, QPushButton, "expand1_5"), Qt.MouseButton.LeftButton)
    assert not note.isVisible()
