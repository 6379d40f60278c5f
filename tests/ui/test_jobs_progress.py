"""An offline Extend in the editor: the status moves at least every half second while the fill
runs, and the result is on the canvas while it is still being written."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

from photos import make_photo
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSpinBox

from outpaint_studio.core import output
from outpaint_studio.core.jobs import Journal
from outpaint_studio.core.settings import journal_dir

MAX_GAP = 0.5  # seconds without a word on the status line while generating


def test_the_status_moves_at_least_every_half_second_during_an_offline_fill(
    window, qtbot, tmp_path: Path
) -> None:
    window.open_image(make_photo(tmp_path / "photo.png", (640, 480)))
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    for name, value in (("canvasWidth", "1024"), ("canvasHeight", "768")):
        spin = window.findChild(QSpinBox, name)
        spin.selectAll()
        qtbot.keyClicks(spin, value)
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert window.model.state.geometry.canvas_width == 1024
    seen: list[tuple[float, str]] = []
    window.jobs.status.connect(lambda text, percent: seen.append((time.monotonic(), text)))
    with qtbot.waitSignal(window.jobs.finished, timeout=120000):
        qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    generating = [(at, text) for at, text in seen if text.startswith("Generating")]
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(generating)]
    assert max(gaps) <= MAX_GAP, f"the status stood still for {max(gaps):.2f} s"
    percents = [int(text.split()[1]) for _, text in generating]
    assert percents == sorted(percents) and len(set(percents)) >= 5, percents


def test_the_result_is_on_the_canvas_while_it_is_written(
    window, small_photo, qtbot, monkeypatch
) -> None:
    written = threading.Event()
    write = output.write_atomic

    def held_write(*args, **kwargs):  # the disk is slow: the write waits for the test
        assert written.wait(60), "the test never let the write go"
        return write(*args, **kwargs)

    monkeypatch.setattr(output, "write_atomic", held_write)
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
    try:
        qtbot.waitUntil(lambda: window.canvas.result_item.isVisible(), timeout=30000)
        assert window.canvas.result_item.pixmap().size().toTuple() == (208, 160)
        assert window.jobs.is_running() and window.options_panel.status.text() == "Saving"
        assert not window.results.has_result()  # Save and the rest wait for the file
    finally:
        with qtbot.waitSignal(window.jobs.finished, timeout=30000):
            written.set()
    (record,) = Journal(journal_dir()).records()
    assert record.state.value == "saved" and Path(record.output_path).is_file()
    assert window.results.has_result() and window.canvas.result_item.isVisible()
