"""Encoding a finished image once it is shown: CPU work that must not hold back the jobs whose
results are still being downloaded and composed, so it yields the CPU to them."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

from outpaint_studio.core.background import Background

T = TypeVar("T")

YIELDING_NICE = 10  # added to the encoding thread's nice value: it runs when the CPU is free
# One encode per core at most: more at once would only hold more encoded bytes in memory.
_ENCODE_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def encode_yielding(encode: Callable[[], T]) -> T:
    """``encode()`` on a thread of its own at a lower CPU priority, waited for; what it raises
    is raised here."""
    with _ENCODE_SLOTS:
        return Background(lambda: _yielding(encode), "encode").result()


def _yielding(work: Callable[[], T]) -> T:
    lower_priority()
    return work()


def lower_priority() -> None:
    """Make the calling thread yield the CPU to the process's other threads. Linux gives each
    thread its own nice value (a nice value is per process elsewhere: nothing changes there)."""
    if sys.platform != "linux":
        return
    thread = threading.get_native_id()
    with suppress(OSError):
        nice = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, nice + YIELDING_NICE))
