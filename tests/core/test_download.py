"""Downloading a source from the web, against a real local server: a whole file or nothing, a
size cap, and a cancel that is a cancel (not "too large"), at once even while the server
stalls."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from photos import make_photo
from web_server import web_server

from outpaint_studio.core import download as download_module
from outpaint_studio.core.download import DownloadCancelled, download
from outpaint_studio.core.images import ImageLoadError

CANCEL_WITHIN = 3.0  # seconds; the time-out a stalled read would otherwise wait is 30


@pytest.fixture
def served(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    make_photo(folder / "photo.png")
    return folder


def test_a_download_arrives_whole_under_its_own_name(served: Path, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    with web_server(served) as server:
        path = download(server.url("photo.png") + "?size=large", folder, threading.Event())
    assert path.parent == folder and path.name.endswith("-photo.png")
    assert path.read_bytes() == (served / "photo.png").read_bytes()
    assert list(folder.iterdir()) == [path]


def test_a_missing_file_says_its_status_and_leaves_nothing(served: Path, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    with web_server(served) as server, pytest.raises(ImageLoadError) as failed:
        download(server.url("nothing.png"), folder, threading.Event())
    assert failed.value.message == "the download failed: HTTP 404"
    assert list(folder.iterdir()) == []


def test_an_unreachable_server_says_so(tmp_path: Path) -> None:
    with web_server(tmp_path) as server:
        url = server.url("photo.png")
    with pytest.raises(ImageLoadError, match="the download failed: ConnectionError"):
        download(url, tmp_path / "downloads", threading.Event())


def test_a_file_over_the_limit_is_refused(
    served: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download_module, "DOWNLOAD_LIMIT", 100)
    folder = tmp_path / "downloads"
    with web_server(served) as server, pytest.raises(ImageLoadError) as failed:
        download(server.url("photo.png"), folder, threading.Event())
    assert failed.value.message == "the download is too large (over 100 MB)"
    assert list(folder.iterdir()) == []


def test_a_cancel_while_the_server_stalls_is_a_cancel_at_once(served: Path, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    cancel = threading.Event()
    outcome: list[BaseException | Path] = []

    def fetch(url: str) -> None:
        try:
            outcome.append(download(url, folder, cancel))
        except BaseException as exc:  # what the download raised is its outcome
            outcome.append(exc)

    with web_server(served) as server:
        fetching = threading.Thread(target=fetch, args=(server.url("photo.png", stall=True),))
        fetching.start()
        assert server.stalled.wait(10), "the server never began to answer"
        cancel.set()
        fetching.join(CANCEL_WITHIN)
        stalled_on = fetching.is_alive()
    fetching.join()
    assert not stalled_on, f"the cancel waited for the server for over {CANCEL_WITHIN} s"
    assert len(outcome) == 1 and isinstance(outcome[0], DownloadCancelled), outcome
    assert list(folder.iterdir()) == []
