"""How far a fill is, readable from another thread while the fill runs.

The native PatchMatch calls take seconds and cannot report or stop, so the fill names the
expected cost of each of its steps up front and marks where each ends; the fraction done within
a step is estimated from the time it has run, at the pace the finished steps kept (a busy machine
runs them all slower). Step ends are also where a cancelled fill stops.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence

# the pace of finished steps (actual over expected time) is trusted within these bounds...
_PACE_RANGE = (0.25, 8.0)
# ...and measured only on steps expected to take this long: a shorter one is mostly overhead
_MIN_TIMED = 0.25


def _bounded(pace: float) -> float:
    return min(max(pace, _PACE_RANGE[0]), _PACE_RANGE[1])


class FillCancelled(Exception):
    """The cancel event was set between two steps."""


def eased(ratio: float) -> float:
    """The share of a step done after ``ratio`` of its expected time: linear, then closing in
    on 1 without reaching it, so an overrunning step still moves and never looks finished."""
    if ratio <= 0.8:
        return max(0.0, ratio)
    return 1.0 - 0.2 * math.exp(-(ratio - 0.8) / 0.2)


class Steps:
    """The steps of one fill: ``plan`` their expected seconds, ``next`` at each step's end;
    ``fraction`` from any thread. ``next`` and ``check`` raise FillCancelled once ``cancel``
    is set. Until a step long enough to time has ended, the pace is the last fill's."""

    last_pace = 1.0  # of the last fill that timed a step, in this process

    def __init__(self, cancel: threading.Event | None = None) -> None:
        self.cancel = cancel or threading.Event()
        self._lock = threading.Lock()
        self._costs: list[float] = []
        self._current = 0
        self._started = time.monotonic()
        self._spent = 0.0  # seconds the finished steps took
        self._expected = 0.0  # seconds they were expected to take

    def check(self) -> None:
        if self.cancel.is_set():
            raise FillCancelled()

    def plan(self, done: float, costs: Sequence[float]) -> None:
        """The work since the start, expected to take ``done`` seconds, is over; ``costs`` are
        the expected seconds of the steps still to come, in order."""
        with self._lock:
            self._costs = [done, *costs]
            self._current = 0
        self.next()

    def restart(self) -> None:
        """The running step starts over from now: the time until here was spent waiting."""
        with self._lock:
            self._started = time.monotonic()

    def next(self) -> None:
        """The running step is over; the next one starts."""
        with self._lock:
            now = time.monotonic()
            if self._current < len(self._costs):
                if self._costs[self._current] >= _MIN_TIMED:
                    self._spent += now - self._started
                    self._expected += self._costs[self._current]
                    Steps.last_pace = _bounded(self._spent / self._expected)
                self._current += 1
            self._started = now
        self.check()

    def fraction(self) -> float:
        """The estimated share of the fill done, 0 until the steps are planned."""
        with self._lock:
            total = sum(self._costs)
            if total <= 0:
                return 0.0
            done = sum(self._costs[: self._current])
            if self._current < len(self._costs):
                cost = self._costs[self._current]
                pace = self._spent / self._expected if self._expected > 0 else Steps.last_pace
                pace = _bounded(pace)
                ratio = (time.monotonic() - self._started) / max(cost * pace, 1e-6)
                done += cost * eased(ratio)
            return min(1.0, done / total)
