"""One job as a work for a worker (model/workers.py): its progress, the image as soon as it is
composed, and its outcome as plain data."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QImage

from outpaint_studio.core.jobs import COLLECTABLE, JobRecord, JobState, Journal
from outpaint_studio.core.transitions import KEPT, ForbiddenTransition
from outpaint_studio.core.words import sentence
from outpaint_studio.model.loader import to_qimage
from outpaint_studio.model.workers import Report
from outpaint_studio.session import ConfigurationError

if TYPE_CHECKING:
    from outpaint_studio.core.runner import JobUpdate, UpdateCallback

# One job's run: (progress callback, cancel event) -> the final record.
Run = Callable[["UpdateCallback", threading.Event], JobRecord]


@dataclass(frozen=True)
class JobOutcome:
    """A finished job, as plain data for the GUI thread."""

    key: str
    state: JobState
    error: str | None
    error_kind: str | None
    output_path: str | None
    history_path: str | None
    notice: str | None
    engine: str
    index: int = 0  # the variation's number in its batch, from 0
    collected: bool = False  # a collection of an earlier job, not a result of this Extend

    @classmethod
    def of(cls, record: JobRecord, index: int = 0) -> JobOutcome:
        return cls(record.key, record.state, record.error, record.error_kind,
                   record.output_path, record.history_path, record.notice, record.engine,
                   index)  # fmt: skip

    @property
    def succeeded(self) -> bool:
        return self.state is JobState.SAVED


@dataclass(frozen=True)
class Progress:
    stage: str
    fraction: float | None


@dataclass(frozen=True)
class Composed:
    image: QImage  # the finished image, before it is saved


def job_work(
    record: JobRecord, run: Run, journal: Journal, index: int
) -> Callable[[Report, threading.Event], tuple[JobOutcome, QImage]]:
    """The work of one job: reports :class:`Progress` and :class:`Composed`, returns the
    outcome and the saved result (a null image when there is none). A run that raises is
    journaled (``settle``), never failed in memory only."""

    def work(report: Report, cancel: threading.Event) -> tuple[JobOutcome, QImage]:
        composed = QImage()

        def update(update: JobUpdate) -> None:
            nonlocal composed
            if update.image is not None:
                composed = to_qimage(update.image)
                report(Composed(composed))
            else:
                report(Progress(update.stage, update.fraction))

        try:
            final = run(update, cancel)
        except Exception as exc:  # a bug, or no engine for it: to the banner, and journaled
            final = settle(record, exc, journal)
        if not final.output_path:
            image = QImage()
        elif composed.isNull():  # e.g. collected: nothing was composed here
            image = QImage(final.output_path)
        else:
            image = composed
        return JobOutcome.of(final, index), image

    return work


def settle(record: JobRecord, exc: Exception, journal: Journal) -> JobRecord:
    """Journal the end of a run that raised: a job past its submit stays collectable (with the
    message), one whose submit may have gone out is uncertain, any other fails."""
    kind = "config" if isinstance(exc, ConfigurationError) else "internal"
    message = str(exc) if kind == "config" else f"Internal error: {exc}"
    message = sentence(message)
    if record.state in COLLECTABLE:
        state, message = record.state, f"{message.rstrip('.')}. {KEPT}"
    elif record.state is JobState.SUBMITTING:
        state = JobState.UNCERTAIN
    else:
        state = JobState.FAILED
    try:
        return journal.move(record, state, message, kind)
    except (ForbiddenTransition, OSError):
        return record  # as the journal last had it
