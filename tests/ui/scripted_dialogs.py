"""The editor's dialogs answered by the test: each question takes the next scripted answer of its
kind, and is recorded; a question with no answer left fails the test."""

from __future__ import annotations

from collections import defaultdict, deque

import pytest

from outpaint_studio.ui.dialogs import Dialogs


class ScriptedDialogs(Dialogs):
    def __init__(self) -> None:
        super().__init__(None)
        self._answers: dict[str, deque[object]] = defaultdict(deque)
        self.asked: list[tuple[str, str, object]] = []  # (kind, title, what was suggested)

    def answer(self, kind: str, *answers: object) -> None:
        """Script the next answers to questions of ``kind``: "save_path" ((path, filter) or a
        path), "open_path" (a path), "folder" (a path), "confirm" (a bool), "text" (a str)."""
        self._answers[kind].extend(answers)

    def _next(self, kind: str, title: str, suggested: object) -> object:
        self.asked.append((kind, title, suggested))
        if not self._answers[kind]:
            pytest.fail(f"the editor asked an unexpected {kind} question: {title!r}")
        return self._answers[kind].popleft()

    def save_path(
        self, title: str, suggested: str, filters: list[str], selected: str = ""
    ) -> tuple[str, str]:
        answer = self._next("save_path", title, suggested)
        return answer if isinstance(answer, tuple) else (str(answer), selected)

    def open_path(self, title: str, start: str, filters: str) -> str:
        return str(self._next("open_path", title, start))

    def folder(self, title: str, start: str) -> str:
        return str(self._next("folder", title, start))

    def confirm(self, title: str, question: str, action: str = "") -> bool:
        return bool(self._next("confirm", title, question))

    def text(self, title: str, label: str) -> str:
        return str(self._next("text", title, label))
