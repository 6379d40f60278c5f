"""File › Export layers…, Export mask… and Open layers in…, used as a user does."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from bfl_sim import BflSimulator
from helpers import open_with_flux
from photos import make_photo
from PIL import Image
from psd_tools import PSDImage
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMenu

from outpaint_studio.core.jobs import JobRecord, Journal
from outpaint_studio.core.settings import journal_dir
from outpaint_studio.ui.layered_export import LAYER_FILTERS, LayeredExport


@pytest.fixture
def extended(window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[JobRecord]:  # type: ignore[no-untyped-def]
    """A 160x128 photo extended with FLUX (the simulator re-draws it 4 levels off)."""
    photo = make_photo(tmp_path / "photo.png")
    with BflSimulator(api_key="test-key", drift=4) as sim:
        open_with_flux(window, sim, photo, qtbot, monkeypatch)
        with qtbot.waitSignal(window.jobs.finished, timeout=30000) as blocker:
            qtbot.mouseClick(window.options_panel.extend_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.jobs.is_running(), timeout=5000)
        key = blocker.args[0].key
        [record] = [r for r in Journal(journal_dir()).records() if r.key == key]
        assert record.state.value == "saved", record.error
        yield record


def choose(window, name: str) -> None:  # type: ignore[no-untyped-def]
    """What opening the File menu and clicking ``name`` does (a real popup would only add the
    offscreen platform's warnings about grabbing the keyboard)."""
    action = window.findChild(QAction, name)
    menu = next(m for m in window.menuBar().findChildren(QMenu) if action in m.actions())
    menu.aboutToShow.emit()
    assert action.isEnabled()
    action.trigger()


def exporter(window) -> LayeredExport:  # type: ignore[no-untyped-def]
    found = window.findChild(LayeredExport)
    assert found is not None
    return found


def test_export_layers_writes_the_psd_where_the_user_says(  # type: ignore[no-untyped-def]
    window, qtbot, extended: JobRecord, tmp_path: Path
) -> None:
    target = tmp_path / "chosen.psd"
    window.dialogs.answer("save_path", (str(target), LAYER_FILTERS[".psd"]))
    choose(window, "exportLayersAction")
    assert "export chosen.psd" in [w.name for w in window.workers.running()]  # the one owner
    assert window.statusBar().currentMessage() == "Exporting chosen.psd…"
    qtbot.waitUntil(lambda: "Saved" in window.statusBar().currentMessage(), timeout=10000)
    suggested = window.results.suggested_path().with_suffix(".psd")
    assert window.dialogs.asked == [("save_path", "Export layers", str(suggested))]
    assert suggested.name == "photo-extended.psd"
    document = PSDImage.open(target)
    assert [layer.name for layer in document] == ["Generated", "Original", "Generated area"]
    with Image.open(extended.output_path or "") as flat:
        assert np.array_equal(np.asarray(document.composite().convert("RGB")), np.asarray(flat))


def test_export_mask_writes_the_generated_area(  # type: ignore[no-untyped-def]
    window, qtbot, extended: JobRecord, tmp_path: Path
) -> None:
    window.dialogs.answer("save_path", (str(tmp_path / "m"), ""))
    choose(window, "exportMaskAction")
    qtbot.waitUntil(lambda: (tmp_path / "m.png").exists(), timeout=10000)
    qtbot.waitUntil(lambda: not exporter(window).busy(), timeout=5000)
    with Image.open(tmp_path / "m.png") as mask:
        assert mask.mode == "L" and mask.size == (extended.params.width, extended.params.height)
        assert np.asarray(mask)[0, 0] == 255  # a corner is always generated


class UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_in_hands_a_psd_to_the_desktop(  # type: ignore[no-untyped-def]
    window, qtbot, extended: JobRecord
) -> None:
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        choose(window, "openInAction")
        qtbot.waitUntil(lambda: bool(catcher.urls), timeout=10000)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    opened = Path(catcher.urls[0].toLocalFile())
    assert opened.parent == window.session.open_in and opened.suffix == ".psd"
    assert len(PSDImage.open(opened)) == 3


def test_a_missing_source_is_said_in_the_banner(  # type: ignore[no-untyped-def]
    window, qtbot, extended: JobRecord, tmp_path: Path
) -> None:
    Path(extended.params.input).unlink()
    window.dialogs.answer("save_path", (str(tmp_path / "x"), LAYER_FILTERS[".ora"]))
    choose(window, "exportLayersAction")
    qtbot.waitUntil(window.banner.isVisible, timeout=10000)
    assert window.banner.label.text().startswith("The source is needed for the layers:")
    assert not (tmp_path / "x.ora").exists()


def test_the_actions_wait_for_a_result(loaded) -> None:  # type: ignore[no-untyped-def]
    action = loaded.findChild(QAction, "exportLayersAction")
    menu = next(m for m in loaded.menuBar().findChildren(QMenu) if action in m.actions())
    menu.aboutToShow.emit()
    names = ("exportLayersAction", "exportMaskAction", "openInAction")
    assert not any(loaded.findChild(QAction, name).isEnabled() for name in names)


def test_a_name_without_suffix_takes_the_chosen_filters(  # type: ignore[no-untyped-def]
    window, qtbot, extended: JobRecord, tmp_path: Path
) -> None:
    window.dialogs.answer("save_path", (str(tmp_path / "chosen"), LAYER_FILTERS[".ora"]))
    choose(window, "exportLayersAction")
    qtbot.waitUntil(lambda: "Saved" in window.statusBar().currentMessage(), timeout=10000)
    with zipfile.ZipFile(tmp_path / "chosen.ora") as archive:
        assert archive.read("mimetype") == b"image/openraster"


def test_a_result_picked_in_history_is_the_one_exported(  # type: ignore[no-untyped-def]
    loaded, qtbot, tmp_path: Path
) -> None:
    keys = []
    for offset_x in (0, 48):  # two offline jobs: the source at x=0, then at x=48
        loaded.model.set_offset(offset_x, 16)
        with qtbot.waitSignal(loaded.jobs.finished, timeout=30000) as blocker:
            qtbot.mouseClick(loaded.options_panel.extend_button, Qt.MouseButton.LeftButton)
        keys.append(blocker.args[0].key)
    qtbot.waitUntil(lambda: loaded.history.model.rowCount() == 2, timeout=5000)
    loaded.history.select_row(1)  # newest first: the first job
    qtbot.waitUntil(lambda: loaded.results.outcome.key == keys[0], timeout=5000)
    loaded.dialogs.answer("save_path", (str(tmp_path / "a.psd"), ""))
    choose(loaded, "exportLayersAction")
    qtbot.waitUntil(lambda: "Saved" in loaded.statusBar().currentMessage(), timeout=10000)
    assert PSDImage.open(tmp_path / "a.psd")[1].offset == (0, 16)


def test_closing_the_window_lets_an_export_finish_its_file(  # type: ignore[no-untyped-def]
    window, qtbot, extended: JobRecord, tmp_path: Path
) -> None:
    target = tmp_path / "late.psd"
    window.dialogs.answer("save_path", (str(target), LAYER_FILTERS[".psd"]))
    choose(window, "exportLayersAction")
    [export] = [w for w in window.workers.running() if w.name == "export late.psd"]
    with qtbot.waitSignal(export.finished, timeout=10000):
        window.close()
        assert export.cancel.is_set()  # let go with the rest; an export finishes all the same
    assert len(PSDImage.open(target)) == 3
    assert list(tmp_path.glob("late*")) == [target]  # no temporary file left beside it
