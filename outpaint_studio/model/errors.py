"""The one way errors reach the user: a model holding the error to show, bound to the banner.

Whatever fails (a source that cannot be opened, a job, a setting) reports a :class:`UserError`
here; the banner shows the current one and offers its action. Nothing else shows errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from outpaint_studio.core.transitions import COLLECTABLE, JobState, state_words
from outpaint_studio.core.words import sentence
from outpaint_studio.model.job_work import JobOutcome


@dataclass(frozen=True)
class UserError:
    """An error in the user's words, and what the banner offers to do about it."""

    message: str
    severity: str = "error"  # "error" or "warning"
    action: str = ""  # "settings", "fit", "offline" or "": what the banner's button does
    action_text: str = ""
    kind: str = ""  # what failed: "load", "auth", "moderated", "submitted", …

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", sentence(self.message))


class ErrorModel(QObject):
    """The error shown to the user, or None. Signals: changed(object): the new one, or None."""

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._error: UserError | None = None

    @property
    def error(self) -> UserError | None:
        return self._error

    def report(self, error: UserError) -> None:
        self._error = error
        self.changed.emit(error)

    def clear(self) -> None:
        if self._error is not None:
            self._error = None
            self.changed.emit(None)


ERROR_ACTIONS = {  # what the banner offers for an error kind
    "auth": ("settings", "Open Settings"),
    "credits": ("offline", "Use the offline engine"),  # credits are bought on BFL's site
    "config": ("settings", "Open Settings"),
}


def user_error(outcome: JobOutcome, over_limit: bool = False) -> UserError | None:
    """What the user is told about a job that did not succeed (None: nothing to report);
    ``over_limit``: its canvas was over the 4 MP the service takes."""
    if outcome.succeeded:
        return UserError(outcome.notice, "warning", kind="notice") if outcome.notice else None
    if outcome.state is JobState.CANCELLED:
        return None
    message = outcome.error or f"The job ended: {state_words(outcome.state)}"
    kind = outcome.error_kind or ""
    action, text = ERROR_ACTIONS.get(kind, ("", ""))
    if outcome.state in COLLECTABLE:  # paid for and kept: a warning, and what would collect it
        return UserError(message, "warning", action, text, kind="submitted")
    if kind == "moderated":
        message = f"{message.rstrip('.')}. Try another image or prompt."
    if kind == "invalid_request" and over_limit:
        action, text = "fit", "Fit under 4 MP"
    return UserError(message, "error", action, text, kind)


__all__ = ["ErrorModel", "UserError", "user_error"]
