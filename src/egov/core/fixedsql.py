"""Fixed SQL for the busiest write paths: a model's columns read, and its rows inserted, by
statements built once per database instead of compiled by the ORM on every call.

Building an ORM query costs 0.3 to 0.8 ms of CPU on the machines we measure, ten times what the
database spends running it (docs/benchmarks.md, online submissions). Values still go through
each field's own conversion (`get_db_prep_save` in, the backend's and field's converters out),
so rows read or written here are the rows the ORM reads and writes.

`insert` falls back to `save()` whenever the shortcut could skip behaviour: a model with save
signal receivers, parents, generated or database-default columns, or a value that is an
expression. Callers that override `save()` must do that work themselves before `insert`.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import NOT_PROVIDED, signals

_columns: dict = {}
_inserts: dict = {}


class Columns:
    """The concrete columns of `model` as `alias`.col, ..., and how to build an instance from them."""

    def __init__(self, model, alias: str):
        quote = connection.ops.quote_name
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.sql = ", ".join(f"{quote(alias)}.{quote(f.column)}" for f in self.fields)
        self.converters = []
        for position, field in enumerate(self.fields):
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self.converters.append((position, found, col))

    def __len__(self) -> int:
        return len(self.fields)

    def build(self, row, start: int = 0):
        """The instance held by row[start:start + len(self)], as the ORM would have loaded it."""
        values = list(row[start:start + len(self.fields)])
        for position, found, col in self.converters:
            value = values[position]
            for converter in found:
                value = converter(value, col, connection)
            values[position] = value
        return self.model.from_db(connection.alias, self.names, values)


def columns(model, alias: str | None = None) -> Columns:
    alias = alias or model._meta.db_table
    key = (connection.alias, connection.vendor, model, alias)
    found = _columns.get(key)
    if found is None:
        found = _columns[key] = Columns(model, alias)
    return found


def cursor():
    """A cursor for fixed statements. On PostgreSQL it binds values on the server, so psycopg
    prepares each statement the first time a connection runs it (`prepare_threshold` in settings;
    the ORM's own cursors bind on the client and are never prepared): planning these small
    statements cost the server more than running them."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    # What connection.cursor() does, with a server-binding cursor.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _plain(model) -> bool:
    meta = model._meta
    return not (meta.parents or signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)
                or any(f.generated or f.db_default is not NOT_PROVIDED for f in meta.local_concrete_fields))


def _insert_parts(model):
    key = (connection.alias, connection.vendor, model)
    found = _inserts.get(key)
    if found is None:
        meta = model._meta
        quote = connection.ops.quote_name
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        returning = list(meta.db_returning_fields)
        head = (f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)}) VALUES ")
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        tail = ""
        if returning and connection.features.can_return_rows_from_bulk_insert:
            tail, _ = connection.ops.return_insert_columns(returning)
            tail = " " + tail
        cols = [f.get_col(meta.db_table) for f in returning]
        converters = [(col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
                      for col in cols]
        found = _inserts[key] = (fields, returning, head, row, tail, converters)
    return found


def insert(objs: list) -> list:
    """INSERT new, unsaved instances of one model in one statement, as `save()`/`bulk_create()`
    would (field defaults and `pre_save`, e.g. auto_now_add), and set their primary keys."""
    if not objs:
        return objs
    model = type(objs[0])
    fields, returning, head, row, tail, converters = _insert_parts(model)
    if not _plain(model) or not tail or any(o.pk is not None for o in objs):
        for obj in objs:
            obj.save(force_insert=True)
        return objs
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="save")
        for field in fields:
            value = field.pre_save(obj, add=True)
            if hasattr(value, "resolve_expression"):
                for o in objs:
                    o.save(force_insert=True)
                return objs
            params.append(field.get_db_prep_save(value, connection))
    with cursor() as cur:
        cur.execute(head + ", ".join([row] * len(objs)) + tail, params)
        rows = cur.fetchall()
    for obj, values in zip(objs, rows):
        for value, field, (col, found) in zip(values, returning, converters):
            for converter in found:
                value = converter(value, col, connection)
            setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
