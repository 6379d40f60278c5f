"""The latest result: shown on the canvas in place, saved, copied, or used as the next source."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication, QImage

from outpaint_studio.core.file_formats import (
    DEFAULT_FORMAT,
    dialog_filters,
    extension,
    file_format,
    format_for_filter,
    format_for_path,
)
from outpaint_studio.core.output import export_file, output_name
from outpaint_studio.core.restore import find_source, layout_of, same_file
from outpaint_studio.core.settings import Settings, save_folder
from outpaint_studio.core.words import reason
from outpaint_studio.model.editor import EditorModel
from outpaint_studio.model.errors import ErrorModel, UserError
from outpaint_studio.model.jobs import JobController, JobOutcome
from outpaint_studio.model.results import Results
from outpaint_studio.ui.canvas import CanvasView
from outpaint_studio.ui.dialogs import Dialogs

if TYPE_CHECKING:
    from outpaint_studio.core.jobs import JobParams, JobRecord, Journal


class ResultKeeper(QObject):
    """Shows the Results model's current result on the canvas, and saves, exports or hands on
    the result; what fails to save is reported to the ErrorModel.

    Signals:
        status_message(str, int): a passing word for the status bar, and for how many ms.
        open_requested(str): the user asked to use this file as the next source.
        restore_requested(JobParams): a result from the history needs its job's photo and
            layout back (its photo found).
    """

    status_message = Signal(str, int)
    open_requested = Signal(str)
    restore_requested = Signal(object)

    def __init__(
        self,
        results: Results,
        canvas: CanvasView,
        editor: EditorModel,
        jobs: JobController,
        settings: Settings,
        journal: Journal,
        dialogs: Dialogs,
        errors: ErrorModel,
    ) -> None:
        super().__init__(canvas)
        self.journal = journal
        self.dialogs = dialogs
        self.errors = errors
        self.results = results
        self.canvas = canvas
        self.editor = editor
        self.settings = settings
        self._on_canvas = 0  # the cacheKey of the image the canvas shows
        # a result from the history, and the layout it waits for
        self._waiting: tuple[JobOutcome, QImage, JobParams] | None = None
        jobs.composed.connect(lambda _index, image: results.composed(image))
        jobs.finished.connect(self._collected)
        editor.changed.connect(self._layout_changed)
        results.layout_changed(editor.state.geometry)
        results.current_changed.connect(self._follow)
        results.status_message.connect(self.status_message)

    @property
    def outcome(self) -> JobOutcome | None:
        return self.results.outcome

    @property
    def image(self) -> QImage | None:
        return self.results.image

    def show(self, outcome: JobOutcome, image: QImage) -> None:
        """Show a result from the history in place on the current layout. One made from another
        photo or on another canvas would not fit it: its own layout is reopened first (when its
        photo can be found), and the result shown once that layout is back."""
        record = self.journal.find(outcome.key)
        recent = self.settings.recent_files
        photo = find_source(record.params.input, None, recent) if record is not None else None
        self._waiting = None
        if record is not None and photo is not None:
            params = replace(record.params, input=str(photo))
            if not self._fits(params):
                self._waiting = (outcome, image, params)
                self.restore_requested.emit(params)
                return
        self.results.show(outcome, image, self.editor.state.geometry)

    def _fits(self, params: JobParams) -> bool:
        """Whether a job's result covers the current canvas: same photo, same canvas size."""
        state, g = self.editor.state, self.editor.state.geometry
        same_photo = state.source_path is not None and same_file(params.input, state.source_path)
        return same_photo and (params.width, params.height) == (g.canvas_width, g.canvas_height)

    @Slot(object, QImage)
    def _collected(self, outcome: JobOutcome, image: QImage) -> None:
        """A job collected later (Poll again, the start) is shown when no photo is open or it
        fits the canvas; one of another photo stays in History rather than take the canvas from
        the work at hand (seen drawn at its corner, in a user trial)."""
        if not (outcome.collected and outcome.succeeded):
            return
        record = self.journal.find(outcome.key)
        if self.editor.state.source_path is None or record is None or self._fits(record.params):
            self.results.show(outcome, image, self.editor.state.geometry)

    @Slot()
    def _layout_changed(self) -> None:
        geometry = self.editor.state.geometry
        self.results.layout_changed(geometry)
        if self._waiting is None:
            return
        outcome, image, params = self._waiting
        if layout_of(params) == geometry and self._fits(params):
            self._waiting = None
            self.results.show(outcome, image, geometry)

    def clear(self) -> None:
        self.results.clear()

    def has_result(self) -> bool:
        return self.results.has_result()

    @Slot()
    def _follow(self) -> None:
        image = self.results.image
        if image is None or self.results.stale:
            self.canvas.show_result(None)
            self._on_canvas = 0
        elif image.cacheKey() != self._on_canvas or not self.canvas.result_item.isVisible():
            self.canvas.show_result(image)
            self._on_canvas = image.cacheKey()

    def copy(self) -> None:
        """The result on the canvas to the clipboard."""
        image = self.image
        if image is not None:
            QGuiApplication.clipboard().setImage(image)
            self.status_message.emit("Copied to the clipboard", 5000)

    def use_as_source(self) -> None:
        if self.outcome is not None and self.outcome.output_path:
            self.open_requested.emit(self.outcome.output_path)

    def suggested_path(self) -> Path:
        """Beside the photo the shown result was made from, named by its format if it has one,
        as Export all names it ("beach-4x5.png")."""
        record = self.journal.find(self.outcome.key) if self.outcome is not None else None
        target = record.params.target if record is not None else None
        made_from = record.params.input if record is not None else self.editor.state.source_path
        source = self.journal.photo_of(made_from) if made_from else None
        folder = save_folder(self.settings, source)
        return folder / output_name(source, self.editor.state.options.output_format, target)

    def save(self) -> Path | None:
        """Export the result where the user says; the dialog asked before any overwrite.

        With variations kept, those are exported instead (several: into a folder).
        """
        kept = [(e.outcome.output_path, self.journal.find(e.outcome.key), e.index + 1)
                for e in self.results.kept() if e.outcome and e.outcome.output_path]  # fmt: skip
        if len(kept) == 1:
            return self.export(kept[0][0], kept[0][1])
        if kept:
            written = self.export_to_folder(kept)
            return written[0] if written else None
        if self.outcome is None or not self.outcome.output_path:
            return None
        return self.export(self.outcome.output_path, self.journal.find(self.outcome.key))

    def export(self, source: str, record: JobRecord | None, suggested: Path | None = None
               ) -> Path | None:  # fmt: skip
        """Save ``source`` where the user says, carrying the job's parameters as metadata."""
        fmt = self.editor.state.options.output_format
        path_text, chosen = self.dialogs.save_path(
            "Save the result", str(suggested or self.suggested_path()),
            dialog_filters(), file_format(fmt).dialog_filter,
        )  # fmt: skip
        if not path_text:
            return None
        fmt = format_for_filter(chosen) or fmt
        path = Path(path_text)
        named_format = format_for_path(path)
        if named_format is None:
            path = path.with_name(path.name + extension(fmt))
        fmt = named_format or fmt
        try:
            # the dialog asked about the file it named; one with an added extension is not replaced
            written = export_file(source, record, path, fmt, overwrite=str(path) == path_text)
        except (OSError, ValueError) as exc:
            self._export_failed(path, exc)
            return None
        self.settings.last_save_dir = str(written.parent)
        self.status_message.emit(f"Saved {written}", 8000)
        return written

    def export_to_folder(self, items: list[tuple[str, JobRecord | None, int]]) -> list[Path]:
        """Save each (file, record, number) as ``<source>-extended-<number>`` in one folder,
        in the job's format; a name already taken gets the next free one, nothing is replaced."""
        start = str(save_folder(self.settings, self.editor.state.source_path))
        folder_text = self.dialogs.folder("Save the kept variations", start) if items else ""
        if not folder_text:
            return []
        folder = Path(folder_text)
        source_path = self.editor.state.source_path
        written: list[Path] = []
        for source, record, number in items:
            fmt = record.params.output_format if record is not None else DEFAULT_FORMAT
            path = folder / output_name(source_path, fmt, number=number)
            try:
                written.append(export_file(source, record, path, fmt, overwrite=False))
            except (OSError, ValueError) as exc:
                self._export_failed(path, exc)
                return written
        self.settings.last_save_dir = str(folder)
        self.status_message.emit(f"Saved {len(written)} variations in {folder}", 8000)
        return written

    def _export_failed(self, path: Path, exc: Exception) -> None:
        self.errors.report(UserError(f"Could not save {path.name}: {reason(exc)}", kind="export"))

    def store_pasted(self, image: QImage, folder: Path) -> Path | None:
        """Keep a pasted or dropped image as a PNG file in ``folder``, so a job can name its
        input."""
        if image.isNull():
            return None
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"pasted-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.png"
        if not image.save(str(path)):
            return None
        return path
