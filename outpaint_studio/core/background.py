"""Work on a thread of its own, for a caller that does something else meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """Runs ``work`` at once on a new thread named ``name``; ``result`` hands over its value,
    or raises what it raised, on the caller's thread."""

    def __init__(self, work: Callable[[], T], name: str) -> None:
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._run, args=(work,), name=name).start()

    def _run(self, work: Callable[[], T]) -> None:
        try:
            self._value = work()
        except BaseException as exc:  # raised again by result, on the caller's thread
            self._error = exc
        finally:
            self._done.set()

    def ended(self, timeout: float) -> bool:
        """Whether the work has ended, waiting up to ``timeout`` seconds for it."""
        return self._done.wait(timeout)

    def result(self) -> T:
        """Wait for the work to end; its value, or raise what it raised."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set when no error was raised
