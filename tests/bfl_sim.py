"""A local stand-in for Black Forest Labs' FLUX outpainting API, for tests and benchmarks.

``BflSimulator`` is a real HTTP/1.1 server on 127.0.0.1 (an ephemeral port unless told) that
follows ``tests/data/bfl-outpainting-openapi.yaml`` and the behaviour in ``BFL_NOTES.md``:

- ``POST /v1/flux-tools/outpainting-v1`` checks ``x-key`` (403), validates the body against the
  spec's ``FluxOutpaintingInputs`` schema and the service's own rules (422), refuses when too many
  jobs are unfinished (429 with ``Retry-After``) or credits are short (402), else creates a job.
- ``GET /v1/get_result?id=...`` answers ``Pending`` until ``finish_after`` seconds after the
  submit, then the job's final status (``Ready`` with ``result.sample``, or any other string).
- ``GET /delivery/{id}.{ext}?se=...&sig=...`` serves the result image, exactly width x height:
  the source at its placement (plus ``drift``) on a smooth generated pattern. It is addressed on
  ``delivery_base`` (default ``http://localhost:PORT``), a host name other than the API's.
- ``GET /v1/credits`` answers ``{"credits": n}``. Anything else is a JSON 404.

A megapixel is 2**20 px. ``cost`` = max(1, output_mp) * cost_per_mp, computed with float noise
as the service shows it (1792x1024 costs 7.000000000000001 credits at the default 4.0).

Faults are queued with ``sim.inject(kind, times=1, **params)``; each is consumed by the next
matching request(s), in the order queued:

- ``submit_429`` (``retry_after="1"``, seconds or an HTTP date): 429 with ``Retry-After``;
  no job is created.
- ``submit_5xx_html`` (``status=502``, ``created=False``): an HTML error page. With
  ``created=True`` the job is created (and billed) first, so the client cannot know it exists.
- ``submit_drop_after``: the body is read and the job created, then the connection is closed
  with no reply (the client sees RemoteDisconnected / a ConnectionError).
- ``submit_drop_before``: the connection is closed before the body is read; nothing is created.
- ``submit_slow`` (``delay=2.0`` s): the job is created, then the reply waits ``delay`` seconds
  (for client read time-outs); ``stop()`` cuts the wait short.
- ``poll_5xx_html`` (``status=503``): one poll gets an HTML error page.
- ``poll_drop``: one poll's connection is closed with no reply.
- ``poll_retry_after`` (``retry_after="1"``, ``status=429``): one poll gets that status and
  a ``Retry-After`` header.
- ``status`` (``status="Error"``, ``details=None``): the next job created ends with this final
  status (and ``details``) instead of ``final_status``.
- ``delivery_truncated``: one download announces the full Content-Length, sends half the bytes
  and closes the connection.
- ``delivery_status`` (``status=403``): one download answers this status with an XML blob error
  (403: an expired link; 503 ``times=N``: a delivery host that is down, then recovers).
- ``delivery_redirect`` (``status=302``, ``to=None``): one download answers a redirect to the
  same file on ``to`` (a base such as ``http://127.0.0.1:{port}``; default the delivery base).
- ``poll_status_word`` (``word="Generating"``): one poll of a job that is not final yet answers
  this undocumented in-progress status word (with progress) instead of ``Pending``.
- ``poll_auth`` (``status=403``): one poll is refused with this status, as a bad key would be.
- ``poll_404``: one poll answers a JSON 404 ``{"detail": "Not Found"}``.
- ``poll_redirect`` (``status=307``, ``to=None``): one poll answers a redirect to
  ``/v1/moved/get_result`` (served like the polling path) on ``to`` (default: the same host).
- ``stale_connection``: the next request that arrives on a kept-alive connection (not its
  first) is dropped unread, as by a server that closed the idle connection as it was reused.
- ``result_size`` (``width``, ``height``): the next job created delivers an image of this size
  instead of the canvas's.
- ``status`` also takes ``extra`` (a dict merged into the final poll reply, e.g. ``{"error":
  "..."}``).

Options: ``progress_percent=True`` reports ``progress`` as 0..100 instead of 0..1;
``accept_backlog`` is the listening socket's backlog; ``idle_timeout`` (seconds) closes a
kept-alive connection that waits that long for its next request (not its first).

``sim.refuse_connections(seconds)`` closes the listening socket (and open connections) and
reopens it on the same port after ``seconds``: meanwhile a client fails to connect.

``sim.recover()`` drops every queued fault.

Recording, for assertions: ``sim.requests`` (``RecordedRequest`` list), ``sim.jobs`` (id ->
dict with ``request``, the body without the image, ``status``, ``created`` ...),
``sim.submit_count`` (jobs created), ``sim.submit_attempts`` (submit POSTs that arrived),
``sim.peak_active``, ``sim.peak_submits_in_flight`` (submit POSTs served at once),
``sim.get_active()``, ``sim.credits`` and ``sim.key_leaks()``. Times are ``time.monotonic()``
values.

Run ``python tests/bfl_sim.py [--port N] [--finish-after S] ...`` to serve in the foreground:
the first stdout line is the base URL; SIGTERM or SIGINT stops it.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import io
import json
import os
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import numpy as np
import yaml
from jsonschema import Draft202012Validator
from PIL import Image

SPEC_PATH = Path(__file__).resolve().parent / "data" / "bfl-outpainting-openapi.yaml"
SUBMIT_PATH = "/v1/flux-tools/outpainting-v1"
POLL_PATH = "/v1/get_result"
MOVED_POLL_PATH = "/v1/moved/get_result"  # where ``poll_redirect`` sends a poll
CREDITS_PATH = "/v1/credits"
STATS_PATH = "/_stats"  # not part of the service: the simulator's own counters
DELIVERY_PREFIX = "/delivery/"
MAX_PIXELS = 4 * 1024 * 1024
MEGAPIXEL = 1024 * 1024
MAX_BODY = 64 * 1024 * 1024
LINK_LIFETIME = timedelta(minutes=10)
STOP_WAIT = 1.0

FAULT_DEFAULTS: dict[str, dict[str, Any]] = {
    "submit_429": {"retry_after": "1"},
    "submit_5xx_html": {"status": 502, "created": False},
    "submit_drop_after": {},
    "submit_drop_before": {},
    "submit_slow": {"delay": 2.0},
    "poll_5xx_html": {"status": 503},
    "poll_drop": {},
    "poll_retry_after": {"retry_after": "1", "status": 429},
    "poll_status_word": {"word": "Generating"},
    "poll_auth": {"status": 403},
    "poll_404": {},
    "poll_redirect": {"status": 307, "to": None},
    "status": {"status": "Error", "details": None, "extra": None},
    "result_size": {"width": 0, "height": 0},
    "delivery_truncated": {},
    "delivery_status": {"status": 403},
    "delivery_redirect": {"status": 302, "to": None},
    "stale_connection": {},
}
SUBMIT_FAULTS = frozenset(kind for kind in FAULT_DEFAULTS if kind.startswith("submit_"))
POLL_FAULTS = frozenset(kind for kind in FAULT_DEFAULTS if kind.startswith("poll_"))
CREATION_FAULTS = frozenset({"status", "result_size"})
DELIVERY_FAULTS = frozenset(kind for kind in FAULT_DEFAULTS if kind.startswith("delivery_"))
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "png": {"format": "PNG", "compress_level": 1},
    "jpeg": {"format": "JPEG", "quality": 95},
    "webp": {"format": "WEBP", "quality": 90, "method": 0},
}


@dataclass
class RecordedRequest:
    """One request as it arrived; ``status`` is the reply's (None when none was sent)."""

    method: str
    path: str
    query: dict[str, str]
    host: str
    headers: dict[str, str]
    body: Any
    time: float
    status: int | None = None


