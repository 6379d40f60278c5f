"""Fetching an image from an http(s) address: a size cap, a time-out, and a cancel that works
even while the server stalls. The file appears whole or not at all."""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from outpaint_studio.core.decode import ImageLoadError

if TYPE_CHECKING:  # requests loads for a download only: opening a local file does not need it
    import requests

DOWNLOAD_LIMIT = 100_000_000
DOWNLOAD_TIMEOUT = 30.0  # to connect, and between two reads
CHUNK = 1 << 16
CANCEL_CHECK = 0.05  # how often the watcher looks at the cancel flag, in seconds


class DownloadCancelled(Exception):
    """The download was cancelled; nothing was kept, and there is nothing to tell the user."""


def is_web_address(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def download(url: str, folder: Path, cancel: threading.Event) -> Path:
    """Fetch ``url`` into ``folder`` and return the new file. Raises ImageLoadError for a failed
    or too large download, DownloadCancelled once ``cancel`` is set (also mid-read: the socket is
    shut, so a stalled server does not hold the cancel until the time-out)."""
    import requests

    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", url.rstrip("/").rsplit("/", 1)[-1].split("?")[0])
    target = folder / f"{uuid.uuid4().hex[:8]}-{name or 'image'}"
    partial = target.with_name(f".{target.name}.part")
    try:
        with requests.get(url, stream=True, timeout=DOWNLOAD_TIMEOUT) as response:
            if response.status_code != 200:
                raise ImageLoadError(f"the download failed: HTTP {response.status_code}")
            with _shut_on_cancel(response, cancel):
                _receive(response, partial, cancel)
        os.replace(partial, target)
    except requests.RequestException as exc:
        partial.unlink(missing_ok=True)
        if cancel.is_set():
            raise DownloadCancelled from None
        raise ImageLoadError(f"the download failed: {type(exc).__name__}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _receive(response: requests.Response, partial: Path, cancel: threading.Event) -> None:
    announced = int(response.headers.get("Content-Length") or 0)
    if announced > DOWNLOAD_LIMIT:
        raise ImageLoadError("the download is too large (over 100 MB)")
    received = 0
    with open(partial, "wb") as handle:
        for chunk in response.iter_content(CHUNK):
            if cancel.is_set():
                break
            received += len(chunk)
            if received > DOWNLOAD_LIMIT:
                raise ImageLoadError("the download is too large (over 100 MB)")
            handle.write(chunk)
    if cancel.is_set():  # a socket shut by the watcher reads as an early end
        raise DownloadCancelled


@contextmanager
def _shut_on_cancel(response: requests.Response, cancel: threading.Event) -> Iterator[None]:
    """While the body is read, a watcher shuts the socket's reading side once ``cancel`` is
    set: a read blocked on a stalled server returns at once instead of at the time-out."""
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if cancel.wait(CANCEL_CHECK):
                with suppress(OSError, RuntimeError, ValueError):  # already closed or released
                    response.raw.shutdown()
                return

    watcher = threading.Thread(target=watch, name="download-cancel", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
