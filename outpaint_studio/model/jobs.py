"""The job queue: runs Extends and collections of earlier jobs, each job as a worker
(model/workers.py), and decides what the user is told about them and whether Extend may run."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from outpaint_studio.core.jobs import MAX_SEED, JobParams, JobRecord
from outpaint_studio.core.layout import MAX_PIXELS
from outpaint_studio.core.options import with_settings
from outpaint_studio.core.stages import RUNNING_STAGES, stage_text
from outpaint_studio.core.transitions import state_words
from outpaint_studio.core.words import reason
from outpaint_studio.model.errors import ErrorModel, UserError, user_error
from outpaint_studio.model.history import change_text, done_text
from outpaint_studio.model.job_work import JobOutcome, Progress, Run, job_work, settle
from outpaint_studio.model.workers import Worker, Workers
from outpaint_studio.session import OFFLINE_AT_ONCE, ConfigurationError, EngineChoice, Session

if TYPE_CHECKING:  # the runner pulls in numpy and the engines: imported on the first job
    from outpaint_studio.core.engine import Engine
    from outpaint_studio.core.images import SourceImage


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

    make: Callable[[int], tuple[JobRecord, Run]]
    count: int
    at_once: int
    engines: list[Engine] = field(default_factory=list)  # closed when the batch has ended
    queue: list[int] = field(default_factory=list)
    threads: dict[int, Worker] = field(default_factory=dict)  # running, by index
    keys: set[str] = field(default_factory=set)  # collections: the jobs in this batch
    first_words: str = "Preparing"  # the status until the first job reports
    done: int = 0
    cancelled: bool = False
    pixels: int = 0  # the canvas of an Extend's jobs
    ready: int = 0  # jobs saved

    def __post_init__(self) -> None:
        self.queue = list(range(self.count))

    def close_engines(self) -> None:
        """Let go of the engines' connections; only once no thread of the batch runs."""
        for engine in {id(e): e for e in self.engines}.values():
            close = getattr(engine, "close", None)
            if callable(close):
                close()


