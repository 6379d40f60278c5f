"""The BFL simulator itself, over real HTTP with plain ``requests``: contract, jobs and faults."""

from __future__ import annotations

import base64
import io
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
import requests
import yaml
from bfl_sim import SPEC_PATH, BflSimulator
from jsonschema import Draft202012Validator
from PIL import Image
from waits import wait_for

KEY = "sim-test-key"
SOURCE = Image.fromarray(
    np.random.default_rng(7).integers(0, 256, size=(64, 96, 3), dtype=np.uint8), "RGB"
)
SUBMIT = "/v1/flux-tools/outpainting-v1"
TIMEOUT = 5


def b64(image: Image.Image = SOURCE, fmt: str = "PNG") -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return base64.b64encode(buffer.getvalue()).decode()


SOURCE_B64 = b64()


def body(**changes: Any) -> dict[str, Any]:
    return {"input_image": SOURCE_B64, "width": 192, "height": 128, **changes}


def submit(sim: BflSimulator, key: str | None = KEY, **changes: Any) -> requests.Response:
    headers = {"x-key": key} if key is not None else {}
    url = f"{sim.base_url}{SUBMIT}"
    return requests.post(url, json=body(**changes), headers=headers, timeout=TIMEOUT)


def poll(url: str, key: str | None = KEY) -> requests.Response:
    headers = {"x-key": key} if key is not None else {}
    return requests.get(url, headers=headers, timeout=TIMEOUT)


def finished(url: str) -> dict[str, Any]:
    """Poll until the job is final; returns the last reply."""

    def final() -> dict[str, Any] | None:
        reply: dict[str, Any] = poll(url).json()
        return reply if reply["status"] != "Pending" else None

    return wait_for("the job to finish", final, TIMEOUT)


def download(sim: BflSimulator, **changes: Any) -> tuple[requests.Response, dict[str, Any]]:
    reply = submit(sim, **changes)
    assert reply.status_code == 200, reply.text
    result = finished(reply.json()["polling_url"])
    assert result["status"] == "Ready"
    return requests.get(result["result"]["sample"], timeout=TIMEOUT), result


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def sim_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("bfl-sim")]


@pytest.fixture(autouse=True)
def no_lingering_threads() -> Iterator[None]:
    yield
    assert sim_threads() == []


@pytest.fixture
def sim() -> Iterator[BflSimulator]:
    with BflSimulator(api_key=KEY, finish_after=0.6) as simulator:
        yield simulator


@pytest.fixture
def quick() -> Iterator[BflSimulator]:
    """Jobs are final as soon as they exist."""
    with BflSimulator(api_key=KEY) as simulator:
        yield simulator


# --- the submit contract -------------------------------------------------------------------


def test_a_valid_submit_gets_the_contract_fields(sim: BflSimulator) -> None:
    reply = submit(sim, prompt="sea", reference_offset_x=16, reference_offset_y=None)
    assert reply.status_code == 200, reply.text
    data = reply.json()
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    schema = {"$ref": "#/components/schemas/AsyncResponse", "components": spec["components"]}
    Draft202012Validator(schema).validate(data)
    assert data["polling_url"] == f"{sim.base_url}/v1/get_result?id={data['id']}"
    assert (data["cost"], data["output_mp"], data["input_mp"]) == (4.0, 0.02, 0.01)
    assert sim.credits == 1000.0 - data["cost"]
    assert sim.submit_count == sim.submit_attempts == 1
    job = sim.jobs[data["id"]]
    assert "input_image" not in job["request"] and job["request"]["prompt"] == "sea"
    assert job["placement"] == (16, 32) and job["status"] == "Pending"
    [recorded] = sim.requests
    assert (recorded.method, recorded.path, recorded.status) == ("POST", SUBMIT, 200)
    assert recorded.headers["x-key"] == KEY and recorded.host == sim.trusted_host
    assert recorded.body["input_image"] == SOURCE_B64


