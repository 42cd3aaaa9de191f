"""Statistics as a direct count over dossier rows in Python: what the tallies must agree with."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from egov.dossiers.models import BUCKETS, RESOLVED_STATUSES, RUNNING_STATUSES, Dossier

S = Dossier.Status


def _local_day(instant):
    return timezone.localtime(instant, timezone.get_default_timezone()).date()


def finished_at(d):
    if d.status in RESOLVED_STATUSES:
        return d.resolved_at
    if d.status in (S.REFUSED, S.WITHDRAWN):
        return d.closed_at
    return None


def overdue(d, now) -> bool:
    """Running at the agency past its due day, in the agencies' time zone (đúng hạn: on the day)."""
    return d.status in RUNNING_STATUSES and _local_day(d.due_at) < _local_day(now)


def in_bucket(bucket, d, now) -> bool:
    return bucket.holds(d.status, d.outcome) and bucket.overdue in (None, overdue(d, now))


def expected_stats(*, now, agency=None, include_children=True, procedure=None, date_from=None, date_to=None):
    dossiers = Dossier.objects.filter(received_at__isnull=False)
    if agency is not None:
        dossiers = (dossiers.filter(agency__path__startswith=agency.path) if include_children
                    else dossiers.filter(agency=agency))
    if procedure is not None:
        dossiers = dossiers.filter(procedure=procedure)
    dossiers = list(dossiers)
    received = [d for d in dossiers if (date_from is None or _local_day(d.received_at) >= date_from)
                and (date_to is None or _local_day(d.received_at) <= date_to)]
    for d in received:
        assert sum(in_bucket(b, d, now) for b in BUCKETS) == 1, (d.code, d.status, d.outcome)
    figures = {
        "received": len(received),
        **{b.name: sum(in_bucket(b, d, now) for d in received) for b in BUCKETS},
        "online": sum(d.channel == "online" for d in received),
        "counter": sum(d.channel == "counter" for d in received),
        "returned": sum(d.status == S.RETURNED for d in received),
        "carried_over": None,
    }
    if date_from is not None:
        start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min), timezone.get_default_timezone())
        figures["carried_over"] = sum(
            d.received_at < start and (finished_at(d) is None or finished_at(d) >= start) for d in dossiers)
    return figures


def assert_stats_match(figures, **kwargs):
    expected = expected_stats(**kwargs)
    assert {k: figures[k] for k in expected} == expected, kwargs
