"""The QThreads still running, for the fixtures that fail a test leaving one behind."""

from __future__ import annotations

import gc

from PySide6.QtCore import QThread


def running_threads() -> list[QThread]:
    gc.collect()
    return [obj for obj in gc.get_objects() if isinstance(obj, QThread) and obj.isRunning()]
