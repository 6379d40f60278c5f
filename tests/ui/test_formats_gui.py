"""One photo, every format, in the editor: tick five, edit one on the canvas, Extend all against
the simulator, keep four, redo one, export all; Cancel all leaves paid jobs collectable."""

from __future__ import annotations

import json

import numpy as np
from helpers import drag, open_with_flux, scene_to_viewport
from photos import make_photo
from PIL import Image
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMenu, QPushButton, QStyle, QStyleOptionViewItem
from scripted_dialogs import ScriptedDialogs

from outpaint_studio.core.cost import round_credits, session_charges
from outpaint_studio.core.format_sets import load_sets, sets_path
from outpaint_studio.core.formats_state import default_geometry
from outpaint_studio.core.jobs import Journal
from outpaint_studio.core.metadata import read_metadata
from outpaint_studio.core.settings import journal_dir
from outpaint_studio.core.transitions import COLLECTABLE

PRESETS = ["1:1", "4:5", "9:16", "16:9"]
CUSTOM = "1080x1920"


def click_row(window, qtbot, label: str, on_check_box: bool = False) -> None:
    click_row_of(window.formats, qtbot, label, on_check_box)


def click_row_of(formats, qtbot, label: str, on_check_box: bool = True) -> None:
    """A click on a target's row in the Formats dock (on its check box: ticks it)."""
    dock_list = formats.dock.list
    rect = dock_list.visualItemRect(formats.dock.item(label))
    option = QStyleOptionViewItem()
    option.initFrom(dock_list)
    option.rect = rect
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = dock_list.style().subElementRect(
        QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, dock_list
    )
    pos = box.center() if on_check_box else rect.center()
    qtbot.mouseClick(dock_list.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def tick_five(window, qtbot) -> None:
    """View › Formats, four presets' check boxes clicked, one typed in."""
    window.formats.dock.toggleViewAction().trigger()
    assert window.formats.dock.isVisible()
    for label in PRESETS:
        click_row(window, qtbot, label, on_check_box=True)
        assert window.formats.active == window.formats.dock.current_label() == label
    custom = window.formats.dock.custom
    qtbot.keyClicks(custom, CUSTOM)
    qtbot.keyClick(custom, Qt.Key.Key_Return)
    assert [e.label for e in window.formats.formats.ticked()] == [*PRESETS, CUSTOM]
    assert window.formats.dock.cost.text().startswith("5 formats × 1")


def extend_all(window, qtbot, timeout: int = 20000) -> None:
    qtbot.mouseClick(window.formats.dock.extend_all, Qt.MouseButton.LeftButton)
    assert window.formats.run.is_running()
    qtbot.waitUntil(lambda: not window.formats.run.is_running(), timeout=timeout)


def open_offline(window, qtbot, tmp_path, variations: int = 1):
    """A tiny photo open for the offline engine, the Formats dock shown; returns its path."""
    photo = make_photo(tmp_path / "tiny.png", (64, 48))
    window.model.set_options(engine="local", variations=variations)
    window.open_image(photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    window.formats.dock.toggleViewAction().trigger()
    return photo


def select_tile(window, qtbot, label: str) -> None:
    sheet = window.formats.sheet.list
    row = list(window.formats.sheet.tiles).index(label)
    rect = sheet.visualItemRect(sheet.item(row))
    qtbot.mouseClick(sheet.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_five_formats_extend_all_keep_four_redo_one_export_all(
    window, qtbot, tmp_path, monkeypatch
) -> None:
    from bfl_sim import BflSimulator

    photo = make_photo(tmp_path / "shoe.png", (160, 128))
    with BflSimulator(api_key="test-key", finish_after=1.5) as sim:
        open_with_flux(window, sim, photo, qtbot, monkeypatch)
        own = window.model.state.geometry
        tick_five(window, qtbot)
        # 4:5's layout on the canvas: the source dragged against the left edge
        click_row(window, qtbot, "4:5")
        default = default_geometry((160, 128), window.formats.formats.entry("4:5").target,
                                   "center")  # fmt: skip
        assert window.model.state.geometry == default
        view, placed = window.canvas, window.model.state.placement()
        start = scene_to_viewport(view, placed.x + 80, placed.y + 64)
        drag(view, start, scene_to_viewport(view, 80, placed.y + 64))
        edited = window.model.state.geometry
        assert edited.offset_x == 0 and edited != default
        assert window.formats.formats.entry("4:5").edited == edited
        assert all(window.formats.formats.entry(t).edited is None for t in PRESETS if t != "4:5")
        qtbot.mouseClick(window.formats.dock.main_layout, Qt.MouseButton.LeftButton)
        assert window.model.state.geometry == own and window.formats.dock.current_label() is None

        assert window.cost.session.text() == "Session 0 credits"
        # no FLUX job priced yet: the estimate is unknown, so the user is asked first
        assert window.formats.dock.cost.text().endswith("price known after the first job")
        window.dialogs.answer("confirm", False, True)
        qtbot.mouseClick(window.formats.dock.extend_all, Qt.MouseButton.LeftButton)
        assert sim.submit_count == 0 and not window.formats.run.is_running()
        assert window.dialogs.asked[-1][:2] == ("confirm", "Extend all")
        assert "Start 5 jobs" in window.dialogs.asked[-1][2]
        extend_all(window, qtbot)
        assert sim.submit_count == 5 and sim.peak_active == 5  # all five at once
        charges = session_charges(Journal(journal_dir()).records(), window.cost.since)
        spent = round_credits(sum(charges.values()))
        assert spent > 0 and window.cost.session.text() == f"Session {spent:g} credits"
        left = f"Balance {round_credits(sim.credits):g} credits"
        qtbot.waitUntil(lambda: window.cost.balance.text() == left, timeout=5000)
        tiles = window.formats.sheet.tiles
        assert window.formats.sheet.isVisible()
        assert [t.status for t in tiles.values()] == ["Done"] * 5
        four_five = window.session.journal.find(tiles["4:5"].outcome.key).params
        assert (four_five.offset_x, four_five.target) == (0, "4:5")

        # keep four with Enter, as on the variations strip; R redoes the fifth
        for label in PRESETS:
            select_tile(window, qtbot, label)
            assert window.results.outcome.key == tiles[label].outcome.key  # shown in place
            qtbot.keyClick(window.formats.sheet.list, Qt.Key.Key_Return)
        assert [t.kept for t in tiles.values()] == [True] * 4 + [False]
        first = tiles[CUSTOM].outcome.key
        select_tile(window, qtbot, CUSTOM)
        qtbot.keyClick(window.formats.sheet.list, Qt.Key.Key_R)
        qtbot.waitUntil(lambda: not window.formats.run.is_running(), timeout=20000)
        assert sim.submit_count == 6
        assert tiles[CUSTOM].outcome.key != first and tiles[CUSTOM].status == "Done"
        assert [t.kept for t in tiles.values()] == [True] * 4 + [False]

    out = tmp_path / "export"
    out.mkdir()
    window.dialogs.answer("folder", str(out))
    qtbot.mouseClick(window.formats.sheet.export_all, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage() == f"Exported 5 formats to {out}"
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"shoe-{t.replace(':', 'x')}.png" for t in [*PRESETS, CUSTOM])
    original = np.asarray(Image.open(photo).convert("RGB"))
    for label in PRESETS:
        path = out / f"shoe-{label.replace(':', 'x')}.png"
        params = window.session.journal.find(tiles[label].outcome.key).params
        with Image.open(path) as image:
            assert image.size == (params.width, params.height)
            pixels = np.asarray(image.convert("RGB"))
        placed = params.placement((160, 128))
        inner = pixels[placed.y + 8 : placed.y + 120, placed.x + 8 : placed.x + 152]
        assert np.array_equal(inner, original[8:120, 8:152])  # the original, exact
        assert read_metadata(path)["target"] == label
    with Image.open(out / "shoe-1080x1920.png") as image:
        assert image.size == (1080, 1920)
    meta = read_metadata(out / "shoe-1080x1920.png")
    assert meta["job"] == tiles[CUSTOM].outcome.key and meta["output_width"] == 1080


def test_cancel_all_leaves_submitted_jobs_collectable(
    window, qtbot, tmp_path, monkeypatch, capsys
) -> None:
    from bfl_sim import BflSimulator

    from outpaint_studio import cli

    photo = make_photo(tmp_path / "shoe.png", (160, 128))
    with BflSimulator(api_key="test-key", finish_after=1.5) as sim:
        open_with_flux(window, sim, photo, qtbot, monkeypatch)
        tick_five(window, qtbot)
        window.dialogs.answer("confirm", True)  # to a price not known yet
        qtbot.mouseClick(window.formats.dock.extend_all, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: sim.submit_count == 5, timeout=10000)
        qtbot.mouseClick(window.formats.dock.cancel_all, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.formats.run.is_running(), timeout=5000)
        records = Journal(journal_dir()).records()
        assert len(records) == 5 and all(r.state in COLLECTABLE for r in records)
        assert cli.main(["resume", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(line["target"] for line in lines) == sorted([*PRESETS, CUSTOM])
    assert {line["state"] for line in lines} == {"saved"}
    assert sim.submit_count == 5  # collected, never sent again


def test_cancel_one_format_while_the_others_finish(window, qtbot, tmp_path, monkeypatch) -> None:
    from bfl_sim import BflSimulator

    photo = make_photo(tmp_path / "shoe.png", (160, 128))
    with BflSimulator(api_key="test-key", finish_after=1.5) as sim:
        open_with_flux(window, sim, photo, qtbot, monkeypatch)
        tick_five(window, qtbot)
        window.dialogs.answer("confirm", True)  # to a price not known yet
        qtbot.mouseClick(window.formats.dock.extend_all, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: sim.submit_count == 5, timeout=10000)
        select_tile(window, qtbot, "9:16")
        qtbot.mouseClick(window.formats.sheet.cancel, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.formats.run.is_running(), timeout=10000)
        tiles = window.formats.sheet.tiles
        qtbot.waitUntil(lambda: tiles["9:16"].outcome is not None, timeout=5000)  # let go
    assert [t.label for t in tiles.values() if t.status == "Done"] == ["1:1", "4:5", "16:9", CUSTOM]
    cancelled = window.session.journal.find(tiles["9:16"].outcome.key)
    assert cancelled.state in COLLECTABLE and cancelled.job_id  # paid: `resume` collects it
    assert [t.label for t in window.formats.sheet.exportable()] == ["1:1", "4:5", "16:9", CUSTOM]


def test_a_saved_set_comes_back_by_name(window, qtbot, small_photo) -> None:
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    window.formats.dock.toggleViewAction().trigger()
    for label in ("9:16", "3:1"):
        click_row(window, qtbot, label, on_check_box=True)
    anchor = window.formats.dock.anchor
    qtbot.keyClick(anchor, Qt.Key.Key_Up)  # the anchor before centre in the list: left
    assert window.formats.formats.anchor == "left"
    window.dialogs.answer("text", "Social")
    qtbot.mouseClick(window.formats.dock.save_set, Qt.MouseButton.LeftButton)
    click_row(window, qtbot, "9:16", on_check_box=True)
    click_row(window, qtbot, "1:1", on_check_box=True)
    assert [e.label for e in window.formats.formats.ticked()] == ["1:1", "3:1"]
    sets = window.formats.dock.sets
    assert sets.itemText(1) == "Social"
    qtbot.keyClick(sets, Qt.Key.Key_Down)
    assert [e.label for e in window.formats.formats.ticked()] == ["9:16", "3:1"]
    assert window.formats.formats.anchor == "left" and sets.currentIndex() == 0
    assert load_sets(sets_path())["Social"].targets == ("9:16", "3:1")


def test_a_set_that_cannot_be_saved_says_so_in_the_banner(window, qtbot) -> None:
    sets_path().mkdir(parents=True)  # a folder where the file goes: writing it fails
    window.formats.dock.toggleViewAction().trigger()
    window.dialogs.answer("text", "Social")
    qtbot.mouseClick(window.formats.dock.save_set, Qt.MouseButton.LeftButton)
    error = window.errors.error
    assert error is not None and error.kind == "formats", error
    assert error.message.startswith("The set could not be saved: ")
    assert window.banner.label.text() == error.message
    assert window.formats.dock.error.text() == ""  # the dock's line is for formats, not files
    assert window.formats.dock.sets.findText("Social") == -1


def test_offline_formats_run_two_at_a_time(window, qtbot, tmp_path) -> None:
    open_offline(window, qtbot, tmp_path)
    for label in ("1:1", "4:5", "16:9"):
        click_row(window, qtbot, label, on_check_box=True)
    run, at_once = window.formats.run, []
    run.status.connect(lambda _label, _text: at_once.append(len(run._running)))
    extend_all(window, qtbot, timeout=60000)
    assert max(at_once) == 2
    assert [t.status for t in window.formats.sheet.tiles.values()] == ["Done"] * 3


def bare_formats(qtbot, photo, loaded: list):
    """A FormatsEditor with no window: the editor model, a run, the history's model, the session
    and the loaded source (``loaded[0]``, None while loading) are all it takes. Returns it and
    the widget it lives in (keep that: it owns the editor)."""
    from PySide6.QtWidgets import QWidget

    from outpaint_studio.core.editor import Options
    from outpaint_studio.model.editor import EditorModel
    from outpaint_studio.model.errors import ErrorModel
    from outpaint_studio.model.formats_run import FormatsRun
    from outpaint_studio.model.history import HistoryModel
    from outpaint_studio.model.workers import Workers
    from outpaint_studio.session import Session
    from outpaint_studio.ui.formats_editor import FormatsEditor

    host = QWidget()
    qtbot.addWidget(host)
    session, workers = Session.open(), Workers(host)
    model = EditorModel(Options(engine="local"), host)
    with Image.open(photo) as image:
        model.set_source(str(photo), image.size)
    run = FormatsRun(session, workers, ErrorModel(host))
    history = HistoryModel(session.history, session.journal, host)
    formats = FormatsEditor(model, run, history, session, ScriptedDialogs(), lambda: loaded[0],
                            host)  # fmt: skip
    return formats, host


def test_formats_work_with_what_they_are_given_and_say_what_they_did(qtbot, tmp_path) -> None:
    """What the window must do comes out as signals."""
    from outpaint_studio.core.images import load_image

    photo = make_photo(tmp_path / "tiny.png", (64, 48))
    formats, _host = bare_formats(qtbot, photo, [load_image(photo)])
    model = formats.model
    click_row_of(formats, qtbot, "1:1")
    with qtbot.waitSignal(formats.record_changed, timeout=30000) as changed:
        qtbot.mouseClick(formats.dock.extend_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not formats.run.is_running(), timeout=30000)
    [record] = Journal(journal_dir()).records()
    assert changed.args == [record.key] and record.params.target == "1:1"
    tile = formats.sheet.tiles["1:1"]
    with qtbot.waitSignal(formats.result_chosen, timeout=5000) as chosen:
        formats.sheet.tile_selected.emit("1:1")  # as a click on its tile does
    assert chosen.args[0].key == record.key and not chosen.args[1].isNull()
    assert tile.kept is False and model.state.geometry.canvas_width == 64  # 1:1 of 64x48
    out = tmp_path / "out"
    out.mkdir()
    formats.dialogs.answer("folder", str(out))
    with qtbot.waitSignal(formats.status_message, timeout=5000) as said:
        qtbot.mouseClick(formats.sheet.export_all, Qt.MouseButton.LeftButton)
    assert said.args == [f"Exported 1 format to {out}", 8000]
    assert [p.name for p in out.iterdir()] == ["tiny-1x1.png"]
    formats.dialogs.answer("folder", str(out))
    with qtbot.waitSignal(formats.status_message, timeout=5000) as said:
        qtbot.mouseClick(formats.sheet.export_all, Qt.MouseButton.LeftButton)
    taken = "1 name was taken, written as tiny-1x1-1.png"  # nothing is replaced
    assert said.args == [f"Exported 1 format to {out}; {taken}", 8000]


def test_extend_all_and_redo_say_why_they_cannot_start(qtbot, tmp_path) -> None:
    from outpaint_studio.core.images import load_image

    photo = make_photo(tmp_path / "tiny.png", (64, 48))
    loaded = [None]
    formats, _host = bare_formats(qtbot, photo, loaded)
    error, extend = formats.dock.error, formats.dock.extend_all
    qtbot.mouseClick(extend, Qt.MouseButton.LeftButton)
    assert error.text() == "Tick the formats to extend"
    click_row_of(formats, qtbot, "1:1")
    assert error.text() == ""
    qtbot.mouseClick(extend, Qt.MouseButton.LeftButton)
    assert error.text() == "Open an image, and wait until it is loaded"
    assert not formats.run.is_running() and not Journal(journal_dir()).records()
    loaded[0] = load_image(photo)
    qtbot.mouseClick(extend, Qt.MouseButton.LeftButton)
    assert formats.run.is_running() and error.text() == ""
    qtbot.waitUntil(lambda: not formats.run.is_running(), timeout=30000)
    sheet = formats.sheet.list
    qtbot.mouseClick(sheet.viewport(), Qt.MouseButton.LeftButton,
                     pos=sheet.visualItemRect(sheet.item(0)).center())  # fmt: skip
    qtbot.keyClick(sheet, Qt.Key.Key_R)  # redo 1:1 ...
    assert formats.run.is_running()
    qtbot.keyClick(sheet, Qt.Key.Key_R)  # ... and again, before that redo has ended
    assert error.text() == "Formats are still running: wait for them, or cancel them"
    qtbot.waitUntil(lambda: not formats.run.is_running(), timeout=30000)
    assert len(Journal(journal_dir()).records()) == 2  # the first run and one redo


def test_extend_all_without_a_key_says_so_in_the_banner_and_runs_nothing(
    window, qtbot, small_photo
) -> None:
    window.open_image(small_photo)
    qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
    window.model.set_options(engine="bfl")  # FLUX, and no key anywhere
    window.formats.dock.toggleViewAction().trigger()
    click_row(window, qtbot, "1:1", on_check_box=True)
    qtbot.mouseClick(window.formats.dock.extend_all, Qt.MouseButton.LeftButton)
    assert not window.formats.run.is_running()
    assert window.formats.dock.extend_all.isEnabled()  # the user can try again
    assert window.banner.isVisible() and window.banner.label.text().startswith("No BFL API key")
    assert window.banner.button.text() == "Open Settings"
    assert not window.formats.sheet.isVisible() and not Journal(journal_dir()).records()


def test_each_variation_of_each_format_gets_its_own_tile(window, qtbot, tmp_path) -> None:
    open_offline(window, qtbot, tmp_path, variations=2)
    for label in ("1:1", "16:9"):
        click_row(window, qtbot, label, on_check_box=True)
    extend_all(window, qtbot, timeout=60000)
    tiles = window.formats.sheet.tiles
    assert list(tiles) == ["1:1 #1", "1:1 #2", "16:9 #1", "16:9 #2"]
    assert all(t.status == "Done" for t in tiles.values())
    assert len({t.outcome.key for t in tiles.values()}) == 4  # four results, none lost
    select_tile(window, qtbot, "16:9 #2")
    assert window.results.outcome.key == tiles["16:9 #2"].outcome.key
    canvas = window.model.state.geometry
    assert canvas.canvas_width * 9 == canvas.canvas_height * 16  # the target's layout, shown


def test_each_layout_keeps_its_undo_steps_and_its_result(window, qtbot, tmp_path) -> None:
    """Moving between the editor's layout and the formats' loses neither undo steps nor the
    result shown on each: "Back to my layout" brings the editor's result back with it."""
    open_offline(window, qtbot, tmp_path)
    view = window.canvas

    def nudge() -> None:
        qtbot.keyClick(view, Qt.Key.Key_Right)

    def undo() -> None:
        qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    placed = window.model.state.geometry
    nudge()
    own = window.model.state.geometry
    qtbot.mouseClick(window.findChild(QPushButton, "extendButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.results.has_result(), timeout=60000)
    own_result = window.results.outcome.key
    click_row(window, qtbot, "1:1", on_check_box=True)
    square = window.model.state.geometry
    nudge()
    click_row(window, qtbot, "4:5")
    nudge()
    click_row(window, qtbot, "1:1")
    assert window.model.state.geometry != square
    undo()
    assert window.model.state.geometry == square
    extend_all(window, qtbot, timeout=60000)
    select_tile(window, qtbot, "1:1")
    assert window.results.outcome.key != own_result
    qtbot.mouseClick(window.formats.dock.main_layout, Qt.MouseButton.LeftButton)
    assert window.model.state.geometry == own
    assert window.results.outcome.key == own_result and window.results.has_result()
    undo()  # the editor's own nudge
    assert window.model.state.geometry == placed


def test_the_marked_row_is_the_layout_on_the_canvas_and_the_sheet_comes_back(
    window, qtbot, tmp_path
) -> None:
    """No Formats row is marked while the editor's own layout is on the canvas, also after
    another photo opens (a trial saw 1:1 marked); the results sheet, once closed, comes back
    from the View menu."""
    open_offline(window, qtbot, tmp_path)
    dock = window.formats.dock
    click_row(window, qtbot, "1:1", on_check_box=True)
    assert dock.current_label() == "1:1"
    other = make_photo(tmp_path / "other.png", (96, 64))
    window.open_image(other)
    qtbot.waitUntil(lambda: window.source is not None and window.source.path == other,
                    timeout=5000)  # fmt: skip
    assert window.formats.active is None
    assert dock.current_label() is None and not dock.list.selectedItems()
    extend_all(window, qtbot, timeout=60000)
    sheet = window.formats.sheet
    assert sheet.isVisible()
    sheet.close()
    view_menu = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&View")
    entry = next(a for a in view_menu.actions() if a.text() == "Formats: results")
    entry.trigger()
    assert sheet.isVisible() and list(sheet.tiles)


def test_the_formats_set_survives_a_restart(window, qtbot) -> None:
    from outpaint_studio.ui import MainWindow

    window.formats.dock.toggleViewAction().trigger()
    click_row(window, qtbot, "4:5", on_check_box=True)
    custom = window.formats.dock.custom
    qtbot.keyClicks(custom, CUSTOM)
    qtbot.keyClick(custom, Qt.Key.Key_Return)
    window.close()
    again = MainWindow(dialogs=ScriptedDialogs())
    qtbot.addWidget(again)
    assert [e.label for e in again.formats.formats.ticked()] == ["4:5", CUSTOM]
    assert again.formats.dock.item(CUSTOM) is not None
    again.close()


def test_the_add_a_format_field_stays_put_as_the_hint_comes_and_goes(window, qtbot) -> None:
    dock = window.formats.dock
    dock.toggleViewAction().trigger()
    qtbot.waitExposed(dock)

    def field_top() -> int:
        QCoreApplication.processEvents()
        return dock.custom.mapTo(dock, dock.custom.rect().topLeft()).y()

    before = field_top()
    qtbot.mouseClick(dock.extend_all, Qt.MouseButton.LeftButton)
    assert dock.error.text() == "Tick the formats to extend"
    assert field_top() == before


def test_clicking_a_done_format_shows_its_result_and_marks_its_tile(window, qtbot, tmp_path):
    """A trial clicked a format marked Done and got its layout only, Save greyed out, while
    the sheet marked another format's result."""
    open_offline(window, qtbot, tmp_path)
    for label in ("1:1", "16:9"):
        click_row(window, qtbot, label, on_check_box=True)
    extend_all(window, qtbot, timeout=60000)
    tiles, sheet = window.formats.sheet.tiles, window.formats.sheet
    select_tile(window, qtbot, "1:1")
    click_row(window, qtbot, "16:9")
    assert sheet.current().label == "16:9"
    assert window.results.outcome.key == tiles["16:9"].outcome.key
    assert window.results.has_result()
