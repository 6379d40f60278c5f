"""The table of job transitions: a paid job leaves the collectable states only for saved or the
service's own final word, whatever faults happen on the way."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import outpaint_studio
from outpaint_studio.core import engine as errors
from outpaint_studio.core.engine import EngineResult, ProgressCallback, Submission
from outpaint_studio.core.jobs import JobParams, JobRecord, Journal
from outpaint_studio.core.request import OutpaintRequest
from outpaint_studio.core.runner import JobRunner
from outpaint_studio.core.transitions import (
    COLLECTABLE,
    KEPT,
    SERVICE_FINAL,
    TRANSITIONS,
    ForbiddenTransition,
    JobState,
    check_transition,
)

# What the network or our side can throw at a job after its submit.
TRANSPORT_FAULTS = [
    errors.NetworkError("lost contact"),
    errors.TimedOutError("not finished"),
    errors.DownloadError("the link answered HTTP 503"),
    errors.PollRefusedError("refused 3 polls"),
    errors.BadReplyError("no result URL"),
    errors.CancelledError("stopped waiting"),
    errors.AuthError("refused"),
    errors.RateLimitError("429"),
    errors.EngineError("HTTP 418"),
]
TRANSPORT_KINDS: list[str | None] = [None, "save", *sorted({f.kind for f in TRANSPORT_FAULTS})]


@given(st.lists(st.tuples(st.sampled_from(list(JobState)), st.sampled_from(TRANSPORT_KINDS))))
def test_no_transport_fault_moves_a_paid_job_out_of_the_collectable_states(
    moves: list[tuple[JobState, str | None]],
) -> None:
    state = JobState.SUBMITTED
    for target, kind in moves:
        try:
            check_transition(state, target, paid=True, kind=kind)
        except ForbiddenTransition:
            continue
        state = target
        assert state in COLLECTABLE | {JobState.SAVED}


def test_the_table_lets_a_collectable_job_out_only_to_saved_or_the_services_word() -> None:
    for current in COLLECTABLE:
        for target in TRANSITIONS[current] - COLLECTABLE:
            for kind in [*TRANSPORT_KINDS, *SERVICE_FINAL]:
                allowed = target is JobState.SAVED or (
                    target is JobState.FAILED and kind in SERVICE_FINAL
                )
                try:
                    check_transition(current, target, paid=True, kind=kind)
                except ForbiddenTransition:
                    assert not allowed, (current, target, kind)
                else:
                    assert allowed, (current, target, kind)
    with pytest.raises(ForbiddenTransition):
        check_transition(JobState.SAVED, JobState.SUBMITTED, paid=True)
    with pytest.raises(ForbiddenTransition, match="never resent"):
        check_transition(JobState.SUBMITTING, JobState.CREATED, paid=False)
    check_transition(JobState.SUBMITTED, JobState.CREATED, paid=False, offline=True)


class ScriptedEngine:
    """An engine whose ``collect`` plays a script of faults, then returns the image."""

    name = "bfl"
    remote = True

    def __init__(self, script: list[errors.EngineError]) -> None:
        self.script = list(script)

    def submit(
        self, request: OutpaintRequest, source: Image.Image, cancel: threading.Event
    ) -> Submission:
        raise AssertionError("a collectable job is never submitted again")

    def collect(
        self, submission: Submission, on_progress: ProgressCallback, cancel: threading.Event
    ) -> EngineResult:
        if self.script:
            raise self.script.pop(0)
        return EngineResult(Image.new("RGB", (64, 48), "teal"), None, "png")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(TRANSPORT_FAULTS), max_size=6))
def test_resume_collects_a_job_after_any_sequence_of_faults(
    tmp_path: Path, faults: list[errors.EngineError]
) -> None:
    journal = Journal(tmp_path / f"jobs-{len(list(tmp_path.iterdir()))}")
    params = JobParams(input=str(tmp_path / "gone.png"), width=64, height=48, paste_back=False)
    record = JobRecord(params=params, job_id="j1", polling_url="http://127.0.0.1:9/v1/get_result")
    record.state, record.owner_pid = JobState.SUBMITTED, 0
    journal.save(record)
    runner = JobRunner(ScriptedEngine(faults), journal, tmp_path)
    for _ in faults:
        [waiting] = journal.collectable()  # resume never skips it
        record = runner.collect(waiting, lambda update: None, threading.Event())
        assert record.state is JobState.SUBMITTED and record.error and KEPT in record.error
        assert journal.load(record.key).state is JobState.SUBMITTED
    [waiting] = journal.collectable()
    record = runner.collect(waiting, lambda update: None, threading.Event())
    assert record.state is JobState.SAVED and journal.collectable() == []
    assert journal.load(record.key).state is JobState.SAVED


def test_only_journal_move_sets_a_jobs_state() -> None:
    """Nothing else assigns ``<record>.state`` (an object's own ``self.state`` is its own)."""
    package = Path(outpaint_studio.__file__).parent
    setters = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                for item in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if (
                        isinstance(item, ast.Attribute)
                        and item.attr == "state"
                        and not (isinstance(item.value, ast.Name) and item.value.id == "self")
                    ):
                        setters.add(str(path.relative_to(package)))
    assert setters == {"core/jobs.py"}
