"""Runs Extend jobs through the core's JobRunner in a background thread."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from outpaint_studio.core.jobs import MAX_SEED, JobParams, JobRecord, JobState
from outpaint_studio.core.settings import KeyStore, Settings
from outpaint_studio.core.stages import RUNNING_STAGES, stage_text

if TYPE_CHECKING:  # the runner pulls in numpy and the engines: imported on the first job
    from outpaint_studio.core.images import SourceImage
    from outpaint_studio.core.runner import JobRunner, JobUpdate


LOCAL_AT_ONCE = 2  # offline variations share the CPU: two at a time
MAX_VARIATIONS = 8


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
    index: int = 0  # the variation's number in its batch, from 0

    @property
    def succeeded(self) -> bool:
        return self.state == JobState.SAVED.value


class JobThread(QThread):
    """Runs one created job; reports progress and the outcome by signal."""

    progress = Signal(int, str, float)  # variation index, stage, fraction (-1: unknown)
    done = Signal(object, QImage)  # JobOutcome, the saved result (null when none)

    def __init__(
        self,
        runner: JobRunner,
        record: JobRecord,
        source: SourceImage,
        index: int = 0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.record = record
        self.source = source
        self.index = index
        self.cancel = threading.Event()

    def _update(self, update: JobUpdate) -> None:
        fraction = -1.0 if update.fraction is None else update.fraction
        self.progress.emit(self.index, update.stage, fraction)

    def run(self) -> None:
        try:
            final = self.runner.run(self.record, self.source, self._update, self.cancel)
        except Exception as exc:  # a bug must reach the banner, not kill the thread silently
            final = self.record
            final.state, final.error, final.error_kind = JobState.FAILED, str(exc), "internal"
        image = QImage(final.output_path) if final.output_path else QImage()
        self.done.emit(
            JobOutcome(final.key, final.state.value, final.error, final.error_kind,
                       final.output_path, final.history_path, final.notice, final.engine,
                       self.index),
            image,
        )  # fmt: skip


@dataclass
class Batch:
    """The variations of one Extend: same layout, one runner each (offline: one seed each)."""

    params: list[JobParams]  # one per variation
    source: SourceImage
    api_url: str | None
    runners: list[JobRunner]
    at_once: int
    queue: list[int]
    done: int = 0
    cancelled: bool = False

    @property
    def count(self) -> int:
        return len(self.runners)


class JobController(QObject):
    """Starts, cancels and reports one Extend at a time: one job, or up to 8 variations.

    Signals:
        started(): an Extend began.
        status(str, int): words for the stage or "2 of 4 done", and percent (-1: indeterminate).
        variation_status(int, str): one variation's state in words ("Queued", "Generating 40 %").
        elapsed(float): seconds since the start, ticking while a job runs.
        finished(object, QImage): a JobOutcome and its result image (null on failure), per job.
        running_changed(bool)
    """

    started = Signal()
    status = Signal(str, int)
    variation_status = Signal(int, str)
    elapsed = Signal(float)
    finished = Signal(object, QImage)
    running_changed = Signal(bool)

    def __init__(self, settings: Settings, keys: KeyStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.keys = keys
        self._threads: dict[int, JobThread] = {}
        self._batch: Batch | None = None
        self._started_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)

    def is_running(self) -> bool:
        return self._batch is not None

    def batch_size(self) -> int:
        return self._batch.count if self._batch is not None else 1

    def start(self, params: JobParams, source: SourceImage, api_url: str, count: int = 1) -> None:
        """Run ``count`` jobs from one layout; raises ConfigurationError before starting any.

        FLUX jobs share one client and go out at once (the runner keeps under the account's
        limit). Offline jobs get fresh seeds on each Extend, so every variation and every retry
        differs (the journal keeps each seed), and run two at a time.
        Paste-back and its blend band come from the settings.
        """
        from outpaint_studio.core.session import EngineChoice, make_engine, make_runner

        if self._batch is not None:
            return
        count = max(1, min(MAX_VARIATIONS, count))
        params = with_settings(params, self.settings)
        choice = EngineChoice(params.engine, api_url)
        if params.engine == "local":
            first = random.randrange(MAX_SEED)
            variations = [
                replace(params, seed=(first + index) % MAX_SEED) for index in range(count)
            ]
            runners = [make_runner(make_engine(choice, self.keys, self.settings, v.seed))
                       for v in variations]  # fmt: skip
            at_once = LOCAL_AT_ONCE
        else:
            engine = make_engine(choice, self.keys, self.settings)
            variations, runners = [params] * count, [make_runner(engine)] * count
            at_once = count
        url = api_url if params.engine == "bfl" else None
        self._batch = Batch(variations, source, url, runners, at_once, list(range(count)))
        self._started_at = time.monotonic()
        self._timer.start()
        self.started.emit()
        self.running_changed.emit(True)
        for index in range(count):
            self.variation_status.emit(index, "Waiting")
        self._fill()
        self._report("Preparing", -1)

    def _fill(self) -> None:
        """Start queued variations while there is room."""
        batch = self._batch
        while batch is not None and batch.queue and len(self._threads) < batch.at_once:
            index = batch.queue.pop(0)
            runner = batch.runners[index]
            record = runner.create(batch.params[index], batch.api_url)
            thread = JobThread(runner, record, batch.source, index, self)
            thread.progress.connect(self._on_progress)
            thread.done.connect(self._on_done)
            self._threads[index] = thread
            self.variation_status.emit(index, "Preparing")
            thread.start()

    def _report(self, text: str, percent: int) -> None:
        batch = self._batch
        if batch is None or batch.count == 1:
            self.status.emit(text, percent)
        else:
            self.status.emit(f"{batch.done} of {batch.count} done", batch.done * 100 // batch.count)

    def cancel(self) -> None:
        """Cancel every running variation; queued ones never start."""
        batch = self._batch
        if batch is None:
            return
        batch.cancelled = True
        for index in batch.queue:
            self.variation_status.emit(index, "Cancelled")
        batch.done += len(batch.queue)
        batch.queue.clear()
        for thread in self._threads.values():
            thread.cancel.set()
        self.status.emit("Cancelling", -1)

    @Slot()
    def _tick(self) -> None:
        self.elapsed.emit(time.monotonic() - self._started_at)

    @Slot(int, str, float)
    def _on_progress(self, index: int, stage: str, fraction: float) -> None:
        if stage in RUNNING_STAGES:
            value = None if fraction < 0 else fraction
            text = stage_text(stage, value)
            self.variation_status.emit(index, text)
            if self._batch is None or not self._batch.cancelled:
                self._report(text, -1 if value is None else round(value * 100))

    @Slot(object, QImage)
    def _on_done(self, outcome: JobOutcome, image: QImage) -> None:
        thread = self._threads.pop(outcome.index, None)
        batch = self._batch
        if thread is None or batch is None:
            return  # a late report after shutdown()
        thread.wait()
        thread.deleteLater()
        batch.done += 1
        self._fill()
        if not self._threads:
            self._end()
        elif not batch.cancelled:
            self._report("", 0)
        self.finished.emit(outcome, image)

    def _end(self) -> None:
        batch, self._batch = self._batch, None
        self._timer.stop()
        if batch is not None:
            for engine in {id(r.engine): r.engine for r in batch.runners}.values():
                close = getattr(engine, "close", None)
                if callable(close):
                    close()
        self.running_changed.emit(False)

    def shutdown(self) -> None:
        """Cancel and wait: a submitted FLUX job stays in the journal, collectable later."""
        if self._batch is not None:
            self._batch.queue.clear()
        for thread in self._threads.values():
            thread.cancel.set()
        for thread in self._threads.values():
            thread.wait()
        self._threads.clear()
        if self._batch is not None:
            self._end()
        self._timer.stop()


def with_settings(params: JobParams, settings: Settings) -> JobParams:
    """``params`` with the paste-back choice and blend band (0-16 px) of ``settings``."""
    feather = max(0, min(16, settings.feather))
    return replace(params, paste_back=settings.paste_back, feather=feather)


__all__ = ["MAX_VARIATIONS", "JobController", "JobOutcome"]
