"""The offline engine says how far it is, at least every half second, and answers Cancel at once,
even while a native PatchMatch call (seconds long, uninterruptible) runs."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from test_local_engine import mid_tone_source, needs_patchmatch, request_for

from outpaint_studio.core.engine import CancelledError
from outpaint_studio.engines.fill.steps import FillCancelled, Steps, eased
from outpaint_studio.engines.local import LocalEngine

MAX_GAP = 0.5  # seconds between two progress reports, and from Cancel to the engine's answer


def fill_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "offline fill"]


def wait_for_fills_to_end(deadline: float = 60.0) -> None:
    """A cancelled fill ends its native call in the background: let it, before the next test."""
    for thread in fill_threads():
        thread.join(deadline)
    assert not fill_threads()


@needs_patchmatch
def test_progress_arrives_at_least_every_half_second_during_a_fill() -> None:
    source = mid_tone_source(520, 400)
    engine = LocalEngine()
    cancel = threading.Event()
    submission = engine.submit(request_for(source, 800, 600, mode="high"), source, cancel)
    seen: list[tuple[float, str, float | None]] = []
    engine.collect(submission, lambda stage, f: seen.append((time.monotonic(), stage, f)), cancel)
    times = [t for t, _, _ in seen]
    fractions = [f or 0.0 for _, _, f in seen]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert max(gaps) <= MAX_GAP, f"no progress for {max(gaps):.2f} s"
    assert {stage for _, stage, _ in seen} == {"generating"}
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    between = sorted({round(f, 2) for f in fractions if 0.0 < f < 1.0})
    assert len(between) >= 5, f"the fraction hardly moved: {between}"


@needs_patchmatch
@pytest.mark.parametrize("mode", ["fast", "high"])
def test_cancel_inside_a_native_phase_answers_within_half_a_second(mode: str) -> None:
    source = mid_tone_source(520, 400)
    engine = LocalEngine()
    cancel = threading.Event()
    submission = engine.submit(request_for(source, 800, 600, mode=mode), source, cancel)
    in_phase = threading.Event()
    ended: list[tuple[str, float]] = []

    def on_progress(stage: str, fraction: float | None) -> None:
        if (fraction or 0.0) > 0.0:  # planned and past the first step: PatchMatch runs
            in_phase.set()

    def collect() -> None:
        try:
            engine.collect(submission, on_progress, cancel)
            ended.append(("finished", time.monotonic()))
        except CancelledError:
            ended.append(("cancelled", time.monotonic()))

    worker = threading.Thread(target=collect)
    worker.start()
    try:
        assert in_phase.wait(30)
        assert fill_threads(), "the fill ended before it could be cancelled"
        cancelled_at = time.monotonic()
        cancel.set()
        worker.join(30)
        assert ended and ended[0][0] == "cancelled"
        assert ended[0][1] - cancelled_at <= MAX_GAP
    finally:
        cancel.set()
        worker.join(30)
        wait_for_fills_to_end()


def test_a_step_that_runs_late_keeps_moving_and_never_looks_finished() -> None:
    values = [eased(ratio / 10) for ratio in range(0, 60)]
    assert values == sorted(values) and values[8] == pytest.approx(0.8)
    assert all(later > earlier for earlier, later in itertools.pairwise(values))
    assert max(values) < 1.0


def test_steps_report_the_planned_share_done_and_stop_when_cancelled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Steps, "last_pace", Steps.last_pace)  # this test's pace stays here
    cancel = threading.Event()
    steps = Steps(cancel)
    assert steps.fraction() == 0.0  # nothing planned yet
    steps.plan(1.0, [1.0, 2.0])  # the first of four seconds is done
    assert 0.25 <= steps.fraction() < 0.5
    steps.next()
    assert 0.5 <= steps.fraction() < 1.0
    cancel.set()
    with pytest.raises(FillCancelled):
        steps.next()
    assert steps.fraction() == 1.0  # every planned step ended
