"""The loader, with no widgets: a preview, then the image, then a sharper picture; a bad file in
one line; a newer load or closing cancels a download at once, even one the server stalls."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from data.make_corpus import CORPUS
from photos import make_photo, photo_like
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot
from web_server import web_server

from outpaint_studio.model.loader import DEFAULT_VIEW, Loader, load_error_text
from outpaint_studio.model.workers import Workers

CANCEL_WITHIN_MS = 3000  # a stalled read would otherwise hold its thread for 30 s


@pytest.fixture
def workers(qtbot: QtBot) -> Iterator[Workers]:
    owner = Workers()
    yield owner
    owner.shutdown()
    owner.wait_all()


@pytest.fixture
def loader(workers: Workers, tmp_path: Path) -> Loader:
    return Loader(workers, tmp_path / "downloads")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The folder a local web server serves: one photo, web.png."""
    folder = tmp_path / "site"
    folder.mkdir()
    make_photo(folder / "web.png")
    return folder


def record_signals(loader: Loader) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    loader.preview.connect(lambda image, path, size: seen.append(("preview", (path, size))))
    loader.loaded.connect(lambda source: seen.append(("loaded", source.size)))
    loader.refined.connect(lambda image: seen.append(("refined", (image.width(), image.height()))))
    loader.failed.connect(lambda message: seen.append(("failed", message)))
    return seen


def test_a_photo_comes_as_a_preview_then_the_image_then_a_sharper_picture(
    loader: Loader, tmp_path: Path, qtbot: QtBot
) -> None:
    big = make_photo(tmp_path / "big.png", (DEFAULT_VIEW[0] * 2, 600))
    seen = record_signals(loader)
    loader.load(str(big))
    qtbot.waitUntil(lambda: not loader.busy(), timeout=10_000)
    assert seen == [("preview", (str(big), (2048, 600))), ("loaded", (2048, 600)),
                    ("refined", (2048, 600))]  # fmt: skip


def test_a_small_image_needs_no_sharper_picture(loader: Loader, qtbot: QtBot) -> None:
    seen = record_signals(loader)
    loader.load(str(CORPUS / "rgba.psd"))
    qtbot.waitUntil(lambda: not loader.busy(), timeout=10_000)
    assert [kind for kind, _ in seen] == ["preview", "loaded"]
    assert seen[1] == ("loaded", (48, 32))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("unknown-fourcc.dds", "cannot read"),
        ("header-bomb-50000.png", "too large"),
        ("grib-stub.grib", "not an image"),
        ("transparent.png", "nothing visible"),
    ],
)
def test_a_bad_file_is_one_line_and_nothing_else(
    loader: Loader, qtbot: QtBot, name: str, words: str
) -> None:
    seen = record_signals(loader)
    loader.load(str(CORPUS / name))
    qtbot.waitUntil(lambda: not loader.busy(), timeout=10_000)
    kinds = [kind for kind, _ in seen]
    assert kinds in (["failed"], ["preview", "failed"]), seen
    message = str(seen[-1][1])
    assert words in message and message.startswith(name) and "\n" not in message


def test_a_missing_file_says_so(loader: Loader, tmp_path: Path, qtbot: QtBot) -> None:
    with qtbot.waitSignal(loader.failed, timeout=10_000) as failed:
        loader.load(str(tmp_path / "gone.png"))
    assert "gone.png" in failed.args[0] and "\n" not in failed.args[0]


def test_an_unforeseen_error_is_still_one_line() -> None:
    assert load_error_text(KeyError("tile")) == "cannot open the image (KeyError)"


def test_a_download_comes_like_a_file(
    loader: Loader, site: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    seen = record_signals(loader)
    with web_server(site) as server:
        loader.load(server.url("web.png"))
        qtbot.waitUntil(lambda: not loader.busy(), timeout=10_000)
    assert [kind for kind, _ in seen] == ["preview", "loaded"]
    path = Path(str(seen[0][1][0]))  # type: ignore[index]
    assert path.parent == tmp_path / "downloads" and path.name.endswith("-web.png")


def test_a_newer_load_cancels_a_stalled_download_at_once(
    loader: Loader, site: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    other = make_photo(tmp_path / "other.png", (96, 64))
    seen = record_signals(loader)
    with web_server(site) as server:
        loader.load(server.url("web.png", stall=True))
        assert server.stalled.wait(10)
        loader.load(str(other))
        qtbot.waitUntil(lambda: not loader.busy(), timeout=CANCEL_WITHIN_MS)
    assert seen == [("preview", (str(other), (96, 64))), ("loaded", (96, 64))]
    assert list((tmp_path / "downloads").iterdir()) == []


def test_only_the_newest_load_is_heard(loader: Loader, tmp_path: Path, qtbot: QtBot) -> None:
    big = make_photo(tmp_path / "big.png", (3000, 2000))  # still decoding when the next comes
    small = make_photo(tmp_path / "small.png", (96, 64))
    seen = record_signals(loader)
    loader.load(str(big))
    loader.load(str(small))
    qtbot.waitUntil(lambda: not loader.busy(), timeout=10_000)
    assert seen == [("preview", (str(small), (96, 64))), ("loaded", (96, 64))]


def test_closing_cancels_a_stalled_download_at_once(
    loader: Loader, workers: Workers, site: Path, qtbot: QtBot
) -> None:
    seen = record_signals(loader)
    with web_server(site) as server:
        loader.load(server.url("web.png", stall=True))
        assert server.stalled.wait(10)
        workers.shutdown()
        qtbot.waitUntil(lambda: not loader.busy(), timeout=CANCEL_WITHIN_MS)
    assert seen == []  # a cancel is not a failure: no "too large (over 100 MB)"


def test_the_preview_is_a_qimage_the_gui_thread_can_show(loader: Loader, qtbot: QtBot) -> None:
    with qtbot.waitSignal(loader.preview, timeout=10_000) as preview:
        loader.load(str(CORPUS / "rgba.psd"))
    image = preview.args[0]
    assert isinstance(image, QImage) and not image.isNull()
    qtbot.waitUntil(lambda: not loader.busy(), timeout=10_000)


def test_the_preview_fills_the_view_it_is_given(
    loader: Loader, tmp_path: Path, qtbot: QtBot
) -> None:
    path = tmp_path / "photo.jpg"
    photo_like(1600, 1200).save(path, quality=90)
    with qtbot.waitSignal(loader.preview, timeout=10_000) as preview:
        loader.load(str(path), (300, 300))
    assert preview.args[0].size().toTuple() == (400, 300)  # 1/4 scale: 1/8 would not fill it
    qtbot.waitUntil(lambda: not loader.busy(), timeout=10_000)


PREVIEW_IMPORTS = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from outpaint_studio.model.loader import PreviewReady, load_source

    class Shown(Exception):
        pass

    def report(stage):
        if isinstance(stage, PreviewReady):
            raise Shown

    try:
        load_source(sys.argv[1], Path(sys.argv[2]), (800, 600), report, threading.Event())
    except Shown:
        print(" ".join(name for name in ("numpy", "requests") if name in sys.modules))
    """
)


def test_showing_a_photo_imports_neither_numpy_nor_requests(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    photo_like(1600, 1200).save(path, quality=90)
    result = subprocess.run(
        [sys.executable, "-c", PREVIEW_IMPORTS, str(path), str(tmp_path / "downloads")],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout == "\n"