def test_cost_carries_float_noise(quick: BflSimulator) -> None:
    data = submit(quick, width=1792, height=1024).json()
    assert data["output_mp"] == 1.75 and data["cost"] == 7.000000000000001


def test_unknown_and_missing_fields_get_422(sim: BflSimulator) -> None:
    reply = submit(sim, colour="blue")
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "colour"]
    assert reply.json()["detail"][0]["type"] == "extra_forbidden"
    url = f"{sim.base_url}{SUBMIT}"
    reply = requests.post(url, json={"input_image": SOURCE_B64}, headers={"x-key": KEY})
    locs = [entry["loc"] for entry in reply.json()["detail"]]
    assert reply.status_code == 422 and locs == [["body", "height"], ["body", "width"]]
    assert submit(sim, width=32).status_code == 422
    assert submit(sim, output_format="gif").status_code == 422
    assert sim.submit_count == 0 and sim.submit_attempts == 4


def test_the_key_is_required_everywhere(sim: BflSimulator) -> None:
    refused = {"detail": "Not authenticated - Invalid Authentication"}
    for key in (None, "wrong"):
        reply = submit(sim, key=key)
        assert (reply.status_code, reply.json()) == (403, refused)
        assert poll(f"{sim.base_url}/v1/get_result?id=x", key=key).status_code == 403
        assert poll(f"{sim.base_url}/v1/credits", key=key).status_code == 403
    assert poll(f"{sim.base_url}/v1/credits").json() == {"credits": 1000.0}
    assert sim.submit_count == 0


def test_more_than_4_mp_gets_422(quick: BflSimulator) -> None:
    assert submit(quick, width=2064, height=2048).status_code == 422
    assert submit(quick, width=2048, height=2048).status_code == 200


@pytest.mark.parametrize(
    "image",
    ["data:image/png;base64," + SOURCE_B64, "not base64!", base64.b64encode(b"text").decode()],
)
def test_input_image_must_be_raw_base64_of_an_image(sim: BflSimulator, image: str) -> None:
    reply = submit(sim, input_image=image)
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "input_image"]


def test_a_reference_off_the_canvas_needs_auto_crop(sim: BflSimulator) -> None:
    assert submit(sim, reference_offset_x=150).status_code == 422
    assert submit(sim, reference_offset_x=150, auto_crop=True).status_code == 200
    assert submit(sim, reference_offset_x=500, auto_crop=True).status_code == 422
    assert sim.submit_count == 1


def test_too_few_credits_gets_402() -> None:
    with BflSimulator(api_key=KEY, credits=0.5) as poor:
        reply = submit(poor)
        assert (reply.status_code, reply.json()) == (402, {"detail": "Insufficient credits"})
        assert poor.submit_count == 0 and poor.credits == 0.5


def test_other_paths_get_json_404_or_405(sim: BflSimulator) -> None:
    reply = requests.get(f"{sim.base_url}/v1/nothing", timeout=TIMEOUT)
    assert (reply.status_code, reply.json()) == (404, {"detail": "Not Found"})
    assert requests.get(f"{sim.base_url}{SUBMIT}", timeout=TIMEOUT).status_code == 405


# --- jobs and results -----------------------------------------------------------------------


def test_a_job_goes_pending_then_ready_and_delivers_the_source_unchanged(
    sim: BflSimulator,
) -> None:
    data = submit(sim).json()
    first = poll(data["polling_url"]).json()
    assert first["status"] == "Pending" and 0 <= first["progress"] < 1
    assert sim.get_active() == 1 and sim.jobs[data["id"]]["status"] == "Pending"
    result = finished(data["polling_url"])
    assert result["status"] == "Ready" and result["details"] is None
    sample = result["result"]["sample"]
    assert urlsplit(sample).netloc == f"localhost:{sim.port}"
    image = requests.get(sample, timeout=TIMEOUT)
    assert image.headers["Content-Type"] == "image/png"
    canvas = pixels(image.content)
    assert canvas.shape == (128, 192, 3)
    assert np.array_equal(canvas[32:96, 48:144], np.asarray(SOURCE))
    assert np.abs(canvas[:32] - canvas[:32].mean()).mean() < 40  # smooth, not noise
    assert sim.key_leaks() == [] and sim.get_active() == 0 and sim.peak_active == 1