@dataclass
class SimJob:
    """A created job (internal; ``info()`` is the public view). ``body`` lacks the image."""

    id: str
    body: dict[str, Any]
    final_status: str
    details: Any
    created: float
    finish_at: float
    submitted_at: float
    width: int
    height: int
    x: int
    y: int
    output_format: str
    cost: float
    source: Image.Image = field(repr=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict)  # merged into the final poll reply
    delivered_size: tuple[int, int] | None = None  # another size than the canvas
    encoded: bytes | None = field(default=None, repr=False, compare=False)
    rendering: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def status(self) -> str:
        """The status a poll would see now."""
        return self.final_status if self.is_final() else "Pending"

    def is_final(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) >= self.finish_at

    @property
    def seed(self) -> int:
        return int.from_bytes(hashlib.sha256(self.id.encode()).digest()[:4], "big")

    def info(self) -> dict[str, Any]:
        """A plain snapshot for assertions (what ``BflSimulator.jobs`` holds)."""
        return {
            "id": self.id,
            "request": dict(self.body),
            "status": self.status,
            "final_status": self.final_status,
            "details": self.details,
            "created": self.created,
            "finish_at": self.finish_at,
            "cost": self.cost,
            "placement": (self.x, self.y),
        }


@dataclass
class _Fault:
    kind: str
    params: dict[str, Any]
    remaining: int

    @property
    def after_creation(self) -> bool:
        """Whether the fault acts once the job exists (else before anything is created)."""
        if self.kind == "submit_5xx_html":
            return bool(self.params["created"])
        return self.kind in ("submit_drop_after", "submit_slow")


