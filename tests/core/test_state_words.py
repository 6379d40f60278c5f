"""Every job state has one set of words, and History and the command line say the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from outpaint_studio.cli.progress import describe
from outpaint_studio.core.jobs import JobParams, JobRecord
from outpaint_studio.core.runner import JobUpdate
from outpaint_studio.core.transitions import STATE_WORDS, JobState, state_words
from outpaint_studio.model.history import state_text


def test_every_state_has_its_own_words() -> None:
    assert set(STATE_WORDS) == set(JobState)
    assert len(set(STATE_WORDS.values())) == len(JobState)
    assert state_words(JobState.SUBMITTED) == "Submitted, not collected"
    assert state_words("ready") == "Ready, not saved"


def test_a_word_that_is_no_state_is_shown_capitalised() -> None:
    assert state_words("reasoning") == "Reasoning"


@pytest.mark.parametrize("state", list(JobState))
def test_history_and_the_command_line_agree(state: JobState) -> None:
    record = JobRecord(JobParams(input="photo.png", width=64, height=48), state=state)
    record.owner_pid = 0  # no process is working on it
    update = JobUpdate(key=record.key, state=state, stage=state.value, fraction=None, elapsed=1.0)
    assert state_text(record, Path("/home/me/history")) == state_words(state)
    assert describe(update) == f"{state_words(state)} · 1.0 s"


@pytest.mark.parametrize("state", [JobState.CREATED, JobState.SUBMITTED, JobState.READY])
def test_a_job_a_live_process_works_on_is_running_in_the_history(state: JobState) -> None:
    record = JobRecord(JobParams(input="photo.png", width=64, height=48), state=state)
    # this process owns it: not "not collected"
    assert state_text(record, Path("/home/me/history")) == "Running"


def test_a_result_only_in_the_history_folder_is_not_called_saved() -> None:
    history = Path("/home/me/history")
    record = JobRecord(JobParams(input="photo.png", width=64, height=48), state=JobState.SAVED)
    record.owner_pid, record.output_path = 0, str(history / "k1.png")
    assert state_text(record, history) == "Done, kept in history"
    assert state_text(record, Path("/home/me/Pictures")) == state_words(JobState.SAVED)