def test_cropped_placement_and_drift() -> None:
    with BflSimulator(api_key=KEY, drift=3) as drifting:
        reply, _ = download(drifting, reference_offset_x=-16, reference_offset_y=80, auto_crop=True)
    canvas = pixels(reply.content)
    expected = np.clip(np.asarray(SOURCE, dtype=np.int16)[:48, 16:] + 3, 0, 255)
    assert np.array_equal(canvas[80:128, 0:80], expected)


@pytest.mark.parametrize(("fmt", "mime"), [("jpeg", "image/jpeg"), ("webp", "image/webp")])
def test_other_output_formats(quick: BflSimulator, fmt: str, mime: str) -> None:
    reply, result = download(quick, output_format=fmt, width=256, height=160)
    assert urlsplit(result["result"]["sample"]).path.endswith(f".{fmt}")
    assert reply.headers["Content-Type"] == mime
    assert Image.open(io.BytesIO(reply.content)).size == (256, 160)


def test_progress_can_be_null_and_unknown_ids_are_not_found() -> None:
    with BflSimulator(api_key=KEY, finish_after=5, report_progress=False) as slow:
        data = submit(slow).json()
        assert poll(data["polling_url"]).json()["progress"] is None
        lost = poll(f"{slow.base_url}/v1/get_result?id=nope").json()
    assert lost == {
        "id": "nope",
        "status": "Task not found",
        "result": None,
        "progress": None,
        "details": None,
        "preview": None,
    }


def test_final_status_option() -> None:
    with BflSimulator(api_key=KEY, final_status="Error", final_details={"reason": "x"}) as sim:
        result = finished(submit(sim).json()["polling_url"])
    assert (result["status"], result["result"], result["details"]) == (
        "Error",
        None,
        {"reason": "x"},
    )


def test_polling_base_names_another_host() -> None:
    with BflSimulator(api_key=KEY, polling_base="http://localhost:{port}") as sim:
        url = submit(sim).json()["polling_url"]
        assert url.startswith(f"http://localhost:{sim.port}/v1/get_result?id=")


def test_max_active_gets_429() -> None:
    with BflSimulator(api_key=KEY, finish_after=30, max_active=2, retry_after="3") as busy:
        assert [submit(busy).status_code for _ in range(2)] == [200, 200]
        refused = submit(busy)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "3"
        assert "detail" in refused.json()
        assert busy.submit_count == busy.peak_active == busy.get_active() == 2


def test_key_leaks_finds_a_key_sent_to_delivery_or_another_host(quick: BflSimulator) -> None:
    _, result = download(quick)
    assert quick.key_leaks() == []
    requests.get(result["result"]["sample"], headers={"x-key": KEY}, timeout=TIMEOUT)
    other = f"http://localhost:{quick.port}/v1/credits"
    requests.get(other, headers={"x-key": KEY}, timeout=TIMEOUT)
    leaks = quick.key_leaks()
    assert [leak.path for leak in leaks] == [
        urlsplit(result["result"]["sample"]).path,
        "/v1/credits",
    ]


# --- faults ----------------------------------------------------------------------------------


def test_submit_429_fault_with_retry_after(quick: BflSimulator) -> None:
    when = formatdate(time.time() + 1, usegmt=True)
    quick.inject("submit_429", times=2, retry_after=when)
    replies = [submit(quick) for _ in range(3)]
    assert [reply.status_code for reply in replies] == [429, 429, 200]
    assert replies[0].headers["Retry-After"] == when
    assert quick.submit_attempts == 3 and quick.submit_count == 1


