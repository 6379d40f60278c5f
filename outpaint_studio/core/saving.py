"""Encoding a finished image once it is shown: CPU work that must not hold back the jobs whose
results are still being downloaded and composed, so it yields the CPU to them."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import TypeVar

T = TypeVar("T")

YIELDING_NICE = 10  # added to the encoding threads' nice value: they run when the CPU is free


def lower_priority() -> None:
    """Make the calling thread yield the CPU to the process's other threads. Linux gives each
    thread its own nice value (a nice value is per process elsewhere: nothing changes there)."""
    if sys.platform != "linux":
        return
    thread = threading.get_native_id()
    with suppress(OSError):
        nice = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, nice + YIELDING_NICE))


# One encoding thread per core (more at once would only hold more encoded bytes in memory), each
# lowered once as it starts and kept for the process's life: a lowered thread cannot come back.
_ENCODERS = ThreadPoolExecutor(max(1, os.cpu_count() or 1), "encode", initializer=lower_priority)


def encode_yielding(encode: Callable[[], T]) -> T:
    """``encode()`` on an encoding thread, at a lower CPU priority, waited for; what it raises
    is raised here."""
    return _ENCODERS.submit(encode).result()
