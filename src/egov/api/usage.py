"""What each API key does, counted in the server process: its per-minute rate limit, and the
last use and request count shown to administrators.

Every Bearer call passes here (the tracking and submission benchmarks among them), so a call
costs a dictionary lookup under a lock; the database hears about a key at most once a minute
per process (last use and the requests since the previous write, added in one UPDATE). Like
`core.ratelimit` on the laptop default cache, each process counts on its own: a limit of 60 a
minute served by 4 processes lets through up to 240. Counts a process has not yet written are
lost when it stops (at most a minute of them).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import F
from django.utils import timezone

from egov.api.models import ApiKey
from egov.core import fixedsql
from egov.core.ratelimit import RateLimited

WINDOW_SECONDS = 60
WRITE_EVERY_SECONDS = 60


@dataclass
class _Usage:
    slot: int = -1  # the minute the count below belongs to
    in_slot: int = 0
    unwritten: int = 0  # requests not yet added to the row's request_count
    written_at: float = float("-inf")  # when usage was last written; -inf: write on first use


_lock = threading.Lock()
# By key hash, not id: ids may be reused (SQLite after a rollback), a hash names one key.
_usage: dict[str, _Usage] = {}


def _clock() -> float:
    return time.time()


def admit(key: ApiKey) -> None:
    """Count one request of `key`; raise RateLimited (429) past its limit for this minute, and
    write its usage when the last write is a minute old."""
    now = _clock()
    slot = int(now // WINDOW_SECONDS)
    limit = key.rate_limit
    with _lock:
        usage = _usage.get(key.key_hash)
        if usage is None:
            usage = _usage[key.key_hash] = _Usage()
        if usage.slot != slot:
            usage.slot, usage.in_slot = slot, 0
        if limit is not None and usage.in_slot >= limit:
            refused = True
        else:
            refused = False
            usage.in_slot += 1
            usage.unwritten += 1
        due = now - usage.written_at >= WRITE_EVERY_SECONDS and usage.unwritten > 0
        if due:
            count, usage.unwritten, usage.written_at = usage.unwritten, 0, now
    if due:
        _write(key, count)
    if refused:
        wait = int(WINDOW_SECONDS - now % WINDOW_SECONDS) + 1
        raise RateLimited(f"Hệ thống “{key.name}” đã gửi quá {limit} yêu cầu trong một phút. "
                          f"Vui lòng thử lại sau {wait} giây.",
                          details={"limit_per_minute": limit, "retry_after": wait})


def _write(key: ApiKey, count: int) -> None:
    """Stamp the last use and add `count` requests: fixed SQL, the auth path's only write."""
    stamp = timezone.now()
    last_used = ApiKey._meta.get_field("last_used_at")
    quote = connection.ops.quote_name
    with fixedsql.cursor() as cursor:
        cursor.execute(f"UPDATE {fixedsql.table(ApiKey)} SET {quote(last_used.column)} = %s, "
                       f"{quote('request_count')} = {quote('request_count')} + %s WHERE {quote('id')} = %s",
                       [last_used.get_db_prep_save(stamp, connection), count, key.pk])
    key.last_used_at = stamp
    key.request_count += count


def flush() -> None:
    """Write every key's unwritten requests now (tests, and a worker that is stopping)."""
    with _lock:
        pending = [(key_hash, usage.unwritten) for key_hash, usage in _usage.items() if usage.unwritten]
        for key_hash, _count in pending:
            _usage[key_hash].unwritten = 0
    for key_hash, count in pending:
        ApiKey.objects.filter(key_hash=key_hash).update(request_count=F("request_count") + count,
                                                        last_used_at=timezone.now())


def reset() -> None:
    """Forget every count (tests)."""
    with _lock:
        _usage.clear()
