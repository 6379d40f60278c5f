"""HTTP rules for the BFL service: which URLs may see the key, and turning replies into errors."""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from outpaint_studio.core.engine import (
    AuthError,
    CreditsError,
    EngineError,
    InvalidRequestError,
    RateLimitError,
)

BFL_DOMAIN = "bfl.ai"
MAX_MESSAGE = 300
MAX_REDIRECTS = 4
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    """The base without a trailing slash; plain http only for loopback hosts."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{base_url!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(
            f"{base_url} uses plain http: the API key would travel unencrypted; "
            "use https (plain http is allowed only for 127.0.0.1 and localhost)"
        )
    return base_url.strip().rstrip("/")


def may_send_key(url: str, base_url: str) -> bool:
    """Whether ``url`` may receive the key: the configured base host, or https under bfl.ai."""
    target = urlsplit(url)
    base = urlsplit(base_url)
    host = (target.hostname or "").lower()
    if target.scheme == base.scheme and target.netloc.lower() == base.netloc.lower():
        return True
    if target.scheme != "https" or target.port not in (None, 443):
        return False
    return host == BFL_DOMAIN or host.endswith("." + BFL_DOMAIN)


def retry_after_seconds(response: requests.Response, default: float) -> float:
    """``Retry-After`` in seconds or as an HTTP date; ``default`` when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


def get_following(
    session: requests.Session,
    url: str,
    headers_for: Callable[[str], dict[str, str]],
    timeout: tuple[float, float],
) -> requests.Response:
    """GET ``url``, following a few redirects by hand: each hop gets the headers
    ``headers_for(hop)`` gives it, so the key goes only to hosts that may see it."""
    for _ in range(MAX_REDIRECTS + 1):
        response = session.get(url, headers=headers_for(url), timeout=timeout,
                               allow_redirects=False)  # fmt: skip
        location = response.headers.get("Location")
        if response.status_code not in REDIRECT_STATUSES or not location:
            return response
        response.close()
        url = urljoin(url, location)
    raise requests.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")


def json_body(response: requests.Response) -> object | None:
    """The parsed JSON body, or None for HTML error pages and other non-JSON replies."""
    try:
        return response.json()
    except ValueError:
        return None


def service_words(body: object, secret: str, fields: tuple[str, ...] = ("details",)) -> str:
    """The service's own words in a reply body: the first of ``fields``, else an ``error`` or
    ``message`` field; short, and scrubbed of the key should it ever echo it."""
    if not isinstance(body, dict):
        return ""
    said = next((body[name] for name in (*fields, "error", "message") if body.get(name)), None)
    if said is None:
        return ""
    text = " ".join((said if isinstance(said, str) else json.dumps(said)).split())
    return (text.replace(secret, "***") if secret else text)[:MAX_MESSAGE]


def service_message(response: requests.Response, secret: str) -> str:
    """What the service said about a refused request, short, and scrubbed of the key."""
    body = json_body(response)
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
        text = "; ".join(parts)
    elif detail is not None:
        text = str(detail)
    elif isinstance(body, dict) and (body.get("error") or body.get("message")):
        return service_words(body, secret, ())
    else:
        text = "" if body is None else str(body)
    if secret:
        text = text.replace(secret, "***")
    return text[:MAX_MESSAGE]


def error_for(response: requests.Response, secret: str) -> EngineError:
    """One typed error per cause, with what to do about it."""
    said = service_message(response, secret)
    status = response.status_code
    if status in (401, 403):
        return AuthError(
            f"The BFL API key was refused (HTTP {status}): it is wrong or lacks access to this "
            "tool. Check the key in Settings or BFL_API_KEY."
        )
    if status == 402:
        return CreditsError(
            "Not enough BFL credits for this job (HTTP 402). Add credits in your BFL account; "
            "nothing was charged."
        )
    if status == 422:
        return InvalidRequestError(f"The service rejected the request: {said or 'HTTP 422'}")
    if status == 429:
        return RateLimitError(
            "Too many jobs are running on this BFL account (HTTP 429); wait for one to finish."
        )
    return EngineError(f"The service answered HTTP {status}" + (f": {said}" if said else ""))
