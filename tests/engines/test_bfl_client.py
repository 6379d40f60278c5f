"""The real HTTP client against the simulator: every fault of BFL_NOTES.md ends as described."""

from __future__ import annotations

import base64
import io
import threading
import time
from email.utils import formatdate
from typing import Any

import pytest
from bfl_sim import BflSimulator
from photos import API_KEY, encoded, image_size, photo_like
from PIL import Image
from waits import wait_for

from outpaint_studio.core.engine import (
    AuthError,
    CancelledError,
    CreditsError,
    DownloadError,
    GenerationFailedError,
    InvalidRequestError,
    ModeratedError,
    NetworkError,
    PollRefusedError,
    RateLimitError,
    Submission,
    TaskNotFoundError,
    TimedOutError,
    UncertainSubmitError,
)
from outpaint_studio.core.request import OutpaintRequest
from outpaint_studio.core.stages import stage_text
from outpaint_studio.engines.bfl import SUBMITS_AT_ONCE, BflClient
from outpaint_studio.engines.bfl_http import check_base_url, may_send_key

SOURCE = photo_like(96, 64)


def request(**changes: Any) -> OutpaintRequest:
    values: dict[str, Any] = {
        "input_image": base64.b64encode(encoded(SOURCE)).decode(),
        "width": 192,
        "height": 128,
        "source_size": SOURCE.size,
    }
    values.update(changes)
    return OutpaintRequest(**values)


def client(sim: BflSimulator, **options: Any) -> BflClient:
    return BflClient(API_KEY, sim.base_url, **options)


def no_progress(stage: str, fraction: float | None) -> None:
    pass


def run(engine: BflClient, req: OutpaintRequest | None = None) -> Image.Image:
    cancel = threading.Event()
    submission = engine.submit(req or request(), SOURCE, cancel)
    return engine.collect(submission, no_progress, cancel).image


def test_a_job_goes_through(sim: BflSimulator) -> None:
    stages: list[str] = []
    engine = client(sim)
    cancel = threading.Event()
    submission = engine.submit(request(reference_offset_x=10), SOURCE, cancel)
    assert submission.job_id and submission.polling_url and submission.cost
    result = engine.collect(submission, lambda s, f: stages.append(s), cancel)
    assert result.image.size == (192, 128)
    assert result.data and image_size(io.BytesIO(result.data)) == (192, 128)
    assert "downloading" in stages and stages[0] in ("queued", "generating")
    assert sim.submit_count == 1 and sim.key_leaks() == []


@pytest.mark.parametrize("retry_after", ["1", "http-date"])
def test_429_on_submit_waits_and_retries(sim: BflSimulator, retry_after: str) -> None:
    # an HTTP date has whole seconds: two from now is at least one
    value = formatdate(time.time() + 2, usegmt=True) if retry_after == "http-date" else "1"
    sim.inject("submit_429", times=2, retry_after=value)
    started = time.monotonic()
    assert run(client(sim)).size == (192, 128)
    assert time.monotonic() - started >= 1.0
    assert sim.submit_attempts == 3 and sim.submit_count == 1


def test_429_for_too_long_fails_clearly(sim: BflSimulator) -> None:
    sim.inject("submit_429", times=5, retry_after="1")
    with pytest.raises(RateLimitError, match="Too many jobs"):
        run(client(sim, rate_limit_wait=1.5))
    assert sim.submit_count == 0


def test_failure_to_connect_is_retried(sim: BflSimulator) -> None:
    sim.refuse_connections(0.8)
    assert run(client(sim)).size == (192, 128)
    assert sim.submit_count == 1


def test_nothing_listening_is_a_network_error() -> None:
    engine = BflClient(API_KEY, "http://127.0.0.1:9", sleep=lambda event, s: False)
    with pytest.raises(NetworkError, match="nothing was sent"):
        run(engine)


@pytest.mark.parametrize(
    ("fault", "params"),
    [
        ("submit_drop_after", {}),
        ("submit_5xx_html", {"status": 502, "created": True}),
        ("submit_5xx_html", {"status": 500, "created": False}),
    ],
)
def test_a_lost_reply_is_never_resent(sim: BflSimulator, fault: str, params: dict) -> None:
    sim.inject(fault, **params)
    with pytest.raises(UncertainSubmitError) as caught:
        run(client(sim))
    assert "may have been created" in caught.value.message
    assert "charged" in caught.value.message
    assert sim.submit_attempts == 1


def test_a_submit_never_rides_a_kept_alive_connection(sim: BflSimulator) -> None:
    engine = client(sim)
    assert engine.credits() > 0  # leaves a kept-alive connection in the pool
    sim.inject("stale_connection")  # the server closes it as it is reused
    assert run(engine).size == (192, 128)
    assert sim.submit_attempts == 1 and sim.submit_count == 1
    submit = next(r for r in sim.requests if r.method == "POST")
    assert submit.headers.get("connection") == "close"


