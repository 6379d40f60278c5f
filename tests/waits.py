"""Waiting on something outside Qt's event loop (a child process, a server, an X window): poll
until it holds, and fail with what was awaited once the deadline passes."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None], seconds: float = 20) -> T:
    """Poll ``probe`` until it gives something; a passed deadline fails with ``what``."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found is not None and found is not False:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.05)


@contextlib.contextmanager
def killed_at_exit(child: subprocess.Popen[str] | subprocess.Popen[bytes]) -> Iterator[None]:
    """A child process that a failed wait or assertion must not leave running."""
    try:
        yield
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
