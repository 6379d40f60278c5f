"""Loading sources off the GUI thread: a quick reduced preview first, then the full image."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

from outpaint_studio.core.words import reason
from outpaint_studio.model.workers import Report, Worker, Workers

if TYPE_CHECKING:  # Pillow, requests and the decoders load in the worker, not at start-up
    from PIL import Image

DEFAULT_VIEW = (1024, 1024)  # the view the first, quick picture fills when none is given
DISPLAY_SIDE = 4096  # the sharper picture shown once the full image is decoded


def to_qimage(image: Image.Image) -> QImage:
    """A deep-copied QImage of a Pillow image (safe to send across threads); an RGB image at 3
    bytes a pixel, with no RGBA copy on the way (a 4 MP result: 12 MB held, not 16)."""
    if image.mode == "RGB":
        data, row, fmt = image.tobytes(), image.width * 3, QImage.Format.Format_RGB888
    else:
        rgba = image.convert("RGBA")
        data, row, fmt = rgba.tobytes(), image.width * 4, QImage.Format.Format_RGBA8888
    return QImage(data, image.width, image.height, row, fmt).copy()


def display_image(image: Image.Image) -> Image.Image:
    """The image reduced to fit :data:`DISPLAY_SIDE`, with no full-size copy on the way."""
    from PIL import Image

    scale = DISPLAY_SIDE / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


@dataclass(frozen=True)
class PreviewReady:
    """The first, reduced picture of a source, and where and how large the whole one is."""

    image: QImage
    path: str
    full_size: tuple[int, int]


class LoadCancelled(Exception):
    """A newer load (or closing) took over; nothing to show."""


def load_source(
    location: str, downloads: Path, view: tuple[int, int], report: Report, cancel: threading.Event
) -> QImage:
    """The load work: reports a :class:`PreviewReady` that fills ``view`` (pixels), then the
    ``SourceImage``; returns a sharper display image (null when the preview is the whole image).
    Raises ImageLoadError, OSError or MemoryError for a source that cannot be used."""
    from outpaint_studio.core.download import DownloadCancelled, download, is_web_address
    from outpaint_studio.core.images import load_image
    from outpaint_studio.core.preview import load_preview

    path = Path(location)
    if is_web_address(location):
        try:
            path = download(location, downloads, cancel)
        except DownloadCancelled:
            raise LoadCancelled from None
    preview = load_preview(path, view)
    report(PreviewReady(to_qimage(preview.image), str(path), preview.full_size))
    if cancel.is_set():
        raise LoadCancelled
    source = load_image(path)
    report(source)
    if preview.image.size == source.size or cancel.is_set():
        return QImage()
    return to_qimage(display_image(source.image))


def load_error_text(exc: Exception) -> str:
    """What the user reads when a source cannot be opened: one line, no traceback."""
    from outpaint_studio.core.images import ImageLoadError

    if isinstance(exc, ImageLoadError):
        return exc.message
    if isinstance(exc, MemoryError):
        return "the image is too large for the memory available"
    if isinstance(exc, OSError):
        return f"cannot open the image: {reason(exc)}"
    return f"cannot open the image ({type(exc).__name__})"


class Loader(QObject):
    """Starts loads through the window's workers; only the newest one's signals get through.

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

    def __init__(self, workers: Workers, downloads: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workers = workers
        self.downloads = downloads
        self._current: Worker | None = None
        self._running: set[Worker] = set()

    def load(self, location: str, view: tuple[int, int] = DEFAULT_VIEW) -> None:
        """Load ``location``; the preview fills ``view``, the canvas's size in device pixels."""
        if self._current is not None:
            self._current.cancel.set()

        work = functools.partial(load_source, location, self.downloads, view)
        worker = self.workers.start(
            work,
            f"load {location}",
            progress=self._on_progress,
            returned=self._on_returned,
            errored=self._on_errored,
        )
        worker.finished.connect(self._on_finished)
        self._current = worker
        self._running.add(worker)

    def busy(self) -> bool:
        return bool(self._running)

    def _is_current(self) -> bool:
        return self.sender() is self._current and self._current is not None

    @Slot(object)
    def _on_progress(self, stage: object) -> None:
        if not self._is_current():
            return
        if isinstance(stage, PreviewReady):
            self.preview.emit(stage.image, stage.path, stage.full_size)
        else:
            self.loaded.emit(stage)

    @Slot(object)
    def _on_returned(self, image: QImage) -> None:
        if self._is_current() and not image.isNull():
            self.refined.emit(image)

    @Slot(object)
    def _on_errored(self, exc: Exception) -> None:
        if self._is_current() and not isinstance(exc, LoadCancelled):
            self.failed.emit(load_error_text(exc))

    @Slot()
    def _on_finished(self) -> None:
        worker = self.sender()
        if isinstance(worker, Worker):
            self._running.discard(worker)
            if worker is self._current:
                self._current = None


__all__ = ["Loader", "PreviewReady", "display_image", "load_source", "to_qimage"]
