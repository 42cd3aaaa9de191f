"""Calls out to other systems (a peer's exchange endpoint, a client's webhook): one POST and one
retry schedule for every sender, so they answer failures alike."""

from __future__ import annotations

import datetime as dt
import random
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    """What came back: the HTTP status (None when no answer came), the start of the answer, and
    what went wrong when none came."""

    status: int | None
    head: bytes = b""
    error: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST would become a GET elsewhere: a moved endpoint is its administrator's to fix,
    # and the redirect is an answer we record, not one we follow with the body.
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, keep: int = 2048) -> Reply:
    """POST `body` to `url`; never raises for what the other side does."""
    return _call("POST", url, body, headers, timeout=timeout, keep=keep)


def get(url: str, headers: dict[str, str], *, timeout: float, keep: int = 2048) -> Reply:
    """GET `url` (a notification carried in the query, as payment gateways send theirs); never
    raises for what the other side does."""
    return _call("GET", url, None, headers, timeout=timeout, keep=keep)


def _call(method: str, url: str, body: bytes | None, headers: dict[str, str], *, timeout: float, keep: int) -> Reply:
    try:
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        with _OPENER.open(request, timeout=timeout) as response:
            return Reply(response.status, response.read(keep))
    except urllib.error.HTTPError as exc:
        with exc:
            try:
                head = exc.read(keep)
            except OSError:
                head = b""
            return Reply(exc.code, head)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        # No answer: refused, reset, timed out, a name that does not resolve. ValueError: a malformed
        # URL, which no retry fixes, but it is also what a half-typed address gives, so it waits for
        # the administrator like a receiver that is down.
        reason = getattr(exc, "reason", exc)
        return Reply(None, b"", f"{type(reason).__name__}: {reason}"[:500])


def backoff(attempts: int, *, base: float = 30, cap: float = 3600) -> dt.timedelta:
    """The wait after the `attempts`-th failed try: `base` doubling up to `cap`, plus up to a quarter
    more at random, so calls that failed together (a receiver down) do not all retry together."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=delay * random.uniform(1.0, 1.25))
