"""The job queue with no widgets, against a scripted engine (in the manner of krita-ai-diffusion's
tests/test_model.py): what it journals, what it reports, and what it lets the user do next."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from photos import make_photo
from PIL import Image

from outpaint_studio.core.engine import (
    AuthError,
    EngineResult,
    InvalidRequestError,
    ModeratedError,
    Submission,
)
from outpaint_studio.core.jobs import JobParams, JobState
from outpaint_studio.core.source import open_source
from outpaint_studio.model.errors import ErrorModel
from outpaint_studio.model.jobs import JobController
from outpaint_studio.model.workers import Workers
from outpaint_studio.session import ConfigurationError, EngineChoice, Session


class ScriptedEngine:
    """An engine that answers as told: a plain result, an error, or a wait for cancel."""

    name = "bfl"
    remote = True

    def __init__(
        self, fails_with: Exception | None = None, at: str = "collect", waits: bool = False
    ) -> None:
        self.fails_with = fails_with
        self.fails_at = at  # "submit" or "collect"
        self.waits = waits
        self.submits = 0

    def submit(self, request: object, source: Image.Image, cancel: threading.Event) -> Submission:
        if self.fails_with is not None and self.fails_at == "submit":
            raise self.fails_with
        self.submits += 1
        return Submission(f"job-{self.submits}", cost=1.0)

    def collect(
        self, submission: Submission, on_progress: object, cancel: threading.Event
    ) -> EngineResult:
        if self.waits:
            cancel.wait(10)
        if self.fails_with is not None and self.fails_at == "collect":
            raise self.fails_with
        size = (self.request_size[0], self.request_size[1])
        return EngineResult(Image.new("RGB", size, "teal"))

    request_size = (208, 160)


class ScriptedSession(Session):
    def __init__(self, engine: ScriptedEngine | None) -> None:
        base = Session.open()
        super().__init__(base.settings, base.keys, base.journal, base.history, base.data)
        self.scripted = engine

    def engine(self, choice: EngineChoice, seed: int | None = None) -> ScriptedEngine:  # type: ignore[override]
        if self.scripted is None:
            raise ConfigurationError("no BFL API key: set BFL_API_KEY or add a key in Settings")
        return self.scripted


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return make_photo(tmp_path / "photo.png")  # 160 x 128


def queue_for(engine: ScriptedEngine | None) -> tuple[JobController, ErrorModel, list[object]]:
    errors = ErrorModel()
    queue = JobController(ScriptedSession(engine), Workers(), errors)
    finished: list[object] = []
    queue.finished.connect(lambda outcome, image: finished.append(outcome))
    return queue, errors, finished


def extend(queue: JobController, photo: Path, width: int = 208, height: int = 160) -> bool:
    params = JobParams(str(photo), width, height, engine="bfl")
    return queue.start(params, open_source(str(photo)), "https://api.bfl.ai")


def test_a_job_is_journaled_saved_and_reports_no_error(qtbot, photo: Path) -> None:
    queue, errors, finished = queue_for(ScriptedEngine())
    assert extend(queue, photo)
    assert queue.why_not_extend([], True) == ""  # running: Extend waits, with no reason shown
    qtbot.waitUntil(lambda: len(finished) == 1, timeout=10_000)
    [outcome] = finished
    assert outcome.succeeded and errors.error is None
    assert queue.session.journal.load(outcome.key).state is JobState.SAVED
    assert queue.why_not_extend([], True) is None


@pytest.mark.parametrize(
    ("error", "at", "kind", "action"),
    [
        (ModeratedError("The input was refused by BFL's moderation (not charged)."),
         "collect", "moderated", ""),
        (AuthError("The API key was refused"), "submit", "auth", "settings"),
        (InvalidRequestError("width must be a multiple of 32"), "submit", "invalid_request", ""),
    ],
)  # fmt: skip
def test_an_engine_error_reaches_the_error_model_once_with_its_action(
    qtbot, photo: Path, error: Exception, at: str, kind: str, action: str
) -> None:
    queue, errors, finished = queue_for(ScriptedEngine(fails_with=error, at=at))
    assert extend(queue, photo)
    qtbot.waitUntil(lambda: len(finished) == 1, timeout=10_000)
    assert errors.error is not None
    assert (errors.error.kind, errors.error.action) == (kind, action)
    assert errors.error.message.count("not charged") == (1 if kind == "moderated" else 0)
    assert queue.session.journal.load(finished[0].key).state is not JobState.SAVED


def test_an_invalid_canvas_over_4_mp_offers_to_fit_it(qtbot, photo: Path) -> None:
    engine = ScriptedEngine(fails_with=InvalidRequestError("too many pixels"), at="submit")
    queue, errors, finished = queue_for(engine)
    assert extend(queue, photo, 2560, 1920)
    qtbot.waitUntil(lambda: len(finished) == 1, timeout=10_000)
    assert errors.error is not None and errors.error.action == "fit"


def test_a_run_that_raises_is_journaled_and_reported(qtbot, photo: Path) -> None:
    queue, errors, finished = queue_for(ScriptedEngine(fails_with=RuntimeError("bug")))
    assert extend(queue, photo)
    qtbot.waitUntil(lambda: len(finished) == 1, timeout=10_000)
    record = queue.session.journal.load(finished[0].key)
    assert record.state is JobState.SUBMITTED and "paid for and kept" in (record.error or "")
    assert errors.error is not None
    assert (errors.error.kind, errors.error.severity) == ("submitted", "warning")


def test_settings_that_cannot_work_start_nothing_and_offer_settings(photo: Path) -> None:
    queue, errors, _ = queue_for(None)
    assert not extend(queue, photo)
    assert errors.error is not None
    assert (errors.error.kind, errors.error.action) == ("config", "settings")
    assert errors.error.message.startswith("No BFL API key")
    assert queue.session.journal.records() == [] and not queue.is_running()


def test_cancel_gives_the_editor_back_and_reports_no_error(qtbot, photo: Path) -> None:
    queue, errors, finished = queue_for(ScriptedEngine(waits=True))
    assert extend(queue, photo)
    qtbot.waitUntil(lambda: queue.session.journal.records() != [], timeout=5000)
    queue.cancel()
    qtbot.waitUntil(lambda: not queue.is_running(), timeout=2000)
    qtbot.waitUntil(lambda: len(finished) == 1, timeout=10_000)
    assert errors.error is None
    record = queue.session.journal.load(finished[0].key)
    assert record.state in (JobState.SUBMITTED, JobState.CANCELLED)  # paid: kept collectable


def test_why_not_extend_names_the_first_problem_then_the_loading() -> None:
    queue, _, _ = queue_for(ScriptedEngine())
    assert queue.why_not_extend(["The canvas is over 4 MP"], False) == "The canvas is over 4 MP"
    assert queue.why_not_extend([], False) == "Loading the full image…"
    assert queue.why_not_extend([], True) is None


class CountingEngine(ScriptedEngine):
    """Holds every job after its submit until released, counting the jobs active at once."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.active = self.most_active = 0

    def submit(self, request: object, source: Image.Image, cancel: threading.Event) -> Submission:
        with self.lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        return super().submit(request, source, cancel)

    def collect(
        self, submission: Submission, on_progress: object, cancel: threading.Event
    ) -> EngineResult:
        self.release.wait(20)
        with self.lock:
            self.active -= 1
        return super().collect(submission, on_progress, cancel)


