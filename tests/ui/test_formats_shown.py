"""Extend all in the editor: every tile of the contact sheet shows its result, "Done", as soon as
it is composed; the files are written after that, in the background."""

from __future__ import annotations

import threading

import pytest
from helpers import open_with_flux
from photos import make_photo
from PySide6.QtCore import Qt

from outpaint_studio.core import runner

TARGETS = ["1:1", "16:9"]


def test_the_contact_sheet_shows_each_result_before_its_file_is_written(
    window, qtbot, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bfl_sim import BflSimulator

    encoding = threading.Event()  # held until every tile is shown
    encode = runner.output_bytes
    monkeypatch.setattr(runner, "output_bytes", lambda *args: encoding.wait(30) and encode(*args))
    photo = make_photo(tmp_path / "shoe.png", (160, 128))
    formats = window.formats
    tiles = formats.sheet.tiles
    with BflSimulator(api_key="test-key", finish_after=0.3) as sim:
        open_with_flux(window, sim, photo, qtbot, monkeypatch)
        for label in TARGETS:
            formats.formats = formats.formats.with_ticked(label, True)
        window.dialogs.answer("confirm", True)  # to a price not known yet
        qtbot.mouseClick(formats.dock.extend_all, Qt.MouseButton.LeftButton)
        try:
            qtbot.waitUntil(lambda: all(t.thumb is not None for t in tiles.values()),
                            timeout=20000)  # fmt: skip
            assert formats.run.is_running()  # the files are still to be written
            assert [(t.status, t.outcome) for t in tiles.values()] == [("Done", None)] * 2
            rows = [formats.dock.item(label).text() for label in TARGETS]  # as the user reads
            assert all(row.endswith("\nDone") for row in rows), rows
            thumbs = [t.thumb for t in tiles.values()]  # reduced once: not again when saved
        finally:
            encoding.set()
        qtbot.waitUntil(lambda: not formats.run.is_running(), timeout=20000)
    assert all(t.ready and t.status == "Done" for t in tiles.values())
    assert all(t.thumb is thumb for t, thumb in zip(tiles.values(), thumbs, strict=True))


def test_delete_in_the_sheet_moves_on_to_the_next_result_and_save_names_its_format(
    window, qtbot, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bfl_sim import BflSimulator

    photo = make_photo(tmp_path / "shoe.png", (160, 128))
    formats, sheet = window.formats, window.formats.sheet
    with BflSimulator(api_key="test-key") as sim:
        open_with_flux(window, sim, photo, qtbot, monkeypatch)
        for label in TARGETS:
            formats.formats = formats.formats.with_ticked(label, True)
        window.dialogs.answer("confirm", True)  # to a price not known yet
        qtbot.mouseClick(formats.dock.extend_all, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not formats.run.is_running(), timeout=20000)
    first = sheet.list.visualItemRect(sheet.list.item(0)).center()
    qtbot.mouseClick(sheet.list.viewport(), Qt.MouseButton.LeftButton, pos=first)
    assert window.results.outcome.key == sheet.tiles["1:1"].outcome.key
    qtbot.keyClick(sheet.list, Qt.Key.Key_Delete)
    assert sheet.tiles["1:1"].discarded and sheet.current() is sheet.tiles["16:9"]
    assert window.results.outcome.key == sheet.tiles["16:9"].outcome.key  # not the discarded
    # Save and Export layers suggest the format's name, as Export all writes it
    window.dialogs.answer("save_path", "")  # the user cancels: only the suggestion matters
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    kind, _title, suggested = window.dialogs.asked[-1]
    assert kind == "save_path" and suggested.endswith("shoe-16x9.png"), suggested
