"""Dossier codes (mã hồ sơ): `<agency identifier>-<yymmdd>-<4-digit daily sequence>`.

The sequence is a row per agency and day, locked while it is incremented inside the caller's
transaction, so codes never repeat or skip under concurrent intake (a rolled-back intake rolls
the counter back too) and agencies never wait on each other.
"""

from __future__ import annotations

import datetime as dt

from egov.core.counters import next_value
from egov.dossiers.models import DailyCounter


def next_sequence(agency, day: dt.date) -> int:
    """One statement (online submissions are a hot path): the upsert creates the day's row or
    increments it, and holds the row's lock until the caller's transaction ends, so a parallel
    intake at the same agency waits and then takes the next number (or this one, after a rollback)."""
    return next_value(DailyCounter, agency=agency, day=day)


def next_dossier_code(agency, day: dt.date) -> str:
    """The next code of `agency` for `day`; call inside the transaction that stores it."""
    return format_code(agency.code, day, next_sequence(agency, day))


def format_code(agency_code: str, day: dt.date, seq: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{seq:04d}"
