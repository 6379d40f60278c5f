"""What every engine offers the job runner, and the errors an engine may raise.

An engine works in two steps so that the runner can journal the job in between: ``submit``
(after which a paid job exists) and ``collect`` (wait for it and return the image bytes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from outpaint_studio.core.request import OutpaintRequest

if TYPE_CHECKING:
    from PIL import Image

# Called with a stage name ("queued", "generating", "downloading", ...) and a fraction 0..1
# when the engine knows one.
ProgressCallback = Callable[[str, float | None], None]


@dataclass(frozen=True)
class Submission:
    job_id: str
    polling_url: str | None = None
    cost: float | None = None
    input_mp: float | None = None
    output_mp: float | None = None


@dataclass(frozen=True)
class EngineResult:
    """A finished image. ``data`` holds the service's own bytes when there are any (saved
    unchanged when nothing is pasted back, so content credentials survive)."""

    image: Image.Image
    data: bytes | None = None
    format: str = "png"
    notice: str | None = None  # e.g. that an offline result is only a rough preview


class Engine(Protocol):
    name: str
    # A service that runs jobs elsewhere: its queue and submit stages are shown, and its jobs
    # count against the account's active-job limit. False: a local engine, whose jobs share
    # the CPU instead.
    remote: bool

    def submit(
        self, request: OutpaintRequest, source: Image.Image, cancel: threading.Event
    ) -> Submission:
        """Start the job. ``source`` is the reference image exactly as placed (already scaled)."""
        ...

    def collect(
        self, submission: Submission, on_progress: ProgressCallback, cancel: threading.Event
    ) -> EngineResult:
        """Wait for the job and return the result, decoded and checked for size."""
        ...


class EngineError(Exception):
    """A failure with a message a user can act on. ``kind`` is a stable short code."""

    kind = "error"
    charged: bool | None = None  # None: unknown

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthError(EngineError):
    kind = "auth"


class CreditsError(EngineError):
    kind = "credits"
    charged = False


class RateLimitError(EngineError):
    kind = "rate_limited"
    charged = False


class InvalidRequestError(EngineError):
    kind = "invalid_request"
    charged = False


class ModeratedError(EngineError):
    kind = "moderated"
    charged = False


class GenerationFailedError(EngineError):
    kind = "generation_failed"


class TaskNotFoundError(EngineError):
    kind = "task_not_found"


class PollRefusedError(EngineError):
    """The service refused to answer polls about a job it accepted (401/403 mid-poll)."""

    kind = "poll_refused"


class BadReplyError(EngineError):
    """The service's reply made no sense (e.g. Ready without an image URL); try again later."""

    kind = "bad_reply"


class TimedOutError(EngineError):
    """Polling gave up; the job may still finish and can be collected later."""

    kind = "timed_out"


class NetworkError(EngineError):
    kind = "network"


class UncertainSubmitError(EngineError):
    """The submit was sent but its reply was lost: the job may exist and be billed."""

    kind = "uncertain"


class DownloadError(EngineError):
    kind = "download"


class CancelledError(EngineError):
    kind = "cancelled"
    charged = False

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)
