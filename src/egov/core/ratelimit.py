"""Fixed-window rate limits per client, kept in the cache (Redis in production).

A limit is a courtesy to other users, not a security boundary: when the cache is per-process
(the laptop default) each server process counts on its own. Limits guard public hot paths
(tracking), so a hit costs one cache operation: one round trip to Redis.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

from egov.core.client import client_address
from egov.core.errors import DomainError


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


def client_key(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "ip:" + client_address(request)


@dataclass(frozen=True)
class Rate:
    """At most `limit` hits per `window` seconds."""

    limit: int
    window: int


_RATE = re.compile(r"^\s*(\d+)\s*/\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(name: str, text: str) -> Rate | None:
    """A rate setting such as `60/m`, `1000/h` or `5/s` (per second, minute, hour, day); `0` turns
    the limit off (None). Anything else stops the start with a message naming the setting."""
    text = (text or "").strip()
    if text == "0":
        return None
    match = _RATE.match(text)
    if not match:
        raise ImproperlyConfigured(f"{name}={text!r}: expected requests per second, minute, hour or day, such as "
                                   "60/m, 1000/h or 5/s, or 0 for no limit")
    limit = int(match.group(1))
    return Rate(limit, _UNITS[match.group(2)]) if limit else None


def _hit(cache_key: str, timeout: int) -> int:
    """Count one hit of `cache_key`, which expires after `timeout` s: the count so far."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Django's incr asks EXISTS first, and add-then-incr is two more round trips: one
        # pipeline creates the counter if missing (with its expiry) and increments it.
        key = backend.make_and_validate_key(cache_key)
        pipeline = backend._cache.get_client(key, write=True).pipeline(transaction=False)
        pipeline.set(key, 0, ex=timeout, nx=True)
        pipeline.incr(key)
        return pipeline.execute()[1]
    try:
        return cache.incr(cache_key)  # a local cache: one dictionary operation under a lock
    except ValueError:  # the window's first hit
        if cache.add(cache_key, 1, timeout=timeout):
            return 1
        return cache.incr(cache_key)


def check_rate(bucket: str, key: str, *, limit: int, window: int) -> None:
    """Count one hit for `key` in `bucket`; raise RateLimited past `limit` hits per `window` s."""
    now = time.time()
    slot = int(now // window)
    if _hit(f"rl:{bucket}:{key}:{slot}", window + 1) > limit:
        wait = int(window - now % window) + 1
        raise RateLimited(f"Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau {_duration(wait)}.",
                          details={"retry_after": wait})


def _duration(seconds: int) -> str:
    return f"{seconds} giây" if seconds <= 90 else f"{-(-seconds // 60)} phút"
