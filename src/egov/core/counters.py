"""Gapless daily counters (dossier codes, feedback codes): one `INSERT ... ON CONFLICT DO UPDATE
... RETURNING` on a counter row, run inside the transaction that uses the number.

The upsert creates the row or increments it and holds the row's lock until the caller's
transaction ends: a parallel caller with the same key waits, then takes the next number (or this
one, after a rollback), so numbers never repeat or skip, and only callers sharing a key wait.
"""

from __future__ import annotations

from django.db import connection

from egov.core import fixedsql

_sql: dict = {}


def _upsert_sql(model, keys: tuple[str, ...], counter: str) -> str:
    cache_key = (connection.vendor, model, keys, counter)
    found = _sql.get(cache_key)
    if found is None:
        table, quote = fixedsql.table(model), connection.ops.quote_name
        columns = [quote(model._meta.get_field(n).column) for n in keys]
        last = quote(model._meta.get_field(counter).column)
        names, holes = ", ".join(columns), ", ".join(["%s"] * len(columns))
        found = _sql[cache_key] = (
            f"INSERT INTO {table} ({names}, {last}) VALUES ({holes}, 1) "
            f"ON CONFLICT ({names}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}")
    return found


def next_value(model, counter: str = "last", **keys) -> int:
    """The next number of the `model` row identified by `keys` (a unique set of its fields; model
    instances are given by primary key). Call inside the transaction that stores the number."""
    names = tuple(keys)
    values = []
    for name in names:
        field, value = model._meta.get_field(name), keys[name]
        value = getattr(value, "pk", value)
        values.append(connection.ops.adapt_datefield_value(value) if field.get_internal_type() == "DateField"
                      else value)
    with fixedsql.cursor() as cursor:
        cursor.execute(_upsert_sql(model, names, counter), values)
        return cursor.fetchone()[0]