class _Rejected(Exception):
    """A request the service refuses: status, ``detail`` and extra headers."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def _invalid(loc: Iterable[str | int], msg: str, kind: str = "value_error") -> _Rejected:
    return _Rejected(422, [{"loc": ["body", *loc], "msg": msg, "type": kind}])


@dataclass
class _Prepared:
    """A submit body that passed validation, ready to become a job."""

    body: dict[str, Any]
    source: Image.Image
    width: int
    height: int
    x: int
    y: int
    output_format: str
    input_mp: float
    output_mp: float
    cost: float


# --- validation -------------------------------------------------------------------------------


@functools.cache
def _validator() -> Draft202012Validator:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    schema = {
        "$ref": "#/components/schemas/FluxOutpaintingInputs",
        "components": spec["components"],
    }
    return Draft202012Validator(schema)


ERROR_TYPES = {
    "additionalProperties": "extra_forbidden",
    "required": "missing",
    "minimum": "greater_than_equal",
    "maximum": "less_than_equal",
    "enum": "enum",
    "anyOf": "value_error",
}


def schema_errors(body: Any) -> list[dict[str, Any]]:
    """FastAPI-style ``detail`` entries for every way ``body`` breaks the input schema."""
    errors: dict[str, dict[str, Any]] = {}
    for error in _validator().iter_errors(body):
        path = list(error.absolute_path)
        kind = ERROR_TYPES.get(str(error.validator), f"{error.validator}_error")
        if error.validator == "type":
            kind = f"{error.validator_value}_type"
        names = _named_fields(error.validator, error.validator_value, error.instance)
        for extra in [[name] for name in names] or [[]]:
            loc = ["body", *path, *extra]
            entry = {"loc": loc, "msg": error.message, "type": kind}
            errors.setdefault(json.dumps([loc, kind]), entry)
    return [errors[key] for key in sorted(errors)]


def _named_fields(validator: Any, value: Any, instance: Any) -> list[str]:
    """The field names a ``required`` or ``additionalProperties`` error is about."""
    if not isinstance(instance, dict):
        return []
    if validator == "required":  # one error per missing name, each naming them all
        return [name for name in value if name not in instance]
    if validator == "additionalProperties":
        known = _validator().schema["components"]["schemas"]["FluxOutpaintingInputs"]
        return [name for name in instance if name not in known["properties"]]
    return []


def decode_input_image(value: str) -> Image.Image:
    """The reference image from raw base64 or an http(s) URL; 422 when it is neither."""
    if value.startswith(("http://", "https://")):
        data = _fetch(value)
    elif value.startswith("data:"):
        raise _invalid(["input_image"], "Send raw base64, not a data: URL")
    else:
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as error:
            raise _invalid(["input_image"], f"Invalid base64: {error}") from None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.convert("RGB")
    except Exception as error:
        raise _invalid(["input_image"], f"Not a decodable image: {error}") from None


def _fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            data: bytes = reply.read()
            return data
    except OSError as error:
        raise _invalid(["input_image"], f"Could not fetch the image: {error}") from None


def placement(body: dict[str, Any], size: tuple[int, int]) -> tuple[int, int]:
    """The reference's top-left corner on the canvas; 422 when it hangs off without auto_crop."""
    width, height = body["width"], body["height"]
    w, h = size
    x = body.get("reference_offset_x")
    y = body.get("reference_offset_y")
    x = (width - w) // 2 if x is None else x
    y = (height - h) // 2 if y is None else y
    inside = x >= 0 and y >= 0 and x + w <= width and y + h <= height
    if not inside and not body.get("auto_crop", False):
        raise _invalid([], "The reference image extends beyond the canvas; set auto_crop")
    if x >= width or y >= height or x + w <= 0 or y + h <= 0:
        raise _invalid([], "The reference image does not overlap the canvas")
    return x, y


def prepare(body: Any, cost_per_mp: float) -> _Prepared:
    """Validate a submit body like the service does; raises ``_Rejected`` (422)."""
    errors = schema_errors(body)
    if errors:
        raise _Rejected(422, errors)
    width, height = body["width"], body["height"]
    if width * height > MAX_PIXELS:
        raise _invalid([], f"width * height must not exceed {MAX_PIXELS} pixels (4 MP)")
    source = decode_input_image(body["input_image"])
    x, y = placement(body, source.size)
    output_mp = round(width * height / MEGAPIXEL, 2)
    return _Prepared(
        body={key: value for key, value in body.items() if key != "input_image"},
        source=source,
        width=width,
        height=height,
        x=x,
        y=y,
        output_format=body.get("output_format") or "png",
        input_mp=round(source.width * source.height / MEGAPIXEL, 2),
        output_mp=output_mp,
        cost=max(1.0, output_mp) * (cost_per_mp / 100) * 100,  # float noise, as the service
    )


# --- the generated image ----------------------------------------------------------------------


def generated_pattern(width: int, height: int, seed: int) -> np.ndarray:
    """A smooth gradient with low-amplitude texture: plainly not the source."""
    y = np.arange(height, dtype=np.float32)[:, None]
    x = np.arange(width, dtype=np.float32)[None, :]
    red = 60 + 120 * x / max(1, width - 1) + 12 * np.sin(y / 19)
    green = 80 + 100 * y / max(1, height - 1) + 12 * np.sin(x / 23)
    blue = 140 + 40 * np.sin((x + y) / 37)
    pattern = np.stack(np.broadcast_arrays(red, green, blue), axis=-1)
    texture = np.random.default_rng(seed).integers(-4, 5, size=pattern.shape, dtype=np.int16)
    return np.clip(pattern + texture, 0, 255).astype(np.uint8)


