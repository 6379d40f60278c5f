"""Job states and the one table of transitions between them.

A job the service accepted (and bills) is *collectable* until its image is saved: it leaves the
collectable states only for ``saved``, for a final answer from the service itself (a moderation
status, ``Error``, ``Task not found``), or when the user discards it (its journal entry is
deleted). Faults of ours or of the network never end it: they leave it collectable, with a
message saying when it will be tried again.
"""

from __future__ import annotations

from enum import StrEnum

from outpaint_studio.core.words import sentence


class JobState(StrEnum):
    CREATED = "created"
    SUBMITTING = "submitting"
    SUBMITTED = "submitted"
    READY = "ready"  # the result is kept in history, not yet composed and saved
    SAVED = "saved"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    CANCELLED = "cancelled"


# Each state in words for people: History, the variation strips and the command line say these.
STATE_WORDS: dict[JobState, str] = {
    JobState.CREATED: "Created",
    JobState.SUBMITTING: "Submitting",
    JobState.SUBMITTED: "Submitted, not collected",
    JobState.READY: "Ready, not saved",
    JobState.SAVED: "Saved",
    JobState.FAILED: "Failed",
    JobState.UNCERTAIN: "Uncertain",
    JobState.CANCELLED: "Cancelled",
}


def state_words(state: JobState | str) -> str:
    """The words for ``state``; a word that is no state is shown capitalised."""
    if state in STATE_WORDS:
        return STATE_WORDS[JobState(state)]
    return sentence(state)


# Jobs the service holds (or we keep) a result for that is not saved yet: what ``resume``,
# History's "Poll again" and the editor's start-up collect.
COLLECTABLE = frozenset({JobState.SUBMITTED, JobState.READY})
# Jobs a running process is working on: after a crash they need sorting out.
IN_FLIGHT = frozenset({JobState.CREATED, JobState.SUBMITTING, *COLLECTABLE})
SUCCEEDED = frozenset({JobState.SAVED})

# Error kinds that are the service's own final word on a job (see engines/bfl.py).
SERVICE_FINAL = frozenset({"moderated", "generation_failed", "task_not_found"})

_S = JobState
TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    _S.CREATED: frozenset({_S.SUBMITTING, _S.FAILED, _S.CANCELLED}),
    _S.SUBMITTING: frozenset({_S.SUBMITTED, _S.UNCERTAIN, _S.FAILED, _S.CANCELLED, _S.CREATED}),
    # back to CREATED: an offline job is simply run again (it costs nothing; see RERUN)
    _S.SUBMITTED: frozenset({_S.SUBMITTED, _S.READY, _S.FAILED, _S.CANCELLED, _S.CREATED}),
    _S.READY: frozenset({_S.READY, _S.SAVED, _S.CREATED}),
    _S.SAVED: frozenset(),
    # only the one-time migration of jobs older versions ended on a fault of ours
    _S.FAILED: frozenset({_S.SUBMITTED, _S.READY}),
    _S.UNCERTAIN: frozenset(),
    _S.CANCELLED: frozenset(),
}


class ForbiddenTransition(RuntimeError):
    """A state change the table does not allow: a bug, never a user's mistake."""


def check_transition(
    current: JobState,
    target: JobState,
    *,
    paid: bool,
    offline: bool = False,
    kind: str | None = None,
) -> None:
    """Raise :class:`ForbiddenTransition` unless ``current -> target`` is allowed.

    ``paid``: the service accepted the job (a BFL job with an id). ``offline``: the job runs
    on the offline engine, so running it again costs nothing. ``kind``: the error kind that
    causes the change, if any.
    """
    if target not in TRANSITIONS[current]:
        raise ForbiddenTransition(f"a job cannot go from {current} to {target}")
    if target is JobState.CREATED and not offline:
        raise ForbiddenTransition("only an offline job is run again; a paid one is never resent")
    if current is JobState.FAILED:
        if not paid or kind in SERVICE_FINAL:
            raise ForbiddenTransition("only a paid job that failed on our side is collectable")
        return
    if not paid or current not in COLLECTABLE or target in COLLECTABLE:
        return
    if target is JobState.SAVED or (target is JobState.FAILED and kind in SERVICE_FINAL):
        return
    raise ForbiddenTransition(
        f"a paid job leaves {current} only for saved or the service's final word, not {target}"
        + (f" ({kind})" if kind else "")
    )


# The end of every message about a paid job that a fault left unfinished.
KEPT = (
    "The job is paid for and kept: `outpaint-studio resume`, History's Poll again or the "
    "editor's next start will collect it."
)
# Why an uncertain job is not sent again: it may exist, and be charged.
UNCERTAIN_HELP = (
    "the request was sent but no reply came back, so the job may have been created and will "
    "then be charged. Check your BFL dashboard (usage) before sending it again; "
    "Outpaint Studio does not resend it by itself"
)