class JobController(QObject):
    """The job queue: starts, cancels and reports one Extend at a time (one job, or up to 8
    variations), and collections of earlier jobs after it.

    What went wrong is reported to the ErrorModel, in the user's words and with the action the
    banner offers: the one error path of the editor's jobs.

    Cancel gives the editor back within ``CANCEL_GRACE_MS``: jobs still inside a step that
    cannot be interrupted are let go ("stopping"), finish that step in the background and are
    journaled as usual; their outcome is still reported while no other Extend has started.
    Closing lets every job go at once; the Workers owner waits for them as the process quits.

    Signals:
        status(str, int): words for the stage or "2 of 4 done", and percent (-1: indeterminate);
            at the end, how the job or the batch ended ("Done · 1.2 credits", "3 of 4 ready").
        status_tip(str): what the finished job changed in the original's region, in words.
        variation_status(int, str): one variation's state in words ("Queued", "Generating 40 %").
        elapsed(float): seconds since the start, ticking while a job runs.
        composed(int, QImage): a job's finished image, as soon as it is composed (then saved).
        finished(object, QImage): a JobOutcome and its result image (null on failure), per job.
        running_changed(bool)
    """

    status = Signal(str, int)
    status_tip = Signal(str)
    variation_status = Signal(int, str)
    elapsed = Signal(float)
    composed = Signal(int, QImage)
    finished = Signal(object, QImage)
    running_changed = Signal(bool)

    def __init__(
        self,
        session: Session,
        workers: Workers,
        errors: ErrorModel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = session.settings
        self.workers = workers
        self.errors = errors
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

    def jobs_left(self) -> list[bool]:
        """For each job of the running Extend or collection not ended yet (running or queued),
        whether it runs on a service (FLUX: collectable after a close) rather than here."""
        batch = self._batch
        if batch is None or batch.cancelled:
            return []
        remote = bool(batch.keys) or any(engine.remote for engine in batch.engines)
        return [remote] * (len(batch.threads) + len(batch.queue))

    def start(self, params: JobParams, source: SourceImage, api_url: str, count: int = 1) -> bool:
        """Run ``count`` jobs from one layout; returns False (and reports why) when none could
        start: settings that cannot work (no key for FLUX, an unsafe API URL).

        FLUX jobs share one client and go out at once (the session keeps under the account's
        limit). Offline jobs get fresh seeds on each Extend, so every variation and every retry
        differs (the journal keeps each seed), and run two at a time.
        Paste-back and its blend band come from the settings.
        """
        if self._batch is not None or self._closed:
            return False
        try:
            self._start(params, source, api_url, count)
        except ConfigurationError as exc:
            self._report_error(UserError(str(exc), "error", "settings", "Open Settings", "config"))
            return False
        return True

    def _start(self, params: JobParams, source: SourceImage, api_url: str, count: int) -> None:
        count = max(1, min(MAX_VARIATIONS, count))
        params = with_settings(params, self.settings)
        choice = EngineChoice(params.engine, api_url)
        first = random.randrange(MAX_SEED)
        engine = self.session.engine(choice, first)
        if engine.remote:  # one client; the session keeps under the account's limit
            runner = self.session.runner(engine, shows_results=True)
            variations, runners = [params] * count, [runner] * count
            at_once, url = count, api_url
        else:  # each offline variation its own seed, so every variation and every retry differs
            variations = [
                replace(params, seed=(first + index) % MAX_SEED) for index in range(count)
            ]
            engines = [engine] + [self.session.engine(choice, v.seed) for v in variations[1:]]
            runners = [self.session.runner(e, shows_results=True) for e in engines]
            at_once, url = OFFLINE_AT_ONCE, None

        def make(index: int) -> tuple[JobRecord, Run]:
            runner = runners[index]
            record = runner.create(variations[index], url)
            return record, lambda update, cancel: runner.run(record, source, update, cancel)

        self._begin(Batch(make, count, at_once, [r.engine for r in runners],
                          pixels=params.width * params.height))  # fmt: skip

    def collect(self, records: list[JobRecord]) -> None:
        """Collect collectable jobs (History's "Poll again", the start-up collection) through
        the core's one collection path, reported as any job is. While an Extend or another
        collection runs, they wait for it; a job already waiting or running is not added."""
        busy = set().union(*(b.keys for b in (self._batch, *self._waiting) if b is not None))
        fresh = list({r.key: r for r in records if r.key not in busy}.values())
        if not fresh or self._closed:
            return

        def make(index: int) -> tuple[JobRecord, Run]:
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
            try:
                record, run = batch.make(index)
            except OSError as exc:  # the journal could not be written: nothing more starts
                self._report_error(UserError(f"The job could not be journaled: {reason(exc)}",
                                             kind="journal"))  # fmt: skip
                self._stop(batch)
                if not batch.threads:
                    self._end()
                return
            self.variation_status.emit(index, "Preparing")
            batch.threads[index] = self.workers.start(
                job_work(record, run, self.session.journal, index),
                f"job {record.key}",
                progress=partial(self._on_report, batch, index),
                returned=partial(self._on_done, batch),
                errored=partial(self._on_crashed, batch, record, index),
            )

    def _on_crashed(self, batch: Batch, record: JobRecord, index: int, exc: Exception) -> None:
        """A job's work raised past its own handling: journaled as any run that raises."""
        final = settle(record, exc, self.session.journal)
        self._on_done(batch, (JobOutcome.of(final, index), QImage()))

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
        for worker in batch.threads.values():
            worker.cancel.set()

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

    def _on_report(self, batch: Batch, index: int, report: object) -> None:
        if self._closed or batch is not self._batch or index not in batch.threads:
            return
        if not isinstance(report, Progress):  # the finished image, before it is saved
            if not batch.cancelled and not batch.keys:  # an Extend's, not a collection's
                self.composed.emit(index, report.image)  # type: ignore[attr-defined]
            return
        if report.stage not in RUNNING_STAGES:
            return
        text = stage_text(report.stage, report.fraction)
        self.variation_status.emit(index, text)
        if not batch.cancelled:
            self._report(text, -1 if report.fraction is None else round(report.fraction * 100))

    def _on_done(self, batch: Batch, result: tuple[JobOutcome, QImage]) -> None:
        outcome, image = result
        if batch.keys:
            outcome = replace(outcome, collected=True)
        batch.threads.pop(outcome.index, None)
        batch.done += 1
        batch.ready += outcome.succeeded
        if not batch.threads and not batch.queue:
            batch.close_engines()
        if batch is not self._batch:  # let go after Cancel, or at close
            if not batch.threads and batch in self._stopping:
                self._stopping.remove(batch)
            if self._batch is None and not self._closed:  # nothing newer: say how it ended
                self._finish(outcome, image, batch)
            return
        self._fill()
        if not batch.threads:
            self._end()
        elif not batch.cancelled:
            self._report("", 0)
        self._finish(outcome, image, batch)

    def _finish(self, outcome: JobOutcome, image: QImage, batch: Batch) -> None:
        self._say_how_it_ended(outcome, batch)
        error = user_error(outcome, batch.pixels > MAX_PIXELS)
        if error is not None:
            self._report_error(error)
        elif outcome.collected and outcome.succeeded and self._banner_kind() == "submitted":
            self.errors.clear()  # "can still be collected": it has been now
        self.finished.emit(outcome, image)

    def _banner_kind(self) -> str:
        return self.errors.error.kind if self.errors.error is not None else ""

    def _say_how_it_ended(self, outcome: JobOutcome, batch: Batch) -> None:
        if batch.count > 1:
            if not batch.threads and not batch.queue:
                self.status.emit(f"{batch.ready} of {batch.count} ready", 100)
            return
        if not outcome.succeeded:
            self.status.emit(state_words(outcome.state), 0)
            return
        record = self.session.journal.find(outcome.key)
        self.status.emit(done_text(record), 100)
        self.status_tip.emit(change_text(record) if record is not None else "")

    def _report_error(self, error: UserError) -> None:
        self.errors.report(error)

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
        its next check. The Workers owner waits for them as the application quits.
        """
        batch, self._closed = self._batch, True
        self._waiting.clear()
        if batch is not None:
            self._stop(batch)
            self._stopping.append(batch)
            self._end()
        self._timer.stop()

    def why_not_extend(self, problems: list[str], source_loaded: bool) -> str | None:
        """Whether Extend may run now: None, or why not in words ("" while jobs run)."""
        if self.is_running():
            return ""
        if problems:
            return problems[0]
        return None if source_loaded else "Loading the full image…"


__all__ = ["MAX_VARIATIONS", "JobController", "JobOutcome"]
