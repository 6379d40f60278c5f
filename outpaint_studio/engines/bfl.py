"""The BFL FLUX outpainting client: submit, poll, download, on one ``requests.Session``.

See ``BFL_NOTES.md``: a submit is resent only when it surely never arrived (a failure to
connect) or was refused with 429; the key goes only to trusted hosts, never to delivery URLs.
"""

from __future__ import annotations

import io
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
import urllib3.exceptions
from PIL import Image, UnidentifiedImageError

from outpaint_studio.core.engine import (
    AuthError,
    CancelledError,
    DownloadError,
    EngineError,
    EngineResult,
    GenerationFailedError,
    ModeratedError,
    NetworkError,
    ProgressCallback,
    RateLimitError,
    Submission,
    TaskNotFoundError,
    TimedOutError,
    UncertainSubmitError,
)
from outpaint_studio.core.request import OutpaintRequest
from outpaint_studio.engines.bfl_http import (
    check_base_url,
    error_for,
    json_body,
    may_send_key,
    retry_after_seconds,
)

DEFAULT_BASE_URL = "https://api.bfl.ai"
SUBMIT_PATH = "/v1/flux-tools/outpainting-v1"
USER_AGENT = "OutpaintStudio"
CONNECT_TIMEOUT = 10.0
SUBMIT_READ_TIMEOUT = 120.0
GET_READ_TIMEOUT = 30.0
MAX_CONNECT_RETRIES = 4
MAX_GET_FAILURES = 8
DOWNLOAD_ATTEMPTS = 3
UNCERTAIN_HELP = (
    "the request was sent but no reply came back, so the job may have been created and will "
    "then be charged. Check your BFL dashboard (usage) before sending it again; "
    "Outpaint Studio does not resend it by itself"
)
STOPPED_WAITING = "stopped waiting; the job was submitted and can still be collected"
MODERATION_MESSAGES = {
    "Request Moderated": "The input was refused by BFL's moderation (not charged).",
    "Content Moderated": "The generated image was withheld by BFL's moderation (not charged).",
}

log = logging.getLogger(__name__)


class BflClient:
    """Talks to one BFL API base with one key. Thread-safe for concurrent jobs."""

    name = "bfl"

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
        self.session = session or requests.Session()
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
                response = self.session.post(
                    url,
                    data=body,
                    headers=self._headers(json_body=True),
                    timeout=(CONNECT_TIMEOUT, self.submit_timeout),
                    allow_redirects=False,
                )
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
            cost=_number(body.get("cost")),
            input_mp=_number(body.get("input_mp")),
            output_mp=_number(body.get("output_mp")),
        )

    # --- poll ---------------------------------------------------------------------------

    def collect(
        self, submission: Submission, on_progress: ProgressCallback, cancel: threading.Event
    ) -> EngineResult:
        sample_url = self.poll(submission, on_progress, cancel)
        on_progress("downloading", None)
        return self.download(sample_url, cancel)

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
        """Wait until the job is final; return the result's download URL."""
        url = self.polling_url(submission)
        deadline = time.monotonic() + self.poll_timeout
        failures = 0
        while True:
            if cancel.is_set():
                raise CancelledError(STOPPED_WAITING)
            if time.monotonic() > deadline:
                raise TimedOutError(
                    f"The job was not finished after {self.poll_timeout:.0f} s. It stays in the "
                    "journal: collect it later with `outpaint-studio resume` or History."
                )
            asked = time.monotonic()
            body, delay = self._get_status(url, failures)
            if body is None:
                failures += 1
                if failures > MAX_GET_FAILURES:
                    raise NetworkError(
                        "Lost contact with the service while waiting for the result. The job "
                        "stays in the journal: collect it later with `outpaint-studio resume`."
                    )
                self._wait(cancel, delay, STOPPED_WAITING)
                continue
            failures = 0
            status = body.get("status")
            if status == "Pending":
                progress = _number(body.get("progress"))
                on_progress("generating" if progress else "queued", progress)
                # polls start every poll_interval (not interval + round trip); Retry-After wins
                since_asked = time.monotonic() - asked
                pause = delay if delay > self.poll_interval else self.poll_interval - since_asked
                self._wait(cancel, max(0.0, pause), STOPPED_WAITING)
                continue
            return self._final(submission, body)

    def _get_status(self, url: str, failures: int) -> tuple[dict[str, Any] | None, float]:
        """One poll: the JSON body, or None and how long to wait before the next try."""
        try:
            response = self.session.get(
                url,
                headers=self._headers(),
                timeout=(CONNECT_TIMEOUT, GET_READ_TIMEOUT),
                allow_redirects=False,
            )
        except requests.RequestException:
            return None, _backoff(failures + 1)
        if response.status_code in (401, 403):
            raise error_for(response, self._key)
        body = json_body(response)
        if response.status_code == 429 or response.status_code >= 500 or body is None:
            return None, retry_after_seconds(response, _backoff(failures + 1))
        if not isinstance(body, dict):
            return None, _backoff(failures + 1)
        if response.status_code == 404:
            body.setdefault("status", "Task not found")
        return body, retry_after_seconds(response, self.poll_interval)

    def _final(self, submission: Submission, body: dict[str, Any]) -> str:
        status = str(body.get("status"))
        details = body.get("details")
        said = f" Details: {_short(details).replace(self._key, '***')}" if details else ""
        if status == "Ready":
            result = body.get("result")
            sample = result.get("sample") if isinstance(result, dict) else None
            if not isinstance(sample, str) or not sample.startswith(("http://", "https://")):
                raise GenerationFailedError("The job finished but the reply had no result URL.")
            return sample
        if status in MODERATION_MESSAGES:
            raise ModeratedError(MODERATION_MESSAGES[status] + said)
        if status == "Task not found":
            raise TaskNotFoundError(
                f"BFL does not know job {submission.job_id} (unknown or expired); "
                "its result can no longer be collected."
            )
        if status == "Error":
            raise GenerationFailedError("The service failed to generate the image." + said)
        raise GenerationFailedError(f"The job ended with an unexpected status {status!r}." + said)

    # --- download -----------------------------------------------------------------------

    def download(self, url: str, cancel: threading.Event) -> EngineResult:
        """Fetch the result at once, without the key; retry a failed or truncated download."""
        problem = ""
        for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
            if cancel.is_set():
                raise CancelledError("stopped before downloading; the job can still be collected")
            try:
                response = self.session.get(url, timeout=(CONNECT_TIMEOUT, GET_READ_TIMEOUT))
            except requests.RequestException:
                problem = "the connection dropped"
            else:
                if 400 <= response.status_code < 500:
                    raise DownloadError(
                        f"The result link answered HTTP {response.status_code}: it has probably "
                        "expired (links last about 10 minutes)."
                    )
                if response.status_code == 200:
                    decoded = _decode(response.content)
                    if decoded is not None:
                        return EngineResult(
                            decoded, response.content, (decoded.format or "png").lower()
                        )
                    problem = "the image arrived damaged"
                else:
                    problem = f"HTTP {response.status_code}"
            self._wait(cancel, _backoff(attempt))
        raise DownloadError(
            f"Downloading the result failed ({problem}). The job stays in the journal: "
            "try `outpaint-studio resume` within 10 minutes."
        )

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
        value = _number(body.get("credits"))
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


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _short(details: object) -> str:
    text = details if isinstance(details, str) else json.dumps(details)
    return text[:300]
