"""One job on its own thread: the work, its progress, and its outcome as plain data."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QImage

from outpaint_studio.core.jobs import JobRecord, JobState

if TYPE_CHECKING:
    from outpaint_studio.core.runner import JobUpdate, UpdateCallback

# One job's work, run on its thread: (progress callback, cancel event) -> the final record.
Work = Callable[["UpdateCallback", threading.Event], JobRecord]


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

    @classmethod
    def of(cls, record: JobRecord, index: int = 0) -> JobOutcome:
        return cls(record.key, record.state.value, record.error, record.error_kind,
                   record.output_path, record.history_path, record.notice, record.engine,
                   index)  # fmt: skip

    @property
    def succeeded(self) -> bool:
        return self.state == JobState.SAVED.value


class JobThread(QThread):
    """Runs one job's work; reports progress, the finished image before it is saved, and the
    outcome by signal."""

    progress = Signal(int, str, float)  # variation index, stage, fraction (-1: unknown)
    composed = Signal(int, QImage)  # variation index, the finished image (then it is saved)
    done = Signal(object, QImage)  # JobOutcome, the saved result (null when none)

    def __init__(
        self, record: JobRecord, work: Work, index: int = 0, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.record = record
        self.work = work
        self.index = index
        self.cancel = threading.Event()
        self._composed = QImage()

    def _update(self, update: JobUpdate) -> None:
        if update.image is not None:
            from outpaint_studio.model.loader import to_qimage

            self._composed = to_qimage(update.image)
            self.composed.emit(self.index, self._composed)
            return
        fraction = -1.0 if update.fraction is None else update.fraction
        self.progress.emit(self.index, update.stage, fraction)

    def run(self) -> None:
        try:
            final = self.work(self._update, self.cancel)
        except Exception as exc:  # a bug, or no engine for it: to the banner, and journaled
            final = settle(self.record, exc)
        if not final.output_path:
            image = QImage()
        elif self._composed.isNull():  # e.g. collected: nothing was composed on this thread
            image = QImage(final.output_path)
        else:
            image = self._composed
        self.done.emit(JobOutcome.of(final, self.index), image)


def settle(record: JobRecord, exc: Exception) -> JobRecord:
    """Journal the end of a run that raised: a job past its submit stays collectable (with the
    message), one whose submit may have gone out is uncertain, any other fails."""
    from outpaint_studio.core.jobs import COLLECTABLE, Journal
    from outpaint_studio.core.runner import KEPT
    from outpaint_studio.core.settings import journal_dir
    from outpaint_studio.core.transitions import ForbiddenTransition
    from outpaint_studio.session import ConfigurationError

    kind = "config" if isinstance(exc, ConfigurationError) else "internal"
    message = str(exc) if kind == "config" else f"Internal error: {exc}"
    message = message[0].upper() + message[1:]
    if record.state in COLLECTABLE:
        state, message = record.state, f"{message.rstrip('.')}. {KEPT}"
    elif record.state is JobState.SUBMITTING:
        state = JobState.UNCERTAIN
    else:
        state = JobState.FAILED
    try:
        return Journal(journal_dir()).move(record, state, message, kind)
    except (ForbiddenTransition, OSError):
        return record  # as the journal last had it