def render_result(job: SimJob, drift: int) -> bytes:
    """The job's output image, encoded in its output format."""
    canvas = generated_pattern(job.width, job.height, job.seed)
    source = np.asarray(job.source, dtype=np.int16)
    h, w = source.shape[:2]
    x0, y0 = max(0, job.x), max(0, job.y)
    x1, y1 = min(job.width, job.x + w), min(job.height, job.y + h)
    region = source[y0 - job.y : y1 - job.y, x0 - job.x : x1 - job.x] + drift
    canvas[y0:y1, x0:x1] = np.clip(region, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    image = Image.fromarray(canvas, "RGB")
    if job.delivered_size is not None:
        image = image.resize(job.delivered_size)
    image.save(buffer, **SAVE_OPTIONS[job.output_format])
    return buffer.getvalue()


def html_page(status: int) -> bytes:
    title = f"{status} Server Error"
    return (
        f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center>"
        "<hr><center>nginx</center></body></html>\n"
    ).encode()


# --- state ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimConfig:
    api_key: str
    credits: float
    cost_per_mp: float
    finish_after: float
    report_progress: bool
    max_active: int
    retry_after: str
    polling_base: str | None
    delivery_base: str | None
    drift: int
    final_status: str
    final_details: Any
    progress_percent: bool


class _State:
    """Everything the handlers change, behind one lock."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.lock = threading.Lock()
        self.credits = config.credits
        self.requests: list[RecordedRequest] = []
        self.jobs: dict[str, SimJob] = {}
        self.faults: list[_Fault] = []
        self.submit_count = 0
        self.submit_attempts = 0
        self.peak_active = 0
        self.submits_in_flight = 0
        self.peak_submits_in_flight = 0
        # like the service, render while the job is pending, so a burst of downloads is quick
        # results are rendered as the jobs are submitted, as a service's GPUs would be working
        # on them, on as many threads as there are cores
        workers = os.cpu_count() or 1
        self.renderer = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bfl-sim-render")

    def record(self, request: RecordedRequest) -> None:
        with self.lock:
            self.requests.append(request)

    def submit_arrived(self) -> Callable[[], None]:
        """Counts a submit POST, and how many are being served at once, until the returned
        function is called (once): when the server starts to answer it. A client may send its
        next submit as soon as it has read the answer, before the handler's thread has ended."""
        with self.lock:
            self.submit_attempts += 1
            self.submits_in_flight += 1
            self.peak_submits_in_flight = max(self.peak_submits_in_flight, self.submits_in_flight)

        def answered() -> None:
            with self.lock:
                self.submits_in_flight -= 1

        return answered

    def add_fault(self, fault: _Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, kinds: frozenset[str], accept: Callable[[_Fault], bool]) -> _Fault | None:
        """Consume the first queued fault of ``kinds`` if ``accept`` takes it."""
        with self.lock:
            return self._take_fault(kinds, accept)

    def _take_fault(self, kinds: frozenset[str], accept: Callable[[_Fault], bool]) -> _Fault | None:
        fault = next((fault for fault in self.faults if fault.kind in kinds), None)
        if fault is None or not accept(fault):
            return None
        fault.remaining -= 1
        if fault.remaining <= 0:
            self.faults.remove(fault)
        return _Fault(fault.kind, dict(fault.params), 1)

    def active(self, now: float) -> int:
        with self.lock:
            return self._active(now)

    def _active(self, now: float) -> int:
        return sum(not job.is_final(now) for job in self.jobs.values())

    def create_job(self, prepared: _Prepared) -> tuple[SimJob, _Fault | None]:
        """Bill and create a job; also returns the after-creation submit fault, if one is due."""
        config = self.config
        with self.lock:
            now = time.monotonic()
            active = self._active(now)
            if active >= config.max_active:
                detail = f"You have reached the maximum of {config.max_active} active tasks"
                raise _Rejected(429, detail, {"Retry-After": config.retry_after})
            if self.credits < prepared.cost:
                raise _Rejected(402, "Insufficient credits")
            override = self._take_fault(frozenset({"status"}), lambda fault: True)
            job = self._new_job(prepared, now, override)
            resized = self._take_fault(frozenset({"result_size"}), lambda fault: True)
            if resized is not None:
                job.delivered_size = (int(resized.params["width"]), int(resized.params["height"]))
            self.credits -= prepared.cost
            self.jobs[job.id] = job
            self.submit_count += 1
            self.peak_active = max(self.peak_active, active + (not job.is_final(now)))
            late = self._take_fault(SUBMIT_FAULTS, lambda fault: fault.after_creation)
            return job, late

    def _new_job(self, prepared: _Prepared, now: float, override: _Fault | None) -> SimJob:
        config = self.config
        final_status, details, extra = config.final_status, config.final_details, {}
        if override is not None:
            final_status, details = override.params["status"], override.params["details"]
            extra = dict(override.params["extra"] or {})
        return SimJob(
            id=str(uuid.uuid4()),
            body=prepared.body,
            final_status=final_status,
            details=details,
            created=now,
            finish_at=now + config.finish_after,
            submitted_at=time.time(),
            width=prepared.width,
            height=prepared.height,
            x=prepared.x,
            y=prepared.y,
            output_format=prepared.output_format,
            cost=prepared.cost,
            source=prepared.source,
            extra=extra,
        )

    def job(self, job_id: str) -> SimJob | None:
        with self.lock:
            return self.jobs.get(job_id)

    def encoded(self, job: SimJob) -> bytes:
        """The job's result bytes, rendered once: a download that comes while the render is
        under way waits for it (outside the state's lock: it can take a while)."""
        with job.rendering:
            if job.encoded is None:
                job.encoded = render_result(job, self.config.drift)
            return job.encoded


# --- HTTP -------------------------------------------------------------------------------------


class _Connections:
    """Open client connections and the threads serving them, so stop() can end them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[threading.Thread, socket.socket] = {}

    def add(self, thread: threading.Thread, connection: socket.socket) -> None:
        with self._lock:
            self._open[thread] = connection

    def remove(self, thread: threading.Thread) -> None:
        with self._lock:
            self._open.pop(thread, None)

    def close_all(self) -> None:
        with self._lock:
            connections = list(self._open.values())
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def join_all(self, deadline: float) -> None:
        with self._lock:
            threads = list(self._open)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sim: BflSimulator) -> None:
        self.sim = sim
        self.request_queue_size = sim.accept_backlog
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skips HTTPServer's slow getfqdn()
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="bfl-sim-connection",
            daemon=True,
        )
        self.sim.connections.add(thread, request)
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self.sim.connections.remove(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client gone away is no news
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bfl-sim/1.0"
    sys_version = ""
    timeout = 60
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall
    server: _Server

    _path = ""
    _query: dict[str, str]
    _current: RecordedRequest | None = None
    _served = 0  # requests served on this connection
    _submit_answered: Callable[[], None] | None = None  # see _State.submit_arrived

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the simulator never logs."""

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._route()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    # routing

    @property
    def sim(self) -> BflSimulator:
        return self.server.sim

    def _route(self) -> None:
        url = urlsplit(self.path)
        self._path = url.path
        self._query = {key: values[0] for key, values in parse_qs(url.query).items()}
        self._current = None
        self._served += 1
        stale = frozenset({"stale_connection"})
        if self._served > 1 and self.sim.state.take_fault(stale, lambda fault: True):
            self._drop()
            return
        try:
            self._dispatch()
        except _Rejected as rejected:
            self._send_json(rejected.status, {"detail": rejected.detail}, rejected.headers)
        # like a server's keep-alive timeout: how long a connection may wait for its next request
        self.connection.settimeout(self.sim.idle_timeout)

    def _dispatch(self) -> None:
        routes = {
            ("POST", SUBMIT_PATH): self._submit,
            ("GET", POLL_PATH): self._poll,
            ("GET", MOVED_POLL_PATH): self._poll,
            ("GET", CREDITS_PATH): self._credits,
            ("GET", STATS_PATH): self._stats,
        }
        handler = routes.get((self.command, self._path))
        if handler is None and self.command == "GET" and self._path.startswith(DELIVERY_PREFIX):
            handler = self._delivery
        if handler is not None:
            handler()
            return
        self._record(self._json_body())
        known = any(path == self._path for _, path in routes)
        status, detail = (405, "Method Not Allowed") if known else (404, "Not Found")
        self._send_json(status, {"detail": detail})

    # endpoints

    def _submit(self) -> None:
        self._submit_answered = self.sim.state.submit_arrived()
        try:
            self._serve_submit()
        finally:
            self._answering()

    def _answering(self) -> None:
        """The server starts to answer the request (or to drop it)."""
        if self._submit_answered is not None:
            self._submit_answered()
            self._submit_answered = None

    def _serve_submit(self) -> None:
        state = self.sim.state
        early = state.take_fault(SUBMIT_FAULTS, lambda fault: not fault.after_creation)
        if early is not None and early.kind == "submit_drop_before":
            self._record(None)
            self._drop()
            return
        body = self._json_body()
        self._record(body)
        if early is not None:
            self._submit_fault(early)
            return
        self._require_key()
        if body is None:
            raise _invalid([], "JSON decode error", "json_invalid")
        job, late = state.create_job(prepare(body, state.config.cost_per_mp))
        if job.final_status == "Ready":
            state.renderer.submit(state.encoded, job)
        reply = self.sim.submit_reply(job)
        if late is None:
            self._send_json(200, reply)
        elif late.kind == "submit_slow":
            if self.sim.stopping.wait(float(late.params["delay"])):
                self._drop()
            else:
                self._send_json(200, reply)
        else:
            self._submit_fault(late)

    def _submit_fault(self, fault: _Fault) -> None:
        if fault.kind == "submit_429":
            retry = {"Retry-After": str(fault.params["retry_after"])}
            self._send_json(429, {"detail": "Too many active tasks"}, retry)
        elif fault.kind == "submit_5xx_html":
            self._send_html(int(fault.params["status"]))
        else:
            self._drop()

    def _poll(self) -> None:
        self._record(self._json_body())
        job_id = self._query.get("id")
        job = self.sim.state.job(job_id or "")
        fault = self.sim.state.take_fault(
            POLL_FAULTS,
            lambda fault: self._poll_fault_applies(fault, job),
        )
        if fault is not None:
            self._poll_fault(fault)
            return
        self._require_key()
        if not job_id:
            missing = {"loc": ["query", "id"], "msg": "Field required", "type": "missing"}
            raise _Rejected(422, [missing])
        self._send_json(200, self.sim.poll_reply(job_id))

    def _poll_fault_applies(self, fault: _Fault, job: SimJob | None) -> bool:
        """An in-progress word only while the job is in progress; a redirect only once."""
        if fault.kind == "poll_status_word":
            return job is not None and not job.is_final()
        return fault.kind != "poll_redirect" or self._path == POLL_PATH

    def _poll_fault(self, fault: _Fault) -> None:
        params = fault.params
        if fault.kind == "poll_5xx_html":
            self._send_html(int(params["status"]))
        elif fault.kind == "poll_retry_after":
            retry = {"Retry-After": str(params["retry_after"])}
            self._send_json(int(params["status"]), {"detail": "Slow down"}, retry)
        elif fault.kind == "poll_status_word":
            self._require_key()
            reply = self.sim.poll_reply(self._query.get("id", ""))
            self._send_json(200, reply | {"status": params["word"]})
        elif fault.kind == "poll_auth":
            detail = "Not authenticated - Invalid Authentication"
            self._send_json(int(params["status"]), {"detail": detail})
        elif fault.kind == "poll_404":
            self._send_json(404, {"detail": "Not Found"})
        elif fault.kind == "poll_redirect":
            base = self.sim.redirect_base(params["to"], self.headers.get("Host", ""))
            target = f"{base}{MOVED_POLL_PATH}?{urlsplit(self.path).query}"
            self._send(int(params["status"]), b"", "text/plain", {"Location": target})
        else:
            self._drop()

    def _stats(self) -> None:
        """Counters for benchmarks that run the simulator in another process."""
        sim = self.sim
        stats = {
            "submit_count": sim.submit_count,
            "submit_attempts": sim.submit_attempts,
            "peak_active": sim.peak_active,
        }
        self._send_json(200, stats)

    def _credits(self) -> None:
        self._record(self._json_body())
        self._require_key()
        self._send_json(200, {"credits": self.sim.credits})

    def _delivery(self) -> None:
        self._record(self._json_body())
        state = self.sim.state
        fault = state.take_fault(DELIVERY_FAULTS, lambda fault: fault.kind != "delivery_truncated")
        if fault is not None and fault.kind == "delivery_redirect":
            base = self.sim.redirect_base(fault.params["to"], self.headers.get("Host", ""))
            location = {"Location": f"{base}{self.path}"}
            self._send(int(fault.params["status"]), b"", "text/plain", location)
            return
        if fault is not None:
            status = int(fault.params["status"])
            self._send_blob_error(status, "AuthenticationFailed" if status < 500 else "ServerBusy")
            return
        job_id, _, ext = self._path[len(DELIVERY_PREFIX) :].rpartition(".")
        job = state.job(job_id)
        if job is None or ext != job.output_format or job.status != "Ready":
            self._send_blob_error(404, "BlobNotFound")
            return
        if not hmac.compare_digest(self._query.get("sig", ""), self.sim.signature(job_id)):
            self._send_blob_error(403, "AuthenticationFailed")
            return
        data = state.encoded(job)
        content_type = CONTENT_TYPES[job.output_format]
        if state.take_fault(DELIVERY_FAULTS, lambda fault: fault.kind == "delivery_truncated"):
            self._send(200, data, content_type, body_limit=len(data) // 2)
            return
        self._send(200, data, content_type)

    # request helpers

    def _read_body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _Rejected(400, "Invalid Content-Length") from None
        if length > MAX_BODY:
            self.close_connection = True
            raise _Rejected(413, "Request body too large")
        return self.rfile.read(length) if length > 0 else b""

    def _json_body(self) -> Any:
        raw = self._read_body()
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _record(self, body: Any) -> None:
        self._current = RecordedRequest(
            method=self.command,
            path=self._path,
            query=dict(self._query),
            host=self.headers.get("Host", ""),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
            time=time.monotonic(),
        )
        self.sim.state.record(self._current)

    def _require_key(self) -> None:
        if self.headers.get("x-key") != self.sim.config.api_key:
            raise _Rejected(403, "Not authenticated - Invalid Authentication")

    # reply helpers

    def _send(
        self,
        status: int,
        payload: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        body_limit: int | None = None,
    ) -> None:
        self._answering()
        if self._current is not None:
            self._current.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body_limit is not None:
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload if body_limit is None else payload[:body_limit])

    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        extra = dict(headers or {})
        if self._path.startswith("/v1/"):
            extra |= {"X-Ratelimit-Limit": "1200", "X-Ratelimit-Remaining": "1199"}
        self._send(status, json.dumps(obj).encode(), "application/json", extra)

    def _send_html(self, status: int) -> None:
        self._send(status, html_page(status), "text/html; charset=utf-8")

    def _send_blob_error(self, status: int, code: str) -> None:
        body = f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code></Error>'
        self._send(status, body.encode(), "application/xml")

    def _drop(self) -> None:
        """End the connection with no reply at all."""
        self._answering()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


# --- the simulator ----------------------------------------------------------------------------


class BflSimulator:
    """The BFL outpainting API on 127.0.0.1, with fault injection; see the module docstring."""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        credits: float = 1000.0,
        cost_per_mp: float = 4.0,
        finish_after: float = 0.0,
        report_progress: bool = True,
        max_active: int = 24,
        retry_after: str = "1",
        polling_base: str | None = None,
        delivery_base: str | None = None,
        drift: int = 0,
        final_status: str = "Ready",
        final_details: Any = None,
        progress_percent: bool = False,
        accept_backlog: int = 128,
        idle_timeout: float = 60.0,
        port: int = 0,
    ) -> None:
        self.config = SimConfig(
            api_key=api_key,
            credits=credits,
            cost_per_mp=cost_per_mp,
            finish_after=finish_after,
            report_progress=report_progress,
            max_active=max_active,
            retry_after=retry_after,
            polling_base=polling_base,
            delivery_base=delivery_base,
            drift=drift,
            final_status=final_status,
            final_details=final_details,
            progress_percent=progress_percent,
        )
        self.accept_backlog = accept_backlog
        self.idle_timeout = idle_timeout
        self.state = _State(self.config)
        self.connections = _Connections()
        self.stopping = threading.Event()
        self.host = "127.0.0.1"
        self.port = port
        self._secret = uuid.uuid4().bytes
        self._life = threading.Lock()
        self._server: _Server | None = None
        self._serve_thread: threading.Thread | None = None
        self._reopen_at: float | None = None
        self._reopen_thread: threading.Thread | None = None
        self._started = False

    # lifecycle

    def start(self) -> BflSimulator:
        with self._life:
            if self._started:
                raise RuntimeError("the simulator was already started")
            self._started = True
            self._open()
        return self

    def stop(self) -> None:
        """Close everything; returns within about a second even with slow replies pending."""
        deadline = time.monotonic() + STOP_WAIT
        self.stopping.set()
        with self._life:
            self._close()
        if self._reopen_thread is not None:
            self._reopen_thread.join(max(0.0, deadline - time.monotonic()))
        self.connections.join_all(deadline)
        self.state.renderer.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> BflSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _open(self) -> None:
        server = _Server((self.host, self.port), self)
        self.port = server.server_port
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="bfl-sim-server"
        )
        thread.daemon = True
        self._server, self._serve_thread = server, thread
        thread.start()

    def _close(self) -> None:
        server, thread = self._server, self._serve_thread
        self._server = self._serve_thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(STOP_WAIT)
        self.connections.close_all()

    def refuse_connections(self, seconds: float) -> None:
        """Stop listening (and cut open connections) for ``seconds``, then listen again."""
        with self._life:
            if not self._started or self.stopping.is_set():
                raise RuntimeError("the simulator is not running")
            pending = self._reopen_at is not None
            self._reopen_at = max(self._reopen_at or 0.0, time.monotonic() + seconds)
            self._close()
            if not pending:
                self._reopen_thread = threading.Thread(
                    target=self._reopen_later, name="bfl-sim-reopen", daemon=True
                )
                self._reopen_thread.start()

    def _reopen_later(self) -> None:
        while not self.stopping.is_set():
            with self._life:
                remaining = (self._reopen_at or 0.0) - time.monotonic()
                if remaining <= 0:
                    self._reopen_at = None
                    if not self.stopping.is_set():
                        self._open()
                    return
            self.stopping.wait(remaining)

    # addresses

    @property
    def base_url(self) -> str:
        if not self._started:
            raise RuntimeError("start the simulator first")
        return f"http://{self.host}:{self.port}"

    @property
    def trusted_host(self) -> str:
        """The Host header of requests to ``base_url``: the only place the key belongs."""
        return f"{self.host}:{self.port}"

    def polling_url(self, job_id: str) -> str:
        base = self.config.polling_base or self.base_url
        return f"{self._with_port(base)}{POLL_PATH}?id={job_id}"

    def _with_port(self, base: str) -> str:
        return base.replace("{port}", str(self.port)).rstrip("/")

    def signature(self, job_id: str) -> str:
        return hmac.new(self._secret, job_id.encode(), "sha256").hexdigest()[:32]

    def delivery_url(self, job: SimJob) -> str:
        base = self.config.delivery_base or "http://localhost:{port}"
        expiry = datetime.fromtimestamp(job.submitted_at, UTC) + LINK_LIFETIME
        se = quote(expiry.strftime("%Y-%m-%dT%H:%M:%SZ"))
        path = f"{DELIVERY_PREFIX}{job.id}.{job.output_format}"
        query = f"se={se}&sig={self.signature(job.id)}"
        return f"{self._with_port(base)}{path}?{query}"

    # replies

    def submit_reply(self, job: SimJob) -> dict[str, Any]:
        source_pixels = job.source.width * job.source.height
        return {
            "id": job.id,
            "polling_url": self.polling_url(job.id),
            "cost": job.cost,
            "input_mp": round(source_pixels / MEGAPIXEL, 2),
            "output_mp": round(job.width * job.height / MEGAPIXEL, 2),
        }

    def poll_reply(self, job_id: str) -> dict[str, Any]:
        reply: dict[str, Any] = {"id": job_id, "status": "Task not found", "result": None}
        reply |= {"progress": None, "details": None, "preview": None}
        job = self.state.job(job_id)
        if job is None:
            return reply
        now = time.monotonic()
        if not job.is_final(now):
            return reply | {"status": "Pending", "progress": self._progress(job, now)}
        reply |= {"status": job.final_status, "details": job.details, **job.extra}
        if job.final_status == "Ready":
            reply["result"] = self._result(job)
        return reply

    def _progress(self, job: SimJob, now: float) -> float | None:
        if not self.config.report_progress:
            return None
        elapsed = now - job.created
        fraction = min(0.99, elapsed / self.config.finish_after) if self.config.finish_after else 0
        return round(fraction * 100, 1) if self.config.progress_percent else round(fraction, 3)

    def redirect_base(self, to: str | None, host: str) -> str:
        """Where a redirect fault points: ``to`` (``{port}`` filled in), else the asked host."""
        return self._with_port(to) if to else f"http://{host}"

    def _result(self, job: SimJob) -> dict[str, Any]:
        return {
            "sample": self.delivery_url(job),
            "prompt": job.body.get("prompt"),
            "seed": job.seed,
            "start_time": job.submitted_at,
            "end_time": job.submitted_at + self.config.finish_after,
            "duration": self.config.finish_after,
        }

    # faults

    def inject(self, kind: str, times: int = 1, **params: Any) -> None:
        """Queue a fault for the next ``times`` matching requests (kinds: module docstring)."""
        if kind not in FAULT_DEFAULTS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(FAULT_DEFAULTS)}")
        unknown = set(params) - set(FAULT_DEFAULTS[kind])
        if unknown:
            raise ValueError(f"fault {kind!r} takes no parameter(s) {sorted(unknown)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        self.state.add_fault(_Fault(kind, {**FAULT_DEFAULTS[kind], **params}, times))

    def recover(self) -> None:
        """Drop every queued fault: the service behaves again."""
        with self.state.lock:
            self.state.faults.clear()

    # recording

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.state.lock:
            return list(self.state.requests)

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        """Job id -> ``SimJob.info()``: request (body without the image), status, created..."""
        with self.state.lock:
            return {job_id: job.info() for job_id, job in self.state.jobs.items()}

    @property
    def submit_count(self) -> int:
        with self.state.lock:
            return self.state.submit_count

    @property
    def submit_attempts(self) -> int:
        with self.state.lock:
            return self.state.submit_attempts

    @property
    def peak_active(self) -> int:
        with self.state.lock:
            return self.state.peak_active

    @property
    def peak_submits_in_flight(self) -> int:
        with self.state.lock:
            return self.state.peak_submits_in_flight

    @property
    def credits(self) -> float:
        with self.state.lock:
            return self.state.credits

    def get_active(self) -> int:
        """How many jobs are unfinished (still Pending) now."""
        return self.state.active(time.monotonic())

    def key_leaks(self) -> list[RecordedRequest]:
        """Requests that carried ``x-key`` to a download or to a host other than the base's."""
        return [
            request
            for request in self.requests
            if "x-key" in request.headers
            and (request.path.startswith(DELIVERY_PREFIX) or request.host != self.trusted_host)
        ]


# --- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the BFL outpainting simulator.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--finish-after", type=float, default=0.0)
    parser.add_argument("--max-active", type=int, default=24)
    parser.add_argument("--api-key", default="test-key")
    parser.add_argument("--retry-after", default="1")
    parser.add_argument("--credits", type=float, default=1000.0)
    parser.add_argument("--accept-backlog", type=int, default=128)
    parser.add_argument("--idle-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    options = {
        "port": args.port,
        "finish_after": args.finish_after,
        "max_active": args.max_active,
        "api_key": args.api_key,
        "retry_after": args.retry_after,
        "credits": args.credits,
        "accept_backlog": args.accept_backlog,
        "idle_timeout": args.idle_timeout,
    }
    with BflSimulator(**options) as sim:
        print(sim.base_url, flush=True)
        while not done.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
