"""Full-resolution output, paste-back and the blend band, driven through the editor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QDialogButtonBox, QSpinBox

from outpaint_studio.core.jobs import JobRecord, Journal
from outpaint_studio.core.settings import journal_dir, load_settings

DRIFT = 6


@pytest.fixture
def drifting(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A FLUX key pointing at a simulator that alters the source region by ``DRIFT``."""
    from bfl_sim import BflSimulator

    with BflSimulator(api_key="test-key", drift=DRIFT) as sim:
        monkeypatch.setenv("BFL_API_KEY", "test-key")
        monkeypatch.setenv("OUTPAINT_STUDIO_API_URL", sim.base_url)
        yield sim


def load(window, path: Path, qtbot) -> None:
    window.open_image(path)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)


def extend_and_wait(window, qtbot) -> JobRecord:
    with qtbot.waitSignal(window.jobs.finished, timeout=30000) as blocker:
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.jobs.is_running(), timeout=5000)
    key = blocker.args[0].key
    (record,) = [r for r in Journal(journal_dir()).records() if r.key == key]
    assert record.state.value == "saved", record.error
    return record


def full_res_check(window) -> QCheckBox:
    return window.findChild(QCheckBox, "fullResCheck")


def set_scale(window, percent: float) -> None:
    window.layout_panel.scale_spin.setValue(percent)


def pixels(path: str | Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def change_settings(window, qtbot, paste_back: bool, feather: int) -> None:
    """Open Settings as the user does, set paste-back and the blend band, and Save."""
    seen: list[bool] = []

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        dialog.findChild(QCheckBox, "pasteBackCheck").setChecked(paste_back)
        band = dialog.findChild(QSpinBox, "featherSpin")
        assert band.isEnabled() == paste_back
        if paste_back:
            band.setValue(feather)
        buttons = dialog.findChild(QDialogButtonBox)
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
        seen.append(True)

    QTimer.singleShot(0, fill_in)
    window.open_settings()
    assert seen


def test_checkbox_is_disabled_at_100_percent_and_remembers_the_choice(
    loaded, small_photo, qtbot
) -> None:
    check = full_res_check(loaded)
    readout = loaded.layout_panel.output_size
    assert check.accessibleName() == "fullResCheck"
    assert not check.isEnabled() and not check.isChecked()
    assert loaded.model.state.job_params().full_res is False
    assert readout.text() == "Output 208 × 160 px (0.03 MP)"
    set_scale(loaded, 50.0)
    assert check.isEnabled() and check.isChecked()  # the default for a scaled source
    assert loaded.model.state.job_params().full_res is True
    assert readout.text() == "Output 416 × 320 px (0.13 MP)"
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    assert not check.isChecked() and loaded.model.state.job_params().full_res is False
    assert readout.text() == "Output 208 × 160 px (0.03 MP)"
    set_scale(loaded, 100.0)
    assert not check.isEnabled() and not check.isChecked()
    load(loaded, small_photo, qtbot)  # another source: the choice stays
    set_scale(loaded, 50.0)
    assert check.isEnabled() and not check.isChecked()


def test_full_res_keeps_the_original_exact_outside_the_band(
    drifting, window, small_photo, qtbot
) -> None:
    assert window.model.state.options.engine == "bfl"
    load(window, small_photo, qtbot)
    set_scale(window, 50.0)
    assert full_res_check(window).isChecked()
    state = window.model.state
    placement, (cw, ch) = state.placement(), state.output_size()
    record = extend_and_wait(window, qtbot)
    out, original = pixels(record.output_path), pixels(small_photo)
    assert out.shape[:2] == (ch, cw) == (320, 416)  # the canvas at 1/scale
    h, w = original.shape[:2]
    x, y = round(placement.x / 0.5), round(placement.y / 0.5)
    band = round(8 / 0.5)  # the default 8 px band, at full resolution
    inner = out[y + band : y + h - band, x + band : x + w - band]
    assert np.array_equal(inner, original[band:-band, band:-band])
    assert pixels(record.history_path).shape[:2] == (160, 208)  # FLUX's own, at canvas size
    assert record.source_change and 0 < record.source_change["mean"] <= DRIFT
    assert window.options_panel.status.text().startswith("Done · ")
    change = window.options_panel.status.toolTip()
    assert change.startswith("FLUX changed the original by ")
    assert change.endswith("; your pixels were put back")
    assert window.canvas.result_item.sceneBoundingRect().width() == pytest.approx(208)


def test_unchecked_full_res_gives_the_canvas_size(window, small_photo, qtbot) -> None:
    assert window.model.state.options.engine == "local"
    load(window, small_photo, qtbot)
    set_scale(window, 50.0)
    qtbot.mouseClick(full_res_check(window), Qt.MouseButton.LeftButton)
    record = extend_and_wait(window, qtbot)
    assert record.params.full_res is False
    out = pixels(record.output_path)
    assert out.shape[:2] == (160, 208)
    assert window.options_panel.status.toolTip() == "The offline engine left the original untouched"


def test_settings_blend_band_and_paste_back_off(drifting, window, small_photo, qtbot) -> None:
    load(window, small_photo, qtbot)
    change_settings(window, qtbot, paste_back=True, feather=0)
    assert (load_settings().paste_back, load_settings().feather) == (True, 0)
    record = extend_and_wait(window, qtbot)  # 100 %: a hard paste, the whole source exact
    assert (record.params.paste_back, record.params.feather) == (True, 0)
    placement, original = window.model.state.placement(), pixels(small_photo)
    h, w = original.shape[:2]
    out = pixels(record.output_path)
    assert np.array_equal(out[placement.y : placement.y + h, placement.x : placement.x + w],
                          original)  # fmt: skip

    change_settings(window, qtbot, paste_back=False, feather=0)
    assert load_settings().paste_back is False
    record = extend_and_wait(window, qtbot)
    assert record.params.paste_back is False and record.source_change is None
    assert Path(record.output_path).read_bytes() == Path(record.history_path).read_bytes()
    assert "Saved as the engine returned it" in window.options_panel.status.toolTip()


def test_the_full_res_choice_survives_a_restart(window, qtbot) -> None:
    from outpaint_studio.ui import MainWindow

    window.model.set_options(full_res=False)
    window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.model.state.options.full_res is False
