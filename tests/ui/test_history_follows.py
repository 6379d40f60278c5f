"""History and the variations strip say which result is on the canvas, wherever it was chosen:
what they select is what Save writes (found in a user trial: History said "No result selected"
while the canvas showed the newest result, and the strip kept a variation selected while the
canvas showed a past result of History)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from test_history_items import click_row, extend
from test_variations import click_tile, extend_variations


def selected_key(window) -> str | None:
    record = window.history.selected()
    return record.key if record is not None else None


def test_history_selects_the_result_on_the_canvas(loaded, qtbot) -> None:
    window = loaded
    first = extend(window, qtbot, timeout=30000)
    qtbot.waitUntil(lambda: selected_key(window) == first.key, timeout=5000)
    assert window.history.details.text() != "No result selected"
    window.model.set_offset(0, 0)
    second = extend(window, qtbot, timeout=30000)
    qtbot.waitUntil(lambda: selected_key(window) == second.key, timeout=5000)
    click_row(window, qtbot, 1)  # newest first: the first result
    qtbot.waitUntil(lambda: window.results.outcome.key == first.key, timeout=5000)
    assert selected_key(window) == first.key


def test_a_past_result_on_the_canvas_leaves_no_variation_selected(loaded, qtbot) -> None:
    window = loaded
    single = extend(window, qtbot, timeout=30000)
    extend_variations(window, qtbot, 2, timeout=40000)
    strip, keep = window.variations.strip, window.variations.keep_button
    shown = window.results.outcome
    assert strip.currentRow() == shown.index and keep.isEnabled()
    qtbot.waitUntil(lambda: selected_key(window) == shown.key, timeout=5000)
    chosen = []
    window.history.result_chosen.connect(lambda outcome, _image: chosen.append(outcome))
    click_tile(window, qtbot, 1 - shown.index)
    assert selected_key(window) == window.results.outcome.key != shown.key
    qtbot.waitUntil(lambda: window.history.model.pool.activeThreadCount() == 0, timeout=5000)
    QCoreApplication.processEvents()  # a decode's answer, had following asked for one
    assert chosen == []  # following is not choosing: the result keeps the layout it was made for

    qtbot.waitUntil(lambda: window.history.model.rowCount() == 3, timeout=5000)
    click_row(window, qtbot, 2)  # the single Extend's result, which is not on the strip
    qtbot.waitUntil(lambda: window.results.outcome.key == single.key, timeout=5000)
    assert strip.currentItem() is None and not strip.selectedItems()
    assert not keep.isEnabled()  # Keep would have marked a variation that is not shown

    other = 1 - shown.index
    row = window.history.model.row_of(window.result_set.variations[other].outcome.key)
    click_row(window, qtbot, row)  # a variation chosen in History is the strip's again
    qtbot.waitUntil(lambda: strip.currentRow() == other, timeout=5000)
    assert keep.isEnabled()
    qtbot.keyClick(strip, Qt.Key.Key_Return)
    assert window.result_set.variations[other].kept
