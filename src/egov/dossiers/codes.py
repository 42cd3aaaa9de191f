"""Dossier codes (mã hồ sơ): `<agency identifier>-<yymmdd>-<4-digit daily sequence>`.

The sequence is a row per agency and day, locked while it is incremented inside the caller's
transaction, so codes never repeat or skip under concurrent intake (a rolled-back intake rolls
the counter back too) and agencies never wait on each other.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from egov.core import fixedsql
from egov.dossiers.models import DailyCounter

_sql: dict[str, str] = {}


def _upsert_sql() -> str:
    found = _sql.get(connection.vendor)
    if found is None:
        table, quote = fixedsql.table(DailyCounter), connection.ops.quote_name
        agency, day, last = (quote(DailyCounter._meta.get_field(n).column) for n in ("agency", "day", "last"))
        found = _sql[connection.vendor] = (
            f"INSERT INTO {table} ({agency}, {day}, {last}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({agency}, {day}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}")
    return found


def next_sequence(agency, day: dt.date) -> int:
    """One statement (online submissions are a hot path): the upsert creates the day's row or
    increments it, and holds the row's lock until the caller's transaction ends, so a parallel
    intake at the same agency waits and then takes the next number (or this one, after a rollback)."""
    with fixedsql.cursor() as cursor:
        cursor.execute(_upsert_sql(), [getattr(agency, "pk", agency), connection.ops.adapt_datefield_value(day)])
        return cursor.fetchone()[0]


def next_dossier_code(agency, day: dt.date) -> str:
    """The next code of `agency` for `day`; call inside the transaction that stores it."""
    return format_code(agency.code, day, next_sequence(agency, day))


def format_code(agency_code: str, day: dt.date, seq: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{seq:04d}"