@pytest.mark.parametrize(("status", "created"), [(502, True), (500, False)])
def test_submit_html_error_page(quick: BflSimulator, status: int, created: bool) -> None:
    quick.inject("submit_5xx_html", status=status, created=created)
    reply = submit(quick)
    assert reply.status_code == status and reply.headers["Content-Type"].startswith("text/html")
    assert quick.submit_count == int(created) and quick.submit_attempts == 1
    assert quick.credits == 1000.0 - 4.0 * created


def test_a_dropped_reply_after_the_job_was_created(quick: BflSimulator) -> None:
    quick.inject("submit_drop_after")
    with pytest.raises(requests.ConnectionError):
        submit(quick)
    assert quick.submit_count == 1 and quick.submit_attempts == 1 and len(quick.jobs) == 1
    assert submit(quick).status_code == 200


def test_a_connection_dropped_before_the_body_was_read(quick: BflSimulator) -> None:
    quick.inject("submit_drop_before")
    with pytest.raises(requests.ConnectionError):
        submit(quick)
    assert quick.submit_count == 0 and quick.submit_attempts == 1


def test_a_slow_submit_times_out_and_stop_cuts_it_short() -> None:
    sim = BflSimulator(api_key=KEY).start()
    try:
        sim.inject("submit_slow", delay=0.5)
        url = f"{sim.base_url}{SUBMIT}"
        with pytest.raises(requests.ReadTimeout):
            requests.post(url, json=body(), headers={"x-key": KEY}, timeout=0.2)
        assert sim.submit_count == 1
        sim.inject("submit_slow", delay=60)
        errors: list[Exception] = []
        client = threading.Thread(target=post_expecting_error, args=(url, errors))
        client.start()
        wait_for("the slow submit to arrive", lambda: sim.submit_count == 2)
    finally:
        started = time.monotonic()
        sim.stop()
    assert time.monotonic() - started < 1.2
    client.join(TIMEOUT)
    assert [type(error) for error in errors] == [requests.ConnectionError]


def post_expecting_error(url: str, errors: list[Exception]) -> None:
    try:
        requests.post(url, json=body(), headers={"x-key": KEY}, timeout=TIMEOUT)
    except requests.RequestException as error:
        errors.append(error)


def test_poll_faults_then_a_normal_poll(quick: BflSimulator) -> None:
    url = submit(quick).json()["polling_url"]
    quick.inject("poll_5xx_html", status=503)
    quick.inject("poll_drop")
    quick.inject("poll_retry_after", retry_after="2", status=429)
    html = poll(url)
    assert html.status_code == 503 and "<html>" in html.text
    with pytest.raises(requests.ConnectionError):
        poll(url)
    slow_down = poll(url)
    assert slow_down.status_code == 429 and slow_down.headers["Retry-After"] == "2"
    assert poll(url).json()["status"] == "Ready"


def test_status_fault_applies_to_the_next_job_only(quick: BflSimulator) -> None:
    quick.inject("status", status="Content Moderated", details={"reason": "nsfw"})
    moderated = finished(submit(quick).json()["polling_url"])
    assert moderated["status"] == "Content Moderated" and moderated["result"] is None
    assert moderated["details"] == {"reason": "nsfw"}
    assert finished(submit(quick).json()["polling_url"])["status"] == "Ready"


def test_a_truncated_download_then_a_whole_one(quick: BflSimulator) -> None:
    quick.inject("delivery_truncated")
    data = submit(quick).json()
    sample = finished(data["polling_url"])["result"]["sample"]
    with pytest.raises(requests.RequestException):
        requests.get(sample, timeout=TIMEOUT)
    whole = requests.get(sample, timeout=TIMEOUT)
    assert whole.status_code == 200 and len(whole.content) == int(whole.headers["Content-Length"])
    assert Image.open(io.BytesIO(whole.content)).size == (192, 128)


