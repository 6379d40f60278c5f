"""File › Export layers…, Export mask… and Open layers in…: the latest result handed on.

The layers are composed and encoded off the GUI thread; errors reach the banner in one line.
"Open layers in…" writes a PSD under the app's folder and opens it with the application the
desktop associates with PSD files (Photoshop, Affinity, Photopea, GIMP, Krita).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QThread, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMenu

from outpaint_studio.core.settings import data_dir

if TYPE_CHECKING:
    from outpaint_studio.core.jobs import JobRecord
    from outpaint_studio.ui.main_window import MainWindow

LAYER_FILTERS = {".psd": "Photoshop document (*.psd)", ".ora": "OpenRaster (*.ora)"}
MASK_FILTER = "Generated-area mask (*.png)"
OPEN_IN_FORMAT = ".psd"  # the layered format most editors open
OPEN_IN_KEPT_SECONDS = 24 * 3600  # older hand-over files are removed at the next one


def open_in_folder() -> Path:
    return data_dir() / "open-in"


class ExportThread(QThread):
    """Builds a job's layers and writes them (``mask``: only the generated area)."""

    written = Signal(str)
    failed = Signal(str)

    def __init__(
        self, record: JobRecord, target: Path, mask: bool, overwrite: bool, parent: QObject
    ) -> None:
        super().__init__(parent)
        self.record = record
        self.target = target
        self.mask = mask
        self.overwrite = overwrite

    def run(self) -> None:
        from outpaint_studio.core.layer_export import (
            LayerExportError,
            job_layers,
            write_layers,
            write_mask,
        )

        write = write_mask if self.mask else write_layers
        try:
            written = write(job_layers(self.record), self.record, self.target, self.overwrite)
        except LayerExportError as exc:
            self.failed.emit(exc.message)
        except MemoryError:
            self.failed.emit("the layers are too large for the memory available")
        else:
            self.written.emit(str(written))


class LayeredExport(QObject):
    """The three actions' logic; waits for its exports when the window closes."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._threads: list[ExportThread] = []
        window.installEventFilter(self)

    def add_actions(self, menu: QMenu) -> list[QAction]:
        """The actions in ``menu``, enabled whenever there is a result when it opens."""
        actions = []
        for text, slot, name in (
            ("Export &layers…", self.export_layers, "exportLayersAction"),
            ("Export &mask…", self.export_mask, "exportMaskAction"),
            ("Open layers i&n…", self.open_in, "openInAction"),
        ):
            action = QAction(text, self.window)
            action.setObjectName(name)
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            menu.addAction(action)
            actions.append(action)
        menu.aboutToShow.connect(lambda: self._enable(actions))
        return actions

    def _enable(self, actions: list[QAction]) -> None:
        for action in actions:
            action.setEnabled(self._has_result())

    def record(self) -> JobRecord | None:
        from outpaint_studio.ui.results import load_record

        outcome = self.window.results.outcome
        return load_record(outcome.key) if outcome is not None else None

    def ask_path(self, title: str, suggested: Path, filters: list[str]) -> tuple[str, str]:
        """The native save dialog (tests replace this method); returns path and filter chosen."""
        return QFileDialog.getSaveFileName(self.window, title, str(suggested), ";;".join(filters))

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
        folder = open_in_folder()
        _remove_older_than(folder, time.time() - OPEN_IN_KEPT_SECONDS)
        name = f"{Path(record.params.input).stem}-{record.key[:8]}{OPEN_IN_FORMAT}"
        self._start(record, folder / name, mask=False, then=self._open)

    def busy(self) -> bool:
        return any(thread.isRunning() for thread in self._threads)

    def shutdown(self) -> None:
        for thread in self._threads:
            thread.wait()
        self._threads = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.shutdown()  # an export finishing its file is waited for, never cut off
        return False

    def _has_result(self) -> bool:
        return self.window.results.has_result()

    def _wanted(self) -> JobRecord | None:
        """The latest result's record, or None with the reason in the banner."""
        record = self.record() if self._has_result() else None
        if record is None:
            self._failed("There is no result to export yet")
        return record

    def _export(self, title: str, ending: str, filters: dict[str, str], mask: bool) -> None:
        """Ask where (``ending`` completes the suggested name), then export in the background."""
        record = self._wanted()
        if record is None:
            return
        flat = self.window.results.suggested_path()  # where Save would suggest the flat export
        chosen, kind = self.ask_path(title, flat.with_name(flat.stem + ending), [*filters.values()])
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
        thread = ExportThread(record, target, mask, overwrite, self)
        thread.written.connect(then)
        thread.failed.connect(self._failed)
        thread.finished.connect(self._forget_finished)
        self._threads.append(thread)
        self.window.statusBar().showMessage(f"Exporting {target.name}…")
        thread.start()

    def _saved(self, path: str) -> None:
        self.window.statusBar().showMessage(f"Saved {path}", 8000)

    def _open(self, path: str) -> None:
        if QDesktopServices.openUrl(QUrl.fromLocalFile(path)):
            self.window.statusBar().showMessage(f"Opened {Path(path).name}", 8000)
        else:
            self._failed(f"No application here opens {Path(path).suffix} files; it is at {path}")

    def _failed(self, message: str) -> None:
        self.window.statusBar().clearMessage()
        self.window.banner.show_message(message[0].upper() + message[1:], "error", kind="export")

    def _forget_finished(self) -> None:
        for thread in [t for t in self._threads if t.isFinished()]:
            self._threads.remove(thread)
            thread.deleteLater()


def _remove_older_than(folder: Path, cutoff: float) -> None:
    for path in folder.glob("*") if folder.is_dir() else []:
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue  # still open elsewhere, or gone already: the next time