def test_submits_of_every_client_take_turns_and_one_waiting_can_be_cancelled(
    sim: BflSimulator,
) -> None:
    engine = client(sim)
    sim.inject("submit_slow", times=SUBMITS_AT_ONCE + 1, delay=2)
    slow = [threading.Thread(target=run, args=(client(sim),)) for _ in range(SUBMITS_AT_ONCE + 1)]
    for thread in slow:
        thread.start()
    wait_for("the slow submits to arrive", lambda: sim.submit_attempts >= SUBMITS_AT_ONCE)
    cancel = threading.Event()
    ended: list[BaseException] = []

    def submit_in_turn() -> None:
        try:
            engine.submit(request(), SOURCE, cancel)
        except CancelledError as exc:
            ended.append(exc)

    waiting = threading.Thread(target=submit_in_turn)
    waiting.start()
    cancel.set()
    waiting.join(2)
    assert not waiting.is_alive() and len(ended) == 1
    for thread in slow:
        thread.join(10)
    assert sim.submit_count == SUBMITS_AT_ONCE + 1  # the one cancelled was never sent
    assert sim.peak_submits_in_flight <= SUBMITS_AT_ONCE


def test_a_read_timeout_on_submit_is_uncertain(sim: BflSimulator) -> None:
    sim.inject("submit_slow", delay=3)
    with pytest.raises(UncertainSubmitError):
        run(client(sim, submit_timeout=0.5))
    assert sim.submit_attempts == 1 and sim.submit_count == 1


@pytest.mark.parametrize(
    ("fault", "params"),
    [
        ("poll_5xx_html", {"status": 503}),
        ("poll_drop", {}),
        ("poll_retry_after", {"retry_after": "1", "status": 429}),
    ],
)
def test_polling_survives_transient_faults(sim: BflSimulator, fault: str, params: dict) -> None:
    sim.inject(fault, times=2, **params)
    assert run(client(sim)).size == (192, 128)


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        ("Request Moderated", ModeratedError, "not charged"),
        ("Content Moderated", ModeratedError, "not charged"),
        ("Error", GenerationFailedError, "GPU fell over"),
    ],
)
def test_every_final_status_ends_the_job(
    sim: BflSimulator, status: str, error: type, words: str
) -> None:
    sim.inject("status", status=status, details={"reason": "GPU fell over"})
    with pytest.raises(error, match=words):
        run(client(sim))


def test_unknown_job_is_task_not_found(sim: BflSimulator) -> None:
    engine = client(sim)
    lost = Submission("no-such-job", f"{sim.base_url}/v1/get_result?id=no-such-job")
    with pytest.raises(TaskNotFoundError, match="no-such-job"):
        engine.collect(lost, no_progress, threading.Event())


def test_a_truncated_download_is_retried(sim: BflSimulator) -> None:
    sim.inject("delivery_truncated")
    assert run(client(sim)).size == (192, 128)
    downloads = [r for r in sim.requests if r.path.startswith("/delivery/")]
    assert len(downloads) == 2


def test_an_expired_download_link_is_replaced_by_a_fresh_poll(sim: BflSimulator) -> None:
    sim.inject("delivery_status", status=403)
    assert run(client(sim)).size == (192, 128)
    downloads = [r for r in sim.requests if r.path.startswith("/delivery/")]
    assert [r.status for r in downloads] == [403, 200]  # a dead link is not retried as such
    sim.inject("delivery_status", status=403, times=5)
    with pytest.raises(DownloadError, match="expired"):
        run(client(sim))


def stages_of_a_job(sim: BflSimulator) -> list[str]:
    """The stages one job reports, submitted and collected to the end."""
    stages: list[str] = []
    cancel = threading.Event()
    engine = client(sim)
    submission = engine.submit(request(), SOURCE, cancel)
    result = engine.collect(submission, lambda s, f: stages.append(s), cancel)
    assert result.image.size == (192, 128)
    return stages


def test_an_undocumented_status_word_is_not_final(sim: BflSimulator) -> None:
    sim.inject("poll_status_word", word="Reasoning", times=2)
    assert "Reasoning" in stages_of_a_job(sim)
    cancel = threading.Event()
    with BflSimulator(api_key=API_KEY, finish_after=5) as slow:
        slow.inject("poll_status_word", word="Generating", times=1000)
        engine = BflClient(API_KEY, slow.base_url, poll_timeout=1)
        submission = engine.submit(request(), SOURCE, cancel)
        with pytest.raises(TimedOutError, match="still said 'Generating'"):
            engine.collect(submission, no_progress, cancel)


@pytest.mark.parametrize("percent", [False, True])
def test_progress_in_either_scale_never_passes_100(percent: bool) -> None:
    with BflSimulator(api_key=API_KEY, finish_after=1.5, progress_percent=percent) as sim:
        fractions: list[float] = []
        engine = client(sim)
        cancel = threading.Event()
        submission = engine.submit(request(), SOURCE, cancel)
        engine.collect(submission, lambda s, f: f is not None and fractions.append(f), cancel)
        assert fractions and max(fractions) <= 1.0
        assert 0.3 < max(fractions) < 1.0  # 0..100 is read as a percentage, not as > 1