def test_a_download_status_fault(quick: BflSimulator) -> None:
    quick.inject("delivery_status", status=403)
    data = submit(quick).json()
    sample = finished(data["polling_url"])["result"]["sample"]
    assert requests.get(sample, timeout=TIMEOUT).status_code == 403
    assert requests.get(sample, timeout=TIMEOUT).status_code == 200
    assert requests.get(sample.replace("sig=", "sig=0"), timeout=TIMEOUT).status_code == 403


def test_poll_faults_of_an_accepted_job(quick: BflSimulator) -> None:
    url = submit(quick).json()["polling_url"]
    quick.inject("poll_auth", status=401)
    quick.inject("poll_404")
    quick.inject("poll_redirect")
    quick.inject("poll_redirect", to="http://localhost:{port}")
    assert poll(url).status_code == 401
    missing = poll(url)
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    moved = requests.get(url, headers={"x-key": KEY}, timeout=TIMEOUT, allow_redirects=False)
    location = moved.headers["Location"]
    assert moved.status_code == 307 and urlsplit(location).path == "/v1/moved/get_result"
    assert poll(location).json()["status"] == "Ready"  # a moved poll is served, once
    followed = poll(url)  # plain requests follows it to another host, x-key and all
    assert followed.json()["status"] == "Ready" and followed.history[0].status_code == 307
    assert [r.host for r in quick.key_leaks()] == [f"localhost:{quick.port}"]


def test_an_in_progress_word_and_progress_in_percent() -> None:
    with BflSimulator(api_key=KEY, finish_after=1.0, progress_percent=True) as sim:
        sim.inject("poll_status_word", word="Reasoning")
        url = submit(sim).json()["polling_url"]
        reply = poll(url).json()
        assert reply["status"] == "Reasoning" and 0 <= reply["progress"] <= 100
        wait_for("progress past 1 (a percentage)", lambda: poll(url).json().get("progress", 0) > 1)


def test_delivery_redirect_and_result_size(quick: BflSimulator) -> None:
    quick.inject("result_size", width=96, height=64)
    quick.inject("delivery_redirect", to="http://127.0.0.1:{port}")
    sample = finished(submit(quick).json()["polling_url"])["result"]["sample"]
    moved = requests.get(sample, timeout=TIMEOUT, allow_redirects=False)
    assert moved.status_code == 302 and moved.headers["Location"].startswith(quick.base_url)
    assert Image.open(io.BytesIO(requests.get(sample, timeout=TIMEOUT).content)).size == (96, 64)


def test_a_stale_kept_alive_connection_is_dropped_unread(quick: BflSimulator) -> None:
    with requests.Session() as session:
        assert session.get(f"{quick.base_url}/v1/credits", headers={"x-key": KEY}).ok
        quick.inject("stale_connection")
        with pytest.raises(requests.ConnectionError):
            session.post(f"{quick.base_url}{SUBMIT}", json=body(), headers={"x-key": KEY})
    assert quick.submit_attempts == 0
    assert submit(quick).status_code == 200  # a fresh connection is served


def test_refused_connections_come_back_on_the_same_port(quick: BflSimulator) -> None:
    port = quick.port
    quick.refuse_connections(0.4)
    with pytest.raises(requests.ConnectionError):
        submit(quick)
    assert quick.submit_attempts == 0
    wait_for("connections accepted again", lambda: accepts_connections(port))
    assert quick.port == port and submit(quick).status_code == 200


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_inject_rejects_unknown_kinds_and_parameters(quick: BflSimulator) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        quick.inject("submit_teapot")
    with pytest.raises(ValueError, match="no parameter"):
        quick.inject("poll_drop", status=500)


# --- command line ----------------------------------------------------------------------------


def test_command_line_serves_until_sigterm() -> None:
    script = Path(__file__).with_name("bfl_sim.py")
    command = [sys.executable, str(script), "--api-key", "cli", "--finish-after", "0.1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        base = process.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        credits = requests.get(f"{base}/v1/credits", headers={"x-key": "cli"}, timeout=TIMEOUT)
        assert credits.json() == {"credits": 1000.0}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
        assert process.stdout.read() == ""
