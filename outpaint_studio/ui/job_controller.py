"""Runs Extend jobs through the core's JobRunner in a background thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from outpaint_studio.core.jobs import JobParams, JobRecord, JobState
from outpaint_studio.core.settings import KeyStore, Settings

if TYPE_CHECKING:  # the runner pulls in numpy and the engines: imported on the first job
    from outpaint_studio.core.images import SourceImage
    from outpaint_studio.core.runner import JobRunner, JobUpdate

STAGE_WORDS = {
    "preparing": "Preparing",
    "submitting": "Submitting",
    "queued": "Queued",
    "generating": "Generating",
    "downloading": "Downloading",
    "saving": "Saving",
}


@dataclass(frozen=True)
class JobOutcome:
    """A finished job, as plain data for the GUI thread."""

    key: str
    state: str
    error: str | None
    error_kind: str | None
    output_path: str | None
    history_path: str | None
    notice: str | None
    engine: str

    @property
    def succeeded(self) -> bool:
        return self.state == JobState.SAVED.value


def stage_text(stage: str, fraction: float | None) -> str:
    words = STAGE_WORDS.get(stage, stage.capitalize())
    if fraction is not None and stage == "generating":
        return f"{words} {round(fraction * 100)} %"
    return words


class JobThread(QThread):
    """Runs one created job; reports progress and the outcome by signal."""

    progress = Signal(str, float)  # stage, fraction (-1: unknown)
    done = Signal(object, QImage)  # JobOutcome, the saved result (null when none)

    def __init__(
        self,
        runner: JobRunner,
        record: JobRecord,
        source: SourceImage,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.record = record
        self.source = source
        self.cancel = threading.Event()

    def _update(self, update: JobUpdate) -> None:
        self.progress.emit(update.stage, -1.0 if update.fraction is None else update.fraction)

    def run(self) -> None:
        try:
            final = self.runner.run(self.record, self.source, self._update, self.cancel)
        except Exception as exc:  # a bug must reach the banner, not kill the thread silently
            final = self.record
            final.state, final.error, final.error_kind = JobState.FAILED, str(exc), "internal"
        image = QImage(final.output_path) if final.output_path else QImage()
        close = getattr(self.runner.engine, "close", None)
        if callable(close):
            close()
        self.done.emit(
            JobOutcome(final.key, final.state.value, final.error, final.error_kind,
                       final.output_path, final.history_path, final.notice, final.engine),
            image,
        )  # fmt: skip


class JobController(QObject):
    """Starts, cancels and reports one job at a time.

    Signals:
        started(): a job began.
        status(str, int): words for the stage, and percent (-1: indeterminate).
        elapsed(float): seconds since the start, ticking while a job runs.
        finished(object, QImage): the JobOutcome and the result image (null on failure).
        running_changed(bool)
    """

    started = Signal()
    status = Signal(str, int)
    elapsed = Signal(float)
    finished = Signal(object, QImage)
    running_changed = Signal(bool)

    def __init__(self, settings: Settings, keys: KeyStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.keys = keys
        self._thread: JobThread | None = None
        self._started_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)

    def is_running(self) -> bool:
        return self._thread is not None

    def start(self, params: JobParams, source: SourceImage, api_url: str) -> None:
        """Create and run a job; raises ConfigurationError (no key, bad URL) before starting."""
        from outpaint_studio.core.session import EngineChoice, make_engine, make_runner

        if self._thread is not None:
            return
        engine = make_engine(EngineChoice(params.engine, api_url), self.keys, self.settings)
        runner = make_runner(engine)
        record = runner.create(params, api_url if params.engine == "bfl" else None)
        thread = JobThread(runner, record, source, self)
        thread.progress.connect(self._on_progress)
        thread.done.connect(self._on_done)
        self._thread = thread
        self._started_at = time.monotonic()
        self._timer.start()
        thread.start()
        self.started.emit()
        self.running_changed.emit(True)
        self.status.emit("Preparing", -1)

    def cancel(self) -> None:
        if self._thread is not None:
            self._thread.cancel.set()
            self.status.emit("Cancelling", -1)

    @Slot()
    def _tick(self) -> None:
        self.elapsed.emit(time.monotonic() - self._started_at)

    @Slot(str, float)
    def _on_progress(self, stage: str, fraction: float) -> None:
        if stage in STAGE_WORDS:
            value = None if fraction < 0 else fraction
            self.status.emit(stage_text(stage, value), -1 if value is None else round(value * 100))

    @Slot(object, QImage)
    def _on_done(self, outcome: JobOutcome, image: QImage) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.wait()
            thread.deleteLater()
        self._timer.stop()
        self.running_changed.emit(False)
        self.finished.emit(outcome, image)

    def shutdown(self) -> None:
        """Cancel and wait: a submitted FLUX job stays in the journal, collectable later."""
        thread = self._thread
        if thread is not None:
            thread.cancel.set()
            thread.wait()
            self._thread = None
        self._timer.stop()


__all__ = ["JobController", "JobOutcome", "stage_text"]