def test_refused_polls_stop_waiting_but_never_blame_the_key(sim: BflSimulator) -> None:
    sim.inject("poll_auth", status=403, times=10)
    with pytest.raises(PollRefusedError, match="refused 3 polls") as caught:
        run(client(sim))
    assert "Check the key" not in caught.value.message
    # true also after a restart with another key (how to collect it, the app's words add)
    assert "same key" not in caught.value.message and "another key" in caught.value.message
    polls = [r for r in sim.requests if r.path == "/v1/get_result"]
    assert len(polls) == 3


def test_redirects_are_followed_and_the_key_stays_home() -> None:
    with BflSimulator(api_key=API_KEY) as sim:
        sim.inject("poll_redirect", times=2)  # to another path on the same host
        sim.inject("delivery_redirect", to="http://127.0.0.1:{port}")
        assert run(client(sim)).size == (192, 128)
        moved = [r for r in sim.requests if r.path == "/v1/moved/get_result"]
        assert moved and all("x-key" in r.headers for r in moved)
        sim.recover()
        sim.inject("poll_redirect", to="http://localhost:{port}", times=10)
        with pytest.raises(PollRefusedError):
            run(client(sim))
        assert sim.key_leaks() == []


def test_polling_timeout_keeps_the_job_collectable() -> None:
    with BflSimulator(api_key=API_KEY, finish_after=1.5) as slow:
        engine = BflClient(API_KEY, slow.base_url, poll_timeout=0.6)
        cancel = threading.Event()
        submission = engine.submit(request(), SOURCE, cancel)
        with pytest.raises(TimedOutError, match=r"not finished after 0\.6 s"):
            engine.collect(submission, no_progress, cancel)
        later = BflClient(API_KEY, slow.base_url)
        assert later.collect(submission, no_progress, cancel).image.size == (192, 128)
        assert slow.submit_count == 1


def test_cancel_stops_polling_quickly() -> None:
    with BflSimulator(api_key=API_KEY, finish_after=30) as slow:
        engine = BflClient(API_KEY, slow.base_url)
        cancel = threading.Event()
        submission = engine.submit(request(), SOURCE, cancel)
        threading.Timer(0.3, cancel.set).start()
        started = time.monotonic()
        with pytest.raises(CancelledError, match="can still be collected"):
            engine.collect(submission, no_progress, cancel)
        assert time.monotonic() - started < 2


def test_wrong_key_no_credits_and_invalid_requests(sim: BflSimulator) -> None:
    with pytest.raises(AuthError, match="wrong or lacks access to this tool"):
        run(BflClient("wrong-key", sim.base_url))
    with pytest.raises(AuthError):
        BflClient("wrong-key", sim.base_url).credits()
    assert client(sim).credits() > 0
    hanging = request(reference_offset_x=150, source_size=None)  # only the service can tell
    with pytest.raises(InvalidRequestError, match="rejected"):
        run(client(sim), hanging)
    with (
        BflSimulator(api_key=API_KEY, credits=0.5) as poor,
        pytest.raises(CreditsError, match="nothing was charged"),
    ):
        run(BflClient(API_KEY, poor.base_url))


def test_a_foreign_polling_host_never_sees_the_key() -> None:
    with BflSimulator(api_key=API_KEY, polling_base="http://localhost:{port}") as sim:
        assert run(client(sim)).size == (192, 128)
        polls = [r for r in sim.requests if r.path == "/v1/get_result"]
        assert polls and all(r.host.startswith("127.0.0.1") for r in polls)
        assert sim.key_leaks() == []


def test_trust_rules_for_the_key() -> None:
    base = "https://api.bfl.ai"
    assert may_send_key("https://api.eu2.bfl.ai/v1/get_result?id=1", base)
    assert may_send_key("https://api.bfl.ai/v1/get_result?id=1", base)
    assert not may_send_key("http://api.eu2.bfl.ai/v1/get_result?id=1", base)
    assert not may_send_key("https://bfl.ai.evil.com/x", base)
    assert not may_send_key("https://evilbfl.ai/x", base)
    assert not may_send_key("https://delivery.example.net/x", base)
    assert not may_send_key("https://api.eu2.bfl.ai:8443/x", base)
    assert may_send_key("http://127.0.0.1:8080/v1/x", "http://127.0.0.1:8080")
    assert not may_send_key("http://127.0.0.1:9090/v1/x", "http://127.0.0.1:8080")
    with pytest.raises(ValueError, match="unencrypted"):
        check_base_url("http://api.bfl.ai")
    assert check_base_url("http://localhost:5000/") == "http://localhost:5000"


def test_polls_that_get_no_answer_say_so_then_go_on(sim: BflSimulator) -> None:
    """A user trial cut the service off mid-job: "Generating 10 %" stood still for 30 s."""
    sim.inject("poll_drop", times=2)
    stages = stages_of_a_job(sim)
    assert stages[:2] == ["reconnecting", "reconnecting"] and stages[-1] == "downloading"
    assert stage_text("reconnecting", None) == "No answer from the service, retrying"
