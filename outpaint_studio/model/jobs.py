"""Runs Extends and collections of earlier jobs, each job on its own thread (job_thread)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from outpaint_studio.core.jobs import MAX_SEED, JobParams, JobRecord
from outpaint_studio.core.settings import Settings
from outpaint_studio.core.stages import RUNNING_STAGES, stage_text
from outpaint_studio.model.job_thread import JobOutcome, JobThread, Work
from outpaint_studio.session import EngineChoice, Session

if TYPE_CHECKING:  # the runner pulls in numpy and the engines: imported on the first job
    from outpaint_studio.core.engine import Engine
    from outpaint_studio.core.images import SourceImage


LOCAL_AT_ONCE = 2  # offline variations share the CPU: two at a time
MAX_VARIATIONS = 8
COLLECT_AT_ONCE = 4  # collecting is mostly waiting on the service
# After Cancel, how long the jobs get to stop before the editor is given back anyway; a job in
# a step that cannot be interrupted (a native fill phase, an upload being encoded or sent)
# finishes that step in the background, and is journaled as usual.
CANCEL_GRACE_MS = 400


@dataclass
class Batch:
    """Jobs run together: the variations of one Extend, or collectable jobs to collect.

    ``make(index)`` journals or fetches job ``index``'s record and returns it with its work;
    it is called as the job starts, so queued variations are not journaled before.
    """

    make: Callable[[int], tuple[JobRecord, Work]]
    count: int
    at_once: int
    engines: list[Engine] = field(default_factory=list)  # closed when the batch has ended
    queue: list[int] = field(default_factory=list)
    threads: dict[int, JobThread] = field(default_factory=dict)  # running, by index
    keys: set[str] = field(default_factory=set)  # collections: the jobs in this batch
    first_words: str = "Preparing"  # the status until the first job reports
    done: int = 0
    cancelled: bool = False

    def __post_init__(self) -> None:
        self.queue = list(range(self.count))

    def close_engines(self) -> None:
        """Let go of the engines' connections; only once no thread of the batch runs."""
        for engine in {id(e): e for e in self.engines}.values():
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
        composed(int, QImage): a job's finished image, as soon as it is composed (then saved).
        finished(object, QImage): a JobOutcome and its result image (null on failure), per job.
        running_changed(bool)
    """

    started = Signal()
    status = Signal(str, int)
    variation_status = Signal(int, str)
    elapsed = Signal(float)
    composed = Signal(int, QImage)
    finished = Signal(object, QImage)
    running_changed = Signal(bool)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = session.settings
        self._batch: Batch | None = None
        self._stopping: list[Batch] = []  # cancelled batches whose threads are still ending
        self._waiting: list[Batch] = []  # collections asked for while another batch ran
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
            runners = [self.session.runner(self.session.engine(choice, v.seed))
                       for v in variations]  # fmt: skip
            at_once = LOCAL_AT_ONCE
        else:
            engine = self.session.engine(choice)
            variations, runners = [params] * count, [self.session.runner(engine)] * count
            at_once = count
        url = api_url if params.engine == "bfl" else None

        def make(index: int) -> tuple[JobRecord, Work]:
            runner = runners[index]
            record = runner.create(variations[index], url)
            return record, lambda update, cancel: runner.run(record, source, update, cancel)

        self._begin(Batch(make, count, at_once, [r.engine for r in runners]))

    def collect(self, records: list[JobRecord]) -> None:
        """Collect collectable jobs (History's "Poll again", the start-up collection) through
        the core's one collection path, reported as any job is. While an Extend or another
        collection runs, they wait for it; a job already waiting or running is not added."""
        busy = set().union(*(b.keys for b in (self._batch, *self._waiting) if b is not None))
        fresh = list({r.key: r for r in records if r.key not in busy}.values())
        if not fresh or self._closed:
            return

        def make(index: int) -> tuple[JobRecord, Work]:
            record = fresh[index]
            return record, lambda update, cancel: self.session.collect(record, update, cancel)

        batch = Batch(make, len(fresh), COLLECT_AT_ONCE, keys={r.key for r in fresh},
                      first_words="Collecting a paid job")  # fmt: skip
        if self._batch is None:
            self._begin(batch)
        else:
            self._waiting.append(batch)

    def _begin(self, batch: Batch) -> None:
        self._batch = batch
        self._started_at = time.monotonic()
        self._timer.start()
        self.started.emit()
        self.running_changed.emit(True)
        for index in range(batch.count):
            self.variation_status.emit(index, "Waiting")
        self._fill()
        self._report(batch.first_words, -1)

    def _fill(self) -> None:
        """Start queued jobs while there is room."""
        batch = self._batch
        while batch is not None and batch.queue and len(batch.threads) < batch.at_once:
            index = batch.queue.pop(0)
            record, work = batch.make(index)
            thread = JobThread(record, work, index, self)
            thread.progress.connect(self._on_progress)
            thread.composed.connect(self._on_composed)
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

    @Slot(int, QImage)
    def _on_composed(self, index: int, image: QImage) -> None:
        batch = self._batch
        if batch is not None and not batch.cancelled and self.sender() in batch.threads.values():
            self.composed.emit(index, image)

    @Slot(object, QImage)
    def _on_done(self, outcome: JobOutcome, image: QImage) -> None:
        ours = [
            b for b in (self._batch, *self._stopping) if b and self.sender() in b.threads.values()
        ]
        if not ours:
            return
        batch = ours[0]
        thread = batch.threads.pop(outcome.index)
        thread.wait()
        thread.deleteLater()
        batch.done += 1
        if not batch.threads and not batch.queue:
            batch.close_engines()
        if batch is not self._batch:  # let go after Cancel, or at close
            if not batch.threads:
                self._stopping.remove(batch)
            if self._closed and not self._stopping:
                QTimer.singleShot(0, self.wait_stopped)  # nothing left: forgets this controller
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
        if self._waiting:  # once the ended batch's last outcome is out
            QTimer.singleShot(0, self._begin_waiting)

    @Slot()
    def _begin_waiting(self) -> None:
        if self._batch is None and self._waiting and not self._closed:
            self._begin(self._waiting.pop(0))

    def shutdown(self) -> None:
        """Let every job go at once: the window closes without waiting.

        A submitted FLUX job stays in the journal, collectable later; an offline fill stops at
        its next check. The threads are waited for when the application quits.
        """
        batch, self._closed = self._batch, True
        self._waiting.clear()
        if batch is not None:
            self._stop(batch)
            self._stopping.append(batch)
            self._end()
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None and self._stopping:
            self.setParent(None)  # its threads outlive the window: so does it, until they end
            _ENDING.add(self)
            app.aboutToQuit.connect(self.wait_stopped)

    @Slot()
    def wait_stopped(self) -> None:
        """Block until every let-go job has ended (the window is already gone)."""
        for batch in list(self._stopping):
            for thread in list(batch.threads.values()):
                thread.wait()
            batch.close_engines()
        self._stopping.clear()
        _ENDING.discard(self)


_ENDING: set[JobController] = set()  # closed controllers whose jobs are still ending


def with_settings(params: JobParams, settings: Settings) -> JobParams:
    """``params`` with the paste-back choice and blend band (0-16 px) of ``settings``."""
    feather = max(0, min(16, settings.feather))
    return replace(params, paste_back=settings.paste_back, feather=feather)


__all__ = ["MAX_VARIATIONS", "JobController", "JobOutcome"]
