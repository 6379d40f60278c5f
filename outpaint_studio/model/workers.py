"""The one way to run work off the GUI thread, and the one owner that stops it.

A *work* is a plain function ``work(report, cancel) -> result``: it runs on its own thread, calls
``report(value)`` as often as it likes, and should return soon after ``cancel`` is set. Its
:class:`Worker` delivers, on the GUI thread, ``progress(value)`` for each report, then exactly
one of ``returned(result)`` or ``errored(exception)``, then ``finished()``. (In the manner of
superqt's thread workers, without its generator protocol, which nothing here needs.)

:class:`Workers` owns every worker of the window. Closing lets them all go at once: each is
cancelled, the window closes without waiting, and the owner outlives it until its workers end
or the application quits, when it waits for them.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

Report = Callable[[Any], None]
Work = Callable[[Report, threading.Event], Any]


class _Thread(QThread):
    def __init__(self, worker: Worker) -> None:
        super().__init__()
        self.worker = worker
        self.start_site = worker.start_site  # named by the test fixture that finds it left over

    def run(self) -> None:
        worker = self.worker
        try:
            result = worker.work(worker.progress.emit, worker.cancel)
        except Exception as exc:  # delivered to the one who asked, as data
            worker.errored.emit(exc)
        else:
            worker.returned.emit(result)


class Worker(QObject):
    """One work on its own thread; see the module's docstring for the signals' order."""

    progress = Signal(object)
    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()

    def __init__(self, work: Work, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.name = name
        self.cancel = threading.Event()
        self.start_site = ""
        self._thread: _Thread | None = None

    def start(self) -> None:
        caller = traceback.extract_stack(limit=4)[:-2]
        self.start_site = " <- ".join(f"{f.filename}:{f.lineno} {f.name}" for f in caller[::-1])
        self._thread = _Thread(self)
        self._thread.finished.connect(self._on_thread_finished)
        _ALIVE.add(self)  # neither it nor its thread may go while the thread runs
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def wait(self) -> None:
        """Block until the work has ended (the GUI thread waits only while quitting)."""
        if self._thread is not None:
            self._thread.wait()

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is not None:
            self._thread.wait()  # then Python, its only owner, deletes it
        self._thread = None
        self.finished.emit()
        _ALIVE.discard(self)


class Workers(QObject):
    """The owner of every worker: starts them, cancels them, and waits for them at the end."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: list[Worker] = []
        self._closed = False

    def start(
        self,
        work: Work,
        name: str,
        *,
        returned: Callable[[Any], None] | None = None,
        errored: Callable[[Exception], None] | None = None,
        progress: Callable[[Any], None] | None = None,
    ) -> Worker:
        """Run ``work`` on a new thread; the callbacks are called on the GUI thread. After
        ``shutdown`` nothing starts: the worker returned is never run."""
        worker = Worker(work, name)
        for signal, slot in ((worker.returned, returned), (worker.errored, errored),
                             (worker.progress, progress)):  # fmt: skip
            if slot is not None:
                signal.connect(slot)
        worker.finished.connect(self._on_finished)
        if not self._closed:
            self._running.append(worker)
            worker.start()
        return worker

    def running(self) -> list[Worker]:
        return list(self._running)

    @Slot()
    def _on_finished(self) -> None:
        worker = self.sender()
        if isinstance(worker, Worker) and worker in self._running:
            self._running.remove(worker)
        if self._closed and not self._running:
            _ENDING.discard(self)

    def shutdown(self) -> None:
        """Cancel every worker and let them end in the background; the process waits for them
        only as it quits."""
        self._closed = True
        for worker in self._running:
            worker.cancel.set()
        app = QCoreApplication.instance()
        if self._running and app is not None:
            self.setParent(None)  # its threads outlive the window: so does it, until they end
            _ENDING.add(self)
            app.aboutToQuit.connect(self.wait_all)

    @Slot()
    def wait_all(self) -> None:
        """Block until every worker has ended."""
        for worker in list(self._running):
            worker.wait()
        _ENDING.discard(self)


_ENDING: set[Workers] = set()  # owners closed while their workers still ran
_ALIVE: set[Worker] = set()  # workers whose thread runs


__all__ = ["Report", "Work", "Worker", "Workers"]
