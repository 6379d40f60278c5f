"""The QThreads a test leaves running, and where each was started (after napari's
``_find_dangling_qthreads``): the fixture that fails such a test names the line to look at."""

from __future__ import annotations

import gc
import traceback
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QThread

ROOT = Path(__file__).resolve().parent.parent
END_WAIT_MS = 5000  # a thread left behind gets this long to end before the next test starts
UNSEEN = "before this test began, or from C++ (its start was not seen)"


def running_threads() -> list[QThread]:
    gc.collect()
    threads = [obj for obj in gc.get_objects() if isinstance(obj, QThread)]
    return [thread for thread in threads if shiboken6.isValid(thread) and thread.isRunning()]


def caller_site(skip: int) -> str:
    """The three calls leading to the frame ``skip`` levels up, innermost first."""
    frames = traceback.extract_stack()[: -1 - skip][-3:]
    return " <- ".join(f"{_short(f.filename)}:{f.lineno} {f.name}" for f in reversed(frames))


def _short(filename: str) -> str:
    path = Path(filename)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else filename


def where(thread: QThread, seen: weakref.WeakKeyDictionary[QThread, str]) -> str:
    return getattr(thread, "start_site", "") or seen.get(thread, UNSEEN)


@pytest.fixture(autouse=True)
def no_thread_left(qapp: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that leaves a QThread running, naming where each was started: a worker's own
    ``start_site`` (model/workers.py), else the call to ``QThread.start`` seen during the test."""
    seen: weakref.WeakKeyDictionary[QThread, str] = weakref.WeakKeyDictionary()
    start = QThread.start

    def start_and_record(
        thread: QThread, priority: QThread.Priority = QThread.Priority.InheritPriority
    ) -> None:
        seen[thread] = caller_site(skip=1)
        start(thread, priority)

    monkeypatch.setattr(QThread, "start", start_and_record)
    yield
    left = running_threads()
    named = [f"{type(thread).__name__} started at {where(thread, seen)}" for thread in left]
    for thread in left:
        thread.wait(END_WAIT_MS)
    assert not left, "QThreads still running after the test:\n  " + "\n  ".join(named)
