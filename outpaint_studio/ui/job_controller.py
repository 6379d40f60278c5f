"""Runs Extend jobs through the core's JobRunner in a background thread."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from outpaint_studio.core.jobs import MAX_SEED, JobParams, JobRecord, JobState
from outpaint_studio.core.settings import KeyStore, Settings
from outpaint_studio.core.stages import RUNNING_STAGES, stage_text

if TYPE_CHECKING:  # the runner pulls in numpy and the engines: imported on the first job
    from outpaint_studio.core.images import SourceImage
    from outpaint_studio.core.runner import JobRunner, JobUpdate


LOCAL_AT_ONCE = 2  # offline variations share the CPU: two at a time
MAX_VARIATIONS = 8
# After Cancel, how long the jobs get to stop before the editor is given back anyway; a job in
# a step that cannot be interrupted (a native fill phase, an upload being encoded or sent)
# finishes that step in the background, and is journaled as usual.
CANCEL_GRACE_MS = 400


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
    threads: dict[int, JobThread] = field(default_factory=dict)  # running, by variation
    done: int = 0
    cancelled: bool = False

    @property
    def count(self) -> int:
        return len(self.runners)

    def close_engines(self) -> None:
        """Let go of the engines' connections; only once no thread of the batch runs."""
        for engine in {id(r.engine): r.engine for r in self.runners}.values():
            close = getattr(engine, "close", None)
            if callable(close):
                close()


class JobController(QObject):
    """Starts, cancels and reports one Extend at a time: one job, or up to 8 variations.

    Cancel gives the editor back within ``CANCEL_GRACE_MS``: jobs still inside a step that
    cannot be interrupted are let go ("stopping"), finish that step in the background and are
    journaled as usual; their outcome is still reported while no other Extend has started.
    Closing lets every job go at once; the process waits for them only as it quits.

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
        self._batch: Batch | None = None
        self._stopping: list[Batch] = []  # cancelled batches whose threads are still ending
        self._closed = False
        self._started_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)
        self._grace = QTimer(self)
        self._grace.setSingleShot(True)
        self._grace.setInterval(CANCEL_GRACE_MS)
        self._grace.timeout.connect(self._let_go)

    def is_running(self) -> bool:
        return self._batch is not None

    def is_stopping(self) -> bool:
        """Whether cancelled jobs are still finishing a step in the background."""
        return bool(self._stopping)

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

        if self._batch is not None or self._closed:
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
        while batch is not None and batch.queue and len(batch.threads) < batch.at_once:
            index = batch.queue.pop(0)
            runner = batch.runners[index]
            record = runner.create(batch.params[index], batch.api_url)
            thread = JobThread(runner, record, batch.source, index, self)
            thread.progress.connect(self._on_progress)
            thread.done.connect(self._on_done)
            batch.threads[index] = thread
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
        if batch is None or batch.cancelled:
            return
        self._stop(batch)
        self.status.emit("Cancelling", -1)
        self._grace.start()

    def _stop(self, batch: Batch) -> None:
        batch.cancelled = True
        for index in batch.queue:
            self.variation_status.emit(index, "Cancelled")
        batch.done += len(batch.queue)
        batch.queue.clear()
        for thread in batch.threads.values():
            thread.cancel.set()

    @Slot()
    def _let_go(self) -> None:
        """The grace after Cancel is over: give the editor back, whatever still runs."""
        batch = self._batch
        if batch is None or not batch.cancelled:
            return
        self._stopping.append(batch)
        for index in batch.threads:
            self.variation_status.emit(index, "Stopping")
        self.status.emit("Cancelled", 0)
        self._end()

    @Slot()
    def _tick(self) -> None:
        self.elapsed.emit(time.monotonic() - self._started_at)

    @Slot(int, str, float)
    def _on_progress(self, index: int, stage: str, fraction: float) -> None:
        thread = self.sender()
        if self._closed or self._batch is None:
            return
        if thread not in self._batch.threads.values() or stage not in RUNNING_STAGES:
            return
        value = None if fraction < 0 else fraction
        text = stage_text(stage, value)
        self.variation_status.emit(index, text)
        if not self._batch.cancelled:
            self._report(text, -1 if value is None else round(value * 100))

    def _batch_of(self, thread: QObject | None) -> Batch | None:
        for batch in [self._batch, *self._stopping]:
            if batch is not None and thread in batch.threads.values():
                return batch
        return None

    @Slot(object, QImage)
    def _on_done(self, outcome: JobOutcome, image: QImage) -> None:
        batch = self._batch_of(self.sender())
        if batch is None:
            return
        thread = batch.threads.pop(outcome.index)
        thread.wait()
        thread.deleteLater()
        batch.done += 1
        if not batch.threads and not batch.queue:
            batch.close_engines()
        if batch is not self._batch:  # let go after Cancel, or at close
            if not batch.threads:
                self._stopping.remove(batch)
            if self._batch is None and not self._closed:  # nothing newer: say how it ended
                self.finished.emit(outcome, image)
            return
        self._fill()
        if not batch.threads:
            self._end()
        elif not batch.cancelled:
            self._report("", 0)
        self.finished.emit(outcome, image)

    def _end(self) -> None:
        self._batch = None
        self._grace.stop()
        self._timer.stop()
        self.running_changed.emit(False)

    def shutdown(self) -> None:
        """Let every job go at once: the window closes without waiting.

        A submitted FLUX job stays in the journal, collectable later; an offline fill stops at
        its next check. The threads are waited for when the application quits.
        """
        batch, self._closed = self._batch, True
        if batch is not None:
            self._stop(batch)
            self._stopping.append(batch)
            self._end()
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None and self._stopping:
            app.aboutToQuit.connect(self.wait_stopped)

    @Slot()
    def wait_stopped(self) -> None:
        """Block until every let-go job has ended (the window is already gone)."""
        for batch in list(self._stopping):
            for thread in list(batch.threads.values()):
                thread.wait()
            batch.close_engines()
        self._stopping.clear()


def with_settings(params: JobParams, settings: Settings) -> JobParams:
    """``params`` with the paste-back choice and blend band (0-16 px) of ``settings``."""
    feather = max(0, min(16, settings.feather))
    return replace(params, paste_back=settings.paste_back, feather=feather)


__all__ = ["MAX_VARIATIONS", "JobController", "JobOutcome"]
