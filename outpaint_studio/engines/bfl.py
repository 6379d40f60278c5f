"""The BFL FLUX outpainting client: submit, poll, download, on one ``requests.Session``.

See ``BFL_NOTES.md``: a submit is resent only when it surely never arrived (a failure to
connect) or was refused with 429; the key goes only to trusted hosts, never to delivery URLs.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
import requests.adapters
import urllib3.exceptions
from PIL import Image, UnidentifiedImageError

from outpaint_studio.core.engine import (
    AuthError,
    CancelledError,
    DownloadError,
    EngineError,
    EngineResult,
    NetworkError,
    PollRefusedError,
    ProgressCallback,
    RateLimitError,
    Submission,
    TimedOutError,
    UncertainSubmitError,
)
from outpaint_studio.core.request import OutpaintRequest
from outpaint_studio.core.transitions import UNCERTAIN_HELP
from outpaint_studio.engines.bfl_http import (
    check_base_url,
    error_for,
    get_following,
    json_body,
    may_send_key,
    retry_after_seconds,
)
from outpaint_studio.engines.bfl_status import (
    FINAL_STATUSES,
    Troubles,
    final_answer,
    fraction,
    number,
)

DEFAULT_BASE_URL = "https://api.bfl.ai"
SUBMIT_PATH = "/v1/flux-tools/outpainting-v1"
USER_AGENT = "OutpaintStudio"
CONNECT_TIMEOUT = 10.0
SUBMIT_READ_TIMEOUT = 120.0
GET_READ_TIMEOUT = 30.0
MAX_CONNECT_RETRIES = 4
MAX_GET_FAILURES = 8  # polls in a row lost to the network or a 5xx
MAX_POLL_REFUSALS = 3  # 401/403 in a row on the polls of an accepted job
MAX_NOT_FOUND = 3  # 404 in a row on the polling URL before it counts as "Task not found"
DOWNLOAD_ATTEMPTS = 3  # per link
DELIVERY_ROUNDS = 2  # links: after failed downloads, a fresh poll may give a fresh one
KEPT_CONNECTIONS = 24  # polls and downloads: one kept-alive connection for each active job
# fresh connections opened at once for submits, by every client of the process (a formats run
# has one per target): a burst of them can overflow the server's accept queue, and a connection
# the kernel then resets after the job left makes the submit "uncertain"
SUBMITS_AT_ONCE = 4
_SUBMIT_TURNS = threading.BoundedSemaphore(SUBMITS_AT_ONCE)
STOPPED_WAITING = "Stopped waiting; the job was submitted and can still be collected."

log = logging.getLogger(__name__)


class BflClient:
    """Talks to one BFL API base with one key. Thread-safe for concurrent jobs."""

    name = "bfl"
    remote = True

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        poll_interval: float = 0.5,
        poll_timeout: float = 600.0,
        rate_limit_wait: float = 300.0,
        submit_timeout: float = SUBMIT_READ_TIMEOUT,
        session: requests.Session | None = None,
        sleep: Callable[[threading.Event, float], bool] | None = None,
    ) -> None:
        self._key = api_key.strip()
        self.base_url = check_base_url(base_url)
        self.poll_interval = min(1.0, max(0.5, poll_interval))
        self.poll_timeout = poll_timeout
        self.rate_limit_wait = rate_limit_wait
        self.submit_timeout = submit_timeout
        self.session = session or _pooled_session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._sleep = sleep or (lambda event, seconds: event.wait(seconds))

    def __repr__(self) -> str:
        return f"BflClient({self.base_url})"

    def close(self) -> None:
        self.session.close()

    # --- submit -------------------------------------------------------------------------

    def submit(
        self, request: OutpaintRequest, source: Image.Image, cancel: threading.Event
    ) -> Submission:
        body = json.dumps(request.to_payload())
        url = self.base_url + SUBMIT_PATH
        rate_limited_until = time.monotonic() + self.rate_limit_wait
        connect_failures = 0
        while True:
            if cancel.is_set():
                raise CancelledError("cancelled before the job was sent")
            try:
                with _submit_turn(cancel):
                    response = self._post_fresh(url, body)
            except requests.RequestException as exc:
                if not _never_sent(exc):
                    raise UncertainSubmitError(f"Job status unknown: {UNCERTAIN_HELP}.") from None
                connect_failures += 1
                if connect_failures > MAX_CONNECT_RETRIES:
                    raise NetworkError(
                        f"Cannot reach {self.base_url}: check the network connection "
                        "(nothing was sent, nothing charged)."
                    ) from None
                self._wait(cancel, _backoff(connect_failures))
                continue
            if response.status_code == 429:
                delay = retry_after_seconds(response, 2.0)
                if time.monotonic() + delay > rate_limited_until:
                    raise RateLimitError(
                        "Too many jobs are running on this BFL account (HTTP 429) and none "
                        f"finished within {self.rate_limit_wait:.0f} s; try again later."
                    )
                self._wait(cancel, delay + random.uniform(0, 0.25))
                continue
            return self._accepted(response)

    def _post_fresh(self, url: str, body: str) -> requests.Response:
        """POST on a connection of its own: a pooled keep-alive one the server may have closed
        meanwhile would fail after the request left, and the submit would be "uncertain"."""
        with requests.Session() as fresh:
            fresh.headers["User-Agent"] = USER_AGENT
            headers = {**self._headers(json_body=True), "Connection": "close"}
            return fresh.post(url, data=body, headers=headers,
                              timeout=(CONNECT_TIMEOUT, self.submit_timeout),
                              allow_redirects=False)  # fmt: skip

    def _accepted(self, response: requests.Response) -> Submission:
        if response.status_code >= 500:
            raise UncertainSubmitError(
                f"The service failed with HTTP {response.status_code} after receiving the job: "
                f"{UNCERTAIN_HELP}."
            )
        if response.status_code != 200:
            raise error_for(response, self._key)
        body = json_body(response)
        if not isinstance(body, dict) or not body.get("id") or not body.get("polling_url"):
            raise UncertainSubmitError(f"The reply to the submit was unreadable: {UNCERTAIN_HELP}.")
        return Submission(
            job_id=str(body["id"]),
            polling_url=str(body["polling_url"]),
            cost=number(body.get("cost")),
            input_mp=number(body.get("input_mp")),
            output_mp=number(body.get("output_mp")),
        )

    # --- poll ---------------------------------------------------------------------------

    def collect(
        self, submission: Submission, on_progress: ProgressCallback, cancel: threading.Event
    ) -> EngineResult:
        """Poll until the job is final and download its result; when downloads fail, poll again
        for a fresh link."""
        problems = []
        for _ in range(DELIVERY_ROUNDS):
            sample_url = self.poll(submission, on_progress, cancel)
            on_progress("downloading", None)
            try:
                return self.download(sample_url, cancel)
            except DownloadError as exc:
                problems.append(exc.message)
        raise DownloadError(
            f"Downloading the result failed with each of the {DELIVERY_ROUNDS} links the "
            f"service gave ({'; '.join(dict.fromkeys(problems))})."
        )

    def polling_url(self, submission: Submission) -> str:
        """The URL to poll: the one the service returned, unless it may not see the key."""
        url = submission.polling_url
        if url and may_send_key(url, self.base_url):
            return url
        if url:
            log.warning("polling URL host is not trusted; polling the configured base instead")
        return f"{self.base_url}/v1/get_result?id={submission.job_id}"

    def poll(
        self, submission: Submission, on_progress: ProgressCallback, cancel: threading.Event
    ) -> str:
        """Wait until the service gives a final status; return the result's download URL.

        Anything that is not a documented final status (``Pending``, a word the docs do not
        list, a refused poll, a lost connection) means: not final, ask again."""
        url = self.polling_url(submission)
        deadline = time.monotonic() + self.poll_timeout
        troubles = Troubles()
        word = "Pending"
        while True:
            if cancel.is_set():
                raise CancelledError(STOPPED_WAITING)
            if time.monotonic() > deadline:
                said = f" (the service still said {word!r})" if word != "Pending" else ""
                if troubles.last:
                    said = f" (the last polls failed: {troubles.last})"
                raise TimedOutError(
                    f"The job was not finished after {self.poll_timeout:g} s{said}."
                )
            asked = time.monotonic()
            body, trouble, what, told = self._get_status(url)
            if body is None:
                troubles.add(trouble, what)
                self._give_up_on(troubles, submission, trouble)
                if trouble == "network":  # say so: the last progress would stand still
                    on_progress("reconnecting", None)
                backoff = _backoff(troubles.count(trouble))
                self._wait(cancel, backoff if told is None else told, STOPPED_WAITING)
                continue
            troubles.clear()
            word = str(body.get("status") or "Pending")
            if word in FINAL_STATUSES:
                return final_answer(body, submission.job_id, self._key)
            progress = fraction(body.get("progress"))
            if word == "Pending":
                on_progress("generating" if progress else "queued", progress)
            else:
                on_progress(word, progress)
            # polls start every poll_interval (not interval + round trip); Retry-After wins
            since_asked = time.monotonic() - asked
            delay = told or 0.0
            pause = delay if delay > self.poll_interval else self.poll_interval - since_asked
            self._wait(cancel, max(0.0, pause), STOPPED_WAITING)

    def _get_status(self, url: str) -> tuple[dict[str, Any] | None, str, str, float | None]:
        """One poll: the JSON body, or None with the kind of trouble and what happened; and
        the wait the service asked for (``Retry-After``), if any."""
        try:
            response = get_following(self.session, url, self._poll_headers,
                                     (CONNECT_TIMEOUT, GET_READ_TIMEOUT))  # fmt: skip
        except requests.RequestException:
            return None, "network", "the connection dropped", None
        told = retry_after_seconds(response, -1.0)
        told_wait = told if told >= 0 else None
        status = f"HTTP {response.status_code}"
        if response.status_code in (401, 403):
            return None, "refused", status, told_wait
        if response.status_code == 404:
            return None, "not_found", status, told_wait
        body = json_body(response)
        if response.status_code != 200 or not isinstance(body, dict):
            return None, "network", status if response.status_code != 200 else "no JSON", told_wait
        return body, "", "", told_wait

    def _poll_headers(self, url: str) -> dict[str, str]:
        """A redirect target gets the key only when it passes the polling URL's trust rule."""
        return self._headers() if may_send_key(url, self.base_url) else {}

    def _give_up_on(self, troubles: Troubles, submission: Submission, trouble: str) -> None:
        """Raise once one kind of trouble has lasted too long."""
        if trouble == "refused" and troubles.count(trouble) >= MAX_POLL_REFUSALS:
            raise PollRefusedError(
                f"The service refused {MAX_POLL_REFUSALS} polls in a row (HTTP 401/403) about "
                "a job it had accepted, perhaps with another key; stopped waiting."
            )
        if trouble == "not_found" and troubles.count(trouble) >= MAX_NOT_FOUND:
            final_answer({"status": "Task not found"}, submission.job_id, self._key)
        if trouble == "network" and troubles.count(trouble) > MAX_GET_FAILURES:
            raise NetworkError("Lost contact with the service while waiting for the result.")

    # --- download -----------------------------------------------------------------------

    def download(self, url: str, cancel: threading.Event) -> EngineResult:
        """Fetch the result at once, never with the key; retry a failed or truncated download
        with back-off. A 4xx means the link is dead: no use retrying it."""
        problem = ""
        for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
            if attempt > 1:
                self._wait(cancel, _backoff(attempt - 1), STOPPED_WAITING)
            try:
                response = get_following(self.session, url, lambda hop: {},
                                         (CONNECT_TIMEOUT, GET_READ_TIMEOUT))  # fmt: skip
            except requests.RequestException:
                problem = "the connection dropped"
                continue
            if 400 <= response.status_code < 500:
                raise DownloadError(f"HTTP {response.status_code}: the link has probably expired")
            if response.status_code == 200:
                decoded = _decode(response.content)
                if decoded is not None:
                    return EngineResult(
                        decoded, response.content, (decoded.format or "png").lower()
                    )
                problem = "the image arrived damaged"
            else:
                problem = f"HTTP {response.status_code}"
        raise DownloadError(f"{problem}, {DOWNLOAD_ATTEMPTS} tries")

    # --- account ------------------------------------------------------------------------

    def credits(self) -> float:
        """The account's balance; raises AuthError for a bad key."""
        try:
            response = self.session.get(
                self.base_url + "/v1/credits",
                headers=self._headers(),
                timeout=(CONNECT_TIMEOUT, GET_READ_TIMEOUT),
                allow_redirects=False,
            )
        except requests.RequestException:
            raise NetworkError(f"Cannot reach {self.base_url}.") from None
        body = json_body(response)
        if response.status_code != 200 or not isinstance(body, dict):
            raise error_for(response, self._key)
        value = number(body.get("credits"))
        if value is None:
            raise EngineError("The service's credit balance was unreadable.")
        return value

    # --- helpers ------------------------------------------------------------------------

    def _headers(self, json_body: bool = False) -> dict[str, str]:
        if not self._key:
            raise AuthError("No BFL API key is set: add one in Settings or set BFL_API_KEY.")
        headers = {"x-key": self._key, "Accept": "application/json"}
        if json_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _wait(self, cancel: threading.Event, seconds: float, stopped: str = "cancelled") -> None:
        if self._sleep(cancel, seconds):
            raise CancelledError(stopped)


@contextlib.contextmanager
def _submit_turn(cancel: threading.Event) -> Iterator[None]:
    while not _SUBMIT_TURNS.acquire(timeout=0.1):
        if cancel.is_set():
            raise CancelledError("cancelled before the job was sent")
    try:
        yield
    finally:
        _SUBMIT_TURNS.release()


def _pooled_session() -> requests.Session:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=KEPT_CONNECTIONS)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _never_sent(exc: requests.RequestException) -> bool:
    """True only when the request surely never reached the server (failed to connect)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


def _backoff(attempt: int) -> float:
    """Exponential back-off with jitter: about 0.5, 1, 2, 4... s, capped at 8 s."""
    base = min(8.0, 0.5 * 2 ** max(0, attempt - 1))
    return base * random.uniform(0.75, 1.25)


def _decode(data: bytes) -> Image.Image | None:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    return image
