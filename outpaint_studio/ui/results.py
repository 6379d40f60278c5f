"""The latest result: shown on the canvas in place, saved, copied, or used as the next source."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from outpaint_studio.core.editor import Geometry
from outpaint_studio.core.settings import Settings, data_dir, dialog_folder
from outpaint_studio.model.jobs import JobOutcome
from outpaint_studio.ui.canvas import CanvasView

if TYPE_CHECKING:
    from outpaint_studio.core.jobs import JobRecord
    from outpaint_studio.ui.main_window import MainWindow

SAVE_FILTERS = {
    "png": "PNG image (*.png)",
    "jpeg": "JPEG image (*.jpg *.jpeg)",
    "webp": "WebP image (*.webp)",
}
SUFFIX_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}


def extension(fmt: str) -> str:
    return ".jpg" if fmt == "jpeg" else f".{fmt}"


def load_record(key: str) -> JobRecord | None:
    """The job's journal record, or None when it cannot be read."""
    from outpaint_studio.core.jobs import Journal
    from outpaint_studio.core.settings import journal_dir

    try:
        return Journal(journal_dir()).load(key)
    except (OSError, ValueError, KeyError):
        return None


def write_export(source: str, record: JobRecord | None, path: Path, fmt: str, overwrite: bool
                 ) -> Path:  # fmt: skip
    """Encode ``source`` as ``fmt`` with the job's parameters as metadata, written atomically."""
    from PIL import Image

    from outpaint_studio.core.files import write_atomic
    from outpaint_studio.core.images import encode_image
    from outpaint_studio.core.metadata import encode_with_metadata

    with Image.open(source) as opened:
        opened.load()
        data = (encode_with_metadata(opened, fmt, record) if record is not None
                else encode_image(opened, fmt))  # fmt: skip
    return write_atomic(data, path, overwrite=overwrite)


class ResultKeeper(QObject):
    """Holds the last finished result and what can be done with it."""

    def __init__(self, window: MainWindow, canvas: CanvasView, settings: Settings) -> None:
        super().__init__(window)
        self.window = window
        self.canvas = canvas
        self.settings = settings
        self.outcome: JobOutcome | None = None
        self.image: QImage | None = None
        self._shown_for: Geometry | None = None  # the geometry the result belongs to
        self._on_canvas = 0  # the cacheKey of the image the canvas shows
        window.jobs.composed.connect(self.show_composed)

    def show(self, outcome: JobOutcome, image: QImage) -> None:
        self.outcome = outcome
        self.image = image
        self._put_on_canvas(image)
        self.window.update_result_actions()

    def show_composed(self, index: int, image: QImage) -> None:
        """A single Extend's result as soon as it is composed, while it is being saved (the
        actions on it wait for ``show``); variations show in their strip once saved."""
        if self.window.jobs.batch_size() == 1:
            self._put_on_canvas(image)

    def _put_on_canvas(self, image: QImage) -> None:
        self._shown_for = self.window.model.state.geometry
        if image.cacheKey() != self._on_canvas or not self.canvas.result_item.isVisible():
            self.canvas.show_result(image)
            self._on_canvas = image.cacheKey()

    def clear(self) -> None:
        self.outcome = None
        self.image = None
        self._shown_for = None
        self.canvas.show_result(None)
        self.window.update_result_actions()

    def geometry_changed(self) -> None:
        """The layout moved on: the result no longer sits on this canvas, hide it."""
        if self._shown_for is not None and self._shown_for != self.window.model.state.geometry:
            self.canvas.show_result(None)
            self._shown_for = None

    def has_result(self) -> bool:
        return self.outcome is not None and self.outcome.output_path is not None

    def use_as_source(self) -> None:
        if self.has_result() and self.outcome is not None and self.outcome.output_path:
            self.window.open_image(self.outcome.output_path)

    def suggested_path(self) -> Path:
        state = self.window.model.state
        stem = Path(state.source_path or "image").stem
        folder = Path(self.settings.output_dir or dialog_folder(state.source_path))
        ext = ".jpg" if state.options.output_format == "jpeg" else f".{state.options.output_format}"
        return folder / f"{stem}-extended{ext}"

    def ask_save_path(self, suggested: Path | None = None) -> tuple[str, str]:
        """The native save dialog (tests replace this method); returns path and format."""
        fmt = self.window.model.state.options.output_format
        filters = ";;".join(SAVE_FILTERS.values())
        path, chosen = QFileDialog.getSaveFileName(
            self.window,
            "Save the result",
            str(suggested or self.suggested_path()),
            filters,
            SAVE_FILTERS[fmt],
        )
        chosen_fmt = next((k for k, v in SAVE_FILTERS.items() if v == chosen), fmt)
        return path, chosen_fmt

    def save(self) -> Path | None:
        """Export the result where the user says; the dialog asked before any overwrite.

        With variations kept, those are exported instead (several: into a folder).
        """
        if self.window.variations.kept():
            written = self.window.variations.save_kept()
            return written[0] if written else None
        if not self.has_result() or self.outcome is None or not self.outcome.output_path:
            return None
        return self.export(self.outcome.output_path, load_record(self.outcome.key))

    def export(self, source: str, record: JobRecord | None, suggested: Path | None = None
               ) -> Path | None:  # fmt: skip
        """Save ``source`` where the user says, carrying the job's parameters as metadata."""
        path_text, fmt = self.ask_save_path(suggested)
        if not path_text:
            return None
        path = Path(path_text)
        fmt = SUFFIX_FORMATS.get(path.suffix.lower(), fmt)
        if path.suffix.lower() not in SUFFIX_FORMATS:
            path = path.with_name(path.name + extension(fmt))
        written = write_export(source, record, path, fmt, overwrite=path.exists())
        self.settings.output_dir = str(written.parent)
        self.window.statusBar().showMessage(f"Saved {written}", 8000)
        return written

    def ask_folder(self) -> str:
        """The native folder dialog for several kept variations (tests replace this method)."""
        start = self.settings.output_dir or str(Path.home())
        return QFileDialog.getExistingDirectory(self.window, "Save the kept variations", start)

    def export_to_folder(self, items: list[tuple[str, JobRecord | None, int]]) -> list[Path]:
        """Save each (file, record, number) as ``<source>-extended-<number>`` in one folder,
        in the job's format; a name already taken gets the next free one, nothing is replaced."""
        folder_text = self.ask_folder() if items else ""
        if not folder_text:
            return []
        folder = Path(folder_text)
        stem = Path(self.window.model.state.source_path or "image").stem
        written: list[Path] = []
        for source, record, number in items:
            fmt = record.params.output_format if record is not None else "png"
            path = folder / f"{stem}-extended-{number}{extension(fmt)}"
            written.append(write_export(source, record, path, fmt, overwrite=False))
        self.settings.output_dir = str(folder)
        self.window.statusBar().showMessage(f"Saved {len(written)} variations in {folder}", 8000)
        return written

    def store_pasted(self, image: QImage) -> Path | None:
        """Keep a pasted or dropped image as a PNG file, so a job can name its input."""
        if image.isNull():
            return None
        folder = data_dir() / "pasted"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"pasted-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.png"
        if not image.save(str(path)):
            return None
        return path

    def shutdown(self) -> None:
        """Nothing runs in the background here; kept for symmetry with the other parts."""
