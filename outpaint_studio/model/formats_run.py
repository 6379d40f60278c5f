"""Extend all: each target's jobs through its own JobController, started while there is room
(the account's 24 active jobs at the service; two offline jobs at a time)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from outpaint_studio.core.editor import EditorState
from outpaint_studio.core.formats_state import FormatEntry, FormatSet
from outpaint_studio.core.jobs import JobParams
from outpaint_studio.model.errors import ErrorModel
from outpaint_studio.model.jobs import JobController, JobOutcome
from outpaint_studio.model.workers import Workers
from outpaint_studio.session import MAX_ACTIVE_JOBS, OFFLINE_AT_ONCE, Session

if TYPE_CHECKING:
    from outpaint_studio.core.images import SourceImage


@dataclass
class TargetJob:
    label: str
    params: JobParams
    count: int  # variations of this target


class FormatsRun(QObject):
    """Runs the targets of one Extend all (or one target's redo).

    Signals:
        status(str, str): a target's label and its state in words ("Queued", "Generating 40 %").
        variation_status(str, int, str): the same for one variation of a target, by its index.
        composed(str, int, QImage): a target's label, the variation's index and its result, as
            soon as it is composed: the service's bytes are kept, the target's variation is
            "Done", and its file is written in the background (``finished`` follows).
        finished(str, object, QImage): a target's label, a JobOutcome and its image (null on
            failure), per job.
        running_changed(bool)
    """

    status = Signal(str, str)
    variation_status = Signal(str, int, str)
    composed = Signal(str, int, QImage)
    finished = Signal(str, object, QImage)
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
        self.workers = workers
        self.errors = errors  # where a target's jobs report what kept them from starting
        self._queue: list[TargetJob] = []
        self._running: dict[str, tuple[JobController, int]] = {}  # label -> controller, count
        self._ended: list[JobController] = []  # kept until their let-go jobs are over
        self._shown: dict[str, set[int]] = {}  # label -> its variations composed
        self._source: SourceImage | None = None
        self._url = ""
        self._room = MAX_ACTIVE_JOBS

    def is_running(self) -> bool:
        return bool(self._queue or self._running)

    def jobs_left(self) -> list[bool]:
        """JobController.jobs_left over every target, running or queued."""
        queued = [job.params.engine != "local" for job in self._queue for _ in range(job.count)]
        return [left for c, _ in self._running.values() for left in c.jobs_left()] + queued

    def why_not_start(
        self, state: EditorState, formats: FormatSet, entries: list[FormatEntry], loaded: bool
    ) -> str | None:
        """Whether ``entries`` may run now from ``state`` (the source ``loaded`` in full): None,
        or why not in words."""
        if self.is_running():
            return "Formats are still running: wait for them, or cancel them"
        if not entries:
            return "Tick the formats to extend"
        if not loaded or state.source_size is None:
            return "Open an image, and wait until it is loaded"
        for entry in entries:
            laid_out = replace(state, geometry=formats.geometry(entry, state.source_size))
            problems = laid_out.problems()
            if problems:
                return f"{entry.label}: {problems[0]}"
        return None

    def start(self, jobs: list[TargetJob], source: SourceImage, api_url: str) -> bool:
        """Queue every target and start as many as there is room for; returns False (the reason
        reported to the ErrorModel) when none could start: settings that cannot work (no key
        for FLUX, an unsafe API URL)."""
        if self.is_running() or not jobs:
            return False
        self._source, self._url = source, api_url
        offline = jobs[0].params.engine == "local"
        self._room = OFFLINE_AT_ONCE if offline else MAX_ACTIVE_JOBS
        for ended in [c for c in self._ended if not c.is_stopping()]:
            self._ended.remove(ended)
            ended.deleteLater()
        self._queue = list(jobs)
        for job in jobs:
            self.status.emit(job.label, "Queued")
        self.running_changed.emit(True)
        self._fill()
        if not self._running:
            self.running_changed.emit(False)
        return bool(self._running)

    def _fill(self) -> None:
        source = self._source
        while self._queue and source is not None:
            job = self._queue[0]
            active = sum(count for _, count in self._running.values())
            if self._running and active + job.count > self._room:
                return
            self._queue.pop(0)
            controller = JobController(self.session, self.workers, self.errors, parent=self)
            name = job.label
            controller.variation_status.connect(partial(self._variation_status, name))
            controller.composed.connect(partial(self._composed, name))
            controller.finished.connect(
                lambda out, image, n=name: self.finished.emit(n, out, image)
            )
            controller.running_changed.connect(lambda on, n=name: self._running_changed(n, on))
            if not controller.start(job.params, source, self._url, job.count):
                controller.deleteLater()
                for left in [job, *self._queue]:  # the same settings fail every target
                    self.status.emit(left.label, "Not started")
                self._queue.clear()
                return
            self._running[name] = (controller, job.count)
            self._shown[name] = set()

    def _variation_status(self, label: str, index: int, text: str) -> None:
        self.status.emit(label, text)
        self.variation_status.emit(label, index, text)

    def _composed(self, label: str, index: int, image: QImage) -> None:
        _, count = self._running.get(label, (None, 0))
        shown = self._shown[label]
        shown.add(index)
        self.variation_status.emit(label, index, "Done")
        self.composed.emit(label, index, image)
        if len(shown) == count:
            self.status.emit(label, "Done")

    def _running_changed(self, label: str, running: bool) -> None:
        if running:
            return
        controller, _ = self._running.pop(label, (None, 0))
        if controller is not None:
            self._ended.append(controller)
        self._fill()
        if not self.is_running():
            self.running_changed.emit(False)

    def cancel(self, label: str | None = None) -> None:
        """Cancel one target (queued or running), or every one; submitted jobs stay collectable."""
        for job in [j for j in self._queue if label in (None, j.label)]:
            self._queue.remove(job)
            self.status.emit(job.label, "Cancelled")
        for name, (controller, _) in list(self._running.items()):
            if label in (None, name):
                controller.cancel()
        if not self.is_running():
            self.running_changed.emit(False)

    def shutdown(self) -> None:
        """Let every job go, as the window closes (see JobController.shutdown)."""
        self._queue.clear()
        for controller in [c for c, _ in self._running.values()] + self._ended:
            controller.shutdown()


__all__ = ["FormatsRun", "JobOutcome", "TargetJob"]
