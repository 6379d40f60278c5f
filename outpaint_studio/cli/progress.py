"""Human progress on stderr: one updating line on a terminal, plain lines otherwise."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TextIO

from outpaint_studio.core.runner import JobUpdate
from outpaint_studio.core.stages import RUNNING_STAGES, stage_text
from outpaint_studio.core.transitions import STATE_WORDS

STAGE_WORDS = RUNNING_STAGES | {state.value: words for state, words in STATE_WORDS.items()}


def describe(update: JobUpdate, with_fraction: bool = True) -> str:
    fraction = update.fraction if with_fraction else None
    return f"{stage_text(update.stage, fraction, STAGE_WORDS)} · {update.elapsed:.1f} s"


class ProgressPrinter:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self._lock = threading.Lock()
        self._last: dict[str, str] = {}
        self._width = 0

    def update_for(self, name: str) -> Callable[[JobUpdate], None]:
        def on_update(update: JobUpdate) -> None:
            self._show(name, update)

        return on_update

    def _show(self, name: str, update: JobUpdate) -> None:
        # a plain line is written once per stage, as it starts: its fraction would always be 0
        text = f"{name}: {describe(update, with_fraction=self.live)}"
        with self._lock:
            if self.live:
                padding = " " * max(0, self._width - len(text))
                self.stream.write(f"\r{text}{padding}")
                self._width = len(text)
            elif self._last.get(name) != update.stage:
                self.stream.write(text + "\n")
            self._last[name] = update.stage
            self.stream.flush()

    def line(self, text: str) -> None:
        with self._lock:
            if self.live and self._width:
                self.stream.write("\r" + " " * self._width + "\r")
                self._width = 0
            self.stream.write(text + "\n")
            self.stream.flush()

    def finish(self) -> None:
        with self._lock:
            if self.live and self._width:
                self.stream.write("\n")
                self._width = 0
            self.stream.flush()
