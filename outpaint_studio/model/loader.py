"""Loading sources off the GUI thread: a quick reduced preview first, then the full image."""

from __future__ import annotations

import re
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from outpaint_studio.core.settings import data_dir

if TYPE_CHECKING:  # Pillow and the decoders load in the worker, not at start-up
    from PIL import Image

PREVIEW_SIDE = 1024  # the first, quick picture (JPEG decodes at 1/4 or 1/8 scale)
DISPLAY_SIDE = 4096  # the sharper picture shown once the full image is decoded
DOWNLOAD_LIMIT = 100_000_000
DOWNLOAD_TIMEOUT = 30.0


def to_qimage(image: Image.Image) -> QImage:
    """A deep-copied QImage of a Pillow image (safe to send across threads)."""
    rgba = image.convert("RGBA")
    data = rgba.tobytes()
    qimage = QImage(data, rgba.width, rgba.height, rgba.width * 4, QImage.Format.Format_RGBA8888)
    return qimage.copy()


def display_image(image: Image.Image) -> Image.Image:
    """The image reduced to fit :data:`DISPLAY_SIDE`, with no full-size copy on the way."""
    from PIL import Image

    scale = DISPLAY_SIDE / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def download(url: str, cancel: threading.Event) -> Path:
    """Fetch an http(s) image into the downloads folder, with a size cap and a time-out."""
    import requests

    from outpaint_studio.core.images import ImageLoadError

    folder = data_dir() / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", url.rstrip("/").rsplit("/", 1)[-1].split("?")[0])
    target = folder / f"{uuid.uuid4().hex[:8]}-{name or 'image'}"
    try:
        with requests.get(url, stream=True, timeout=DOWNLOAD_TIMEOUT) as response:
            if response.status_code != 200:
                raise ImageLoadError(f"the download failed: HTTP {response.status_code}")
            received = 0
            with open(target, "wb") as handle:
                for chunk in response.iter_content(1 << 16):
                    received += len(chunk)
                    if received > DOWNLOAD_LIMIT or cancel.is_set():
                        raise ImageLoadError("the download is too large (over 100 MB)")
                    handle.write(chunk)
    except requests.RequestException as exc:
        target.unlink(missing_ok=True)
        raise ImageLoadError(f"the download failed: {type(exc).__name__}") from None
    except ImageLoadError:
        target.unlink(missing_ok=True)
        raise
    return target


class LoadThread(QThread):
    """Decodes one source: ``preview`` at once, then ``loaded`` with the full image."""

    preview = Signal(int, QImage, str, int, int)  # token, image, path, full width, height
    loaded = Signal(int, object)  # token, SourceImage
    failed = Signal(int, str)  # token, message
    refined = Signal(int, QImage)  # token, a sharper display image

    def __init__(self, token: int, location: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.token = token
        self.location = location
        self.cancel = threading.Event()

    def run(self) -> None:
        from outpaint_studio.core.images import ImageLoadError, load_image
        from outpaint_studio.core.preview import load_preview

        try:
            path = Path(self.location)
            if self.location.startswith(("http://", "https://")):
                path = download(self.location, self.cancel)
            preview = load_preview(path, PREVIEW_SIDE)
            width, height = preview.full_size
            self.preview.emit(self.token, to_qimage(preview.image), str(path), width, height)
            if self.cancel.is_set():
                return
            source = load_image(path)
            self.loaded.emit(self.token, source)
            if max(source.size) > PREVIEW_SIDE and not self.cancel.is_set():
                self.refined.emit(self.token, to_qimage(display_image(source.image)))
        except ImageLoadError as exc:
            self.failed.emit(self.token, exc.message)
        except OSError as exc:
            self.failed.emit(self.token, f"cannot open the image: {exc.strerror or exc}")
        except MemoryError:
            self.failed.emit(self.token, "the image is too large for the memory available")


class Loader(QObject):
    """Starts loads; only the newest one's signals get through.

    Signals:
        preview(QImage, str, tuple): the reduced image, the file path and the full size.
        loaded(object): the full :class:`SourceImage`.
        failed(str): a message for the user; nothing was changed.
        refined(QImage): a sharper display image, after ``loaded``.
    """

    preview = Signal(QImage, str, tuple)
    refined = Signal(QImage)
    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._token = 0
        self._threads: list[LoadThread] = []

    def load(self, location: str) -> None:
        self._token += 1
        for thread in self._threads:
            thread.cancel.set()
        thread = LoadThread(self._token, location, self)
        thread.preview.connect(self._on_preview)
        thread.loaded.connect(self._on_loaded)
        thread.failed.connect(self._on_failed)
        thread.refined.connect(self._on_refined)
        thread.finished.connect(self._on_finished)
        self._threads.append(thread)
        thread.start()

    def busy(self) -> bool:
        return any(t.isRunning() for t in self._threads)

    @Slot(int, QImage, str, int, int)
    def _on_preview(self, token: int, image: QImage, path: str, width: int, height: int) -> None:
        if token == self._token:
            self.preview.emit(image, path, (width, height))

    @Slot(int, object)
    def _on_loaded(self, token: int, source: object) -> None:
        if token == self._token:
            self.loaded.emit(source)

    @Slot(int, QImage)
    def _on_refined(self, token: int, image: QImage) -> None:
        if token == self._token:
            self.refined.emit(image)

    @Slot(int, str)
    def _on_failed(self, token: int, message: str) -> None:
        if token == self._token:
            self.failed.emit(message)

    @Slot()
    def _on_finished(self) -> None:
        for thread in [t for t in self._threads if t.isFinished()]:
            self._threads.remove(thread)
            thread.deleteLater()

    def shutdown(self) -> None:
        for thread in self._threads:
            thread.cancel.set()
        for thread in self._threads:
            thread.wait()
        self._threads = []
