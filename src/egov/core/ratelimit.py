"""Fixed-window rate limits per client, kept in the cache (Redis in production).

A limit is a courtesy to other users, not a security boundary: when the cache is per-process
(the laptop default) each server process counts on its own.
"""

from __future__ import annotations

import time

from django.core.cache import cache

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


def check_rate(bucket: str, key: str, *, limit: int, window: int) -> None:
    """Count one hit for `key` in `bucket`; raise RateLimited past `limit` hits per `window` s."""
    slot = int(time.time() // window)
    cache_key = f"rl:{bucket}:{key}:{slot}"
    if cache.add(cache_key, 1, timeout=window + 1):
        return
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 1)
        return
    if hits > limit:
        raise RateLimited(f"Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau {window} giây.")
