"""File › Export layers…, Export mask… and Open layers in…: the latest result handed on.

The layers are composed and encoded off the GUI thread; errors reach the user in one line.
"Open layers in…" writes a PSD under the app's folder and opens it with the application the
desktop associates with PSD files (Photoshop, Affinity, Photopea, GIMP, Krita).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMenu, QWidget

from outpaint_studio.model.errors import ErrorModel, UserError
from outpaint_studio.model.results import Results
from outpaint_studio.model.workers import Report, Work, Workers
from outpaint_studio.ui.dialogs import Dialogs

if TYPE_CHECKING:
    from outpaint_studio.core.jobs import JobRecord, Journal

LAYER_FILTERS = {".psd": "Photoshop document (*.psd)", ".ora": "OpenRaster (*.ora)"}
MASK_FILTER = "Generated-area mask (*.png)"
OPEN_IN_FORMAT = ".psd"  # the layered format most editors open
OPEN_IN_KEPT_SECONDS = 24 * 3600  # older hand-over files are removed at the next one


def export_work(record: JobRecord, target: Path, mask: bool, overwrite: bool) -> Work:
    """Build a job's layers and write them (``mask``: only the generated area); the work
    returns the path written, or raises LayerExportError with the user's one line."""

    def work(_report: Report, _cancel: threading.Event) -> str:
        from outpaint_studio.core.layer_export import (
            LayerExportError,
            job_layers,
            write_layers,
            write_mask,
        )

        write = write_mask if mask else write_layers
        try:
            return str(write(job_layers(record), record, target, overwrite))
        except MemoryError:
            raise LayerExportError("the layers are too large for the memory available") from None

    return work


class LayeredExport(QObject):
    """The three actions' logic, for the result ``results`` shows (its record read from
    ``journal``); ``suggested_path`` is where Save would suggest the flat export, and
    ``open_in_folder`` where "Open layers in…" leaves its files. Exports run
    through the window's Workers owner, which lets them finish their file when the window
    closes; failures go to the ErrorModel.

    Signals:
        status_message(str, int): words for the status bar and how long to show them (ms; 0:
            until replaced); an empty text clears it.
    """

    status_message = Signal(str, int)

    def __init__(
        self,
        results: Results,
        journal: Journal,
        open_in_folder: Path,
        suggested_path: Callable[[], Path],
        workers: Workers,
        errors: ErrorModel,
        dialogs: Dialogs,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.results = results
        self.journal = journal
        self.open_in_folder = open_in_folder
        self.suggested_path = suggested_path
        self.workers = workers
        self.errors = errors
        self.dialogs = dialogs
        self._exporting = 0

    def add_actions(self, menu: QMenu) -> list[QAction]:
        """The actions in ``menu``, enabled whenever there is a result when it opens."""
        actions = []
        for text, slot, name in (
            ("Export &layers…", self.export_layers, "exportLayersAction"),
            ("Export &mask…", self.export_mask, "exportMaskAction"),
            ("Open layers i&n…", self.open_in, "openInAction"),
        ):
            action = QAction(text, menu)
            action.setObjectName(name)
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            menu.addAction(action)
            actions.append(action)
        menu.aboutToShow.connect(lambda: self._enable(actions))
        return actions

    def _enable(self, actions: list[QAction]) -> None:
        for action in actions:
            action.setEnabled(self.results.has_result())

    def record(self) -> JobRecord | None:
        outcome = self.results.outcome
        return self.journal.find(outcome.key) if outcome is not None else None

    def export_layers(self) -> None:
        self._export("Export layers", ".psd", LAYER_FILTERS, mask=False)

    def export_mask(self) -> None:
        from outpaint_studio.core.layer_export import MASK_SUFFIX

        title = "Export the generated-area mask"
        self._export(title, MASK_SUFFIX, {".png": MASK_FILTER}, mask=True)

    def open_in(self) -> None:
        record = self._wanted()
        if record is None:
            return
        folder = self.open_in_folder
        _remove_older_than(folder, time.time() - OPEN_IN_KEPT_SECONDS)
        name = f"{Path(record.params.input).stem}-{record.key[:8]}{OPEN_IN_FORMAT}"
        self._start(record, folder / name, mask=False, then=self._open)

    def busy(self) -> bool:
        return self._exporting > 0

    def _wanted(self) -> JobRecord | None:
        """The latest result's record, or None with the reason reported."""
        record = self.record() if self.results.has_result() else None
        if record is None:
            self._failed("There is no result to export yet")
        return record

    def _export(self, title: str, ending: str, filters: dict[str, str], mask: bool) -> None:
        """Ask where (``ending`` completes the suggested name), then export in the background."""
        record = self._wanted()
        if record is None:
            return
        flat = self.suggested_path()
        suggested = str(flat.with_name(flat.stem + ending))
        chosen, kind = self.dialogs.save_path(title, suggested, [*filters.values()])
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() not in filters:
            suffix = next((s for s, text in filters.items() if text == kind), next(iter(filters)))
            path = path.with_name(path.name + suffix)
        # the dialog asked before replacing the name it returned, not one completed here
        self._start(record, path, mask, self._saved, overwrite=str(path) == chosen)

    def _start(
        self,
        record: JobRecord,
        target: Path,
        mask: bool,
        then: Callable[[str], None],
        overwrite: bool = True,
    ) -> None:
        self._exporting += 1
        self.status_message.emit(f"Exporting {target.name}…", 0)
        worker = self.workers.start(
            export_work(record, target, mask, overwrite),
            f"export {target.name}",
            returned=then,
            errored=self._export_failed,
        )
        worker.finished.connect(self._export_ended)

    def _saved(self, path: str) -> None:
        self.status_message.emit(f"Saved {path}", 8000)

    def _open(self, path: str) -> None:
        if QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
            self.status_message.emit(f"Opened {Path(path).name}", 8000)
        else:
            self._failed(f"No application here opens {Path(path).suffix} files; it is at {path}")

    def _export_failed(self, error: Exception) -> None:
        from outpaint_studio.core.layer_export import LayerExportError

        if isinstance(error, LayerExportError):
            self._failed(error.message)
        else:
            self._failed(f"The export failed: {error}")

    def _failed(self, message: str) -> None:
        self.status_message.emit("", 0)
        self.errors.report(UserError(message, kind="export"))

    def _export_ended(self) -> None:
        self._exporting -= 1


def _remove_older_than(folder: Path, cutoff: float) -> None:
    for path in folder.glob("*") if folder.is_dir() else []:
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue  # still open elsewhere, or gone already: the next time
