"""Dossier codes (mã hồ sơ): `<agency identifier>-<yymmdd>-<4-digit daily sequence>`.

The sequence is a row per agency and day, locked while it is incremented inside the caller's
transaction, so codes never repeat or skip under concurrent intake (a rolled-back intake rolls
the counter back too) and agencies never wait on each other.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from egov.dossiers.models import DailyCounter


def next_sequence(agency, day: dt.date) -> int:
    counters = DailyCounter.objects.select_for_update()
    try:
        counter = counters.get(agency=agency, day=day)
    except DailyCounter.DoesNotExist:
        try:
            with transaction.atomic():  # savepoint: another intake may create the row first
                counter = DailyCounter.objects.create(agency=agency, day=day, last=0)
        except IntegrityError:
            counter = counters.get(agency=agency, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def next_dossier_code(agency, day: dt.date) -> str:
    """The next code of `agency` for `day`; call inside the transaction that stores it."""
    return format_code(agency.code, day, next_sequence(agency, day))


def format_code(agency_code: str, day: dt.date, seq: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{seq:04d}"