def test_every_queue_of_one_session_shares_the_accounts_24_active_jobs(qtbot, photo: Path) -> None:
    engine = CountingEngine()
    session, workers = ScriptedSession(engine), Workers()
    queues = [JobController(session, workers, ErrorModel()) for _ in range(4)]  # and formats
    done: list[object] = []
    for queue in queues:
        queue.finished.connect(lambda outcome, image: done.append(outcome))
        params = JobParams(str(photo), 208, 160, engine="bfl")
        assert queue.start(params, open_source(str(photo)), "https://api.bfl.ai", 8)
    qtbot.waitUntil(lambda: engine.submits == 24, timeout=20_000)
    engine.release.set()
    qtbot.waitUntil(lambda: len(done) == 32, timeout=30_000)
    assert engine.most_active == 24


class FailsEvery(ScriptedEngine):
    """The service refuses every ``nth`` submit (counting from 1)."""

    def __init__(self, nth: int) -> None:
        super().__init__()
        self.nth, self.asked = nth, 0

    def submit(self, request: object, source: Image.Image, cancel: threading.Event) -> Submission:
        self.asked += 1
        if self.asked % self.nth == 0:
            raise InvalidRequestError("refused")
        return super().submit(request, source, cancel)


def test_the_status_says_how_a_job_or_a_batch_ended(qtbot, photo: Path) -> None:
    queue, _, finished = queue_for(FailsEvery(3))
    said: list[str] = []
    queue.status.connect(lambda text, percent: said.append(text))
    assert extend(queue, photo)
    qtbot.waitUntil(lambda: len(finished) == 1, timeout=10_000)
    assert said[-1].startswith("Done · ")
    params = JobParams(str(photo), 208, 160, engine="bfl")
    assert queue.start(params, open_source(str(photo)), "https://api.bfl.ai", 3)
    qtbot.waitUntil(lambda: len(finished) == 4, timeout=10_000)
    assert said[-1] == "2 of 3 ready"
