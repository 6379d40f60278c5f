"""What a poll's answer means: final or not, progress, and the error a final status is."""

from __future__ import annotations

from typing import Any

from outpaint_studio.core.engine import (
    BadReplyError,
    GenerationFailedError,
    ModeratedError,
    TaskNotFoundError,
)
from outpaint_studio.engines.bfl_http import service_words

MODERATION_MESSAGES = {
    "Request Moderated": "The input was refused by BFL's moderation (not charged).",
    "Content Moderated": "The generated image was withheld by BFL's moderation (not charged).",
}
# The documented statuses that end a job; any other word (e.g. "Generating") is not final.
FINAL_STATUSES = frozenset({"Ready", *MODERATION_MESSAGES, "Error", "Task not found"})


def final_answer(body: dict[str, Any], job_id: str, secret: str) -> str:
    """The download URL of a Ready job; raises the error a final status means."""
    status = str(body.get("status"))
    words = service_words(body, secret)
    said = f" The service said: {words}" if words else ""
    if status == "Ready":
        result = body.get("result")
        sample = result.get("sample") if isinstance(result, dict) else None
        if not isinstance(sample, str) or not sample.startswith(("http://", "https://")):
            raise BadReplyError("The job is finished but the reply had no result URL." + said)
        return sample
    if status in MODERATION_MESSAGES:
        raise ModeratedError(MODERATION_MESSAGES[status] + said)
    if status == "Task not found":
        raise TaskNotFoundError(
            f"BFL does not know job {job_id} (unknown or expired); "
            "its result can no longer be collected." + said
        )
    raise GenerationFailedError("The service failed to generate the image." + said)


class Troubles:
    """How many polls in a row failed, by kind of trouble."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self.last = ""  # what happened to the last poll, when it failed

    def add(self, trouble: str, what: str) -> None:
        self._counts[trouble] = self._counts.get(trouble, 0) + 1
        self.last = what

    def count(self, trouble: str) -> int:
        return self._counts.get(trouble, 0)

    def clear(self) -> None:
        self._counts.clear()
        self.last = ""


def fraction(progress: object) -> float | None:
    """``progress`` as 0..1, whether the service sent 0..1 or a percentage; never above 1."""
    value = number(progress)
    if value is None:
        return None
    return min(1.0, max(0.0, value / 100 if value > 1 else value))


def number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
