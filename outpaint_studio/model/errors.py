"""The one way errors reach the user: a model holding the error to show, bound to the banner.

Whatever fails (a source that cannot be opened, a job, a setting) reports a :class:`UserError`
here; the banner shows the current one and offers its action. Nothing else shows errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class UserError:
    """An error in the user's words, and what the banner offers to do about it."""

    message: str
    severity: str = "error"  # "error" or "warning"
    action: str = ""  # "settings", "fit" or "": what the banner's button does
    action_text: str = ""
    kind: str = ""  # what failed: "load", "auth", "moderated", "submitted", …

    def __post_init__(self) -> None:
        if self.message and self.message[0].islower():
            object.__setattr__(self, "message", self.message[0].upper() + self.message[1:])


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


__all__ = ["ErrorModel", "UserError"]
