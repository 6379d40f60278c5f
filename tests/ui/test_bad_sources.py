"""Any file dropped or pasted into the editor: a one-line banner, and the open photo untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import drop_file
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest

CORPUS = Path(__file__).parent.parent / "data" / "corpus"
BAD_FILES = {  # a file from the corpus, and the words the banner must say
    "unknown-fourcc.dds": "uses an image variant Outpaint Studio cannot read",
    "icns-bomb.icns": "too large to open safely",
    "header-bomb-50000.png": "too large to open safely: 2500 MP",
    "jpeg-claims-10000x10000.jpg": "claims 10000x10000 px",
    "grib-stub.grib": "GRIB data, not an image",
    "truncated.png": "damaged or truncated",
    "transparent.png": "nothing visible was given",
    "empty.png": "is empty",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_dropped_says_why_and_changes_nothing(loaded, qtbot, name: str) -> None:
    before, source = loaded.model.state, loaded.source
    assert drop_file(loaded.canvas, CORPUS / name)
    qtbot.waitUntil(loaded.banner.isVisible, timeout=10_000)
    text = loaded.banner.label.text()
    assert BAD_FILES[name] in text and "\n" not in text
    assert text.startswith(name)  # the file's name as it is written, not "Truncated.png"
    qtbot.waitUntil(lambda: not loaded.loader.busy(), timeout=10_000)
    assert loaded.model.state == before and loaded.source is source


def test_a_transparent_image_pasted_says_nothing_is_visible(loaded, qtbot) -> None:
    before, source = loaded.model.state, loaded.source
    clear = QImage(40, 30, QImage.Format.Format_ARGB32)
    clear.fill(Qt.GlobalColor.transparent)
    QGuiApplication.clipboard().setImage(clear)
    loaded.canvas.setFocus()
    QTest.keyClick(loaded.canvas, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(loaded.banner.isVisible, timeout=10_000)
    assert "fully transparent: nothing visible was given" in loaded.banner.label.text()
    qtbot.waitUntil(lambda: not loaded.loader.busy(), timeout=10_000)
    assert loaded.model.state == before and loaded.source is source


def test_a_download_the_server_stalls_gives_way_to_the_next_drop_silently(
    window, small_photo, tmp_path, qtbot
) -> None:
    from helpers import drop_urls
    from photos import make_photo
    from PySide6.QtCore import QUrl
    from web_server import web_server

    site = tmp_path / "site"
    site.mkdir()
    make_photo(site / "slow.png")
    with web_server(site) as server:
        assert drop_urls(window.canvas, [QUrl(server.url("slow.png", stall=True))])
        assert server.stalled.wait(10)
        assert drop_file(window.canvas, small_photo)
        qtbot.waitUntil(lambda: window.source is not None, timeout=5000)
        qtbot.waitUntil(lambda: not window.loader.busy(), timeout=3000)  # not the 30 s time-out
    assert window.model.state.source_path == str(small_photo)
    assert window.errors.error is None and not window.banner.isVisible()
