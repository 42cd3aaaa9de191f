"""Several counts in one statement (the home page's figures and the menu badges on every staff
page): `SELECT (SELECT count(*) FROM (q1)), (SELECT count(*) FROM (q2)), ...`.

Each count stays its own subquery with its own plan, so each uses the index its filter suits;
one OR-ed filter with conditional counts would make the database pick one plan for all."""

from __future__ import annotations

from django.db import connections, router


def count_each(**querysets) -> dict[str, int]:
    """{name: number of rows of the queryset} for every queryset given, in one query."""
    if not querysets:
        return {}
    names, parts, params = [], [], []
    using = None
    for index, (name, queryset) in enumerate(querysets.items()):
        using = using or router.db_for_read(queryset.model)
        sql, values = queryset.order_by().values("pk").query.sql_with_params()
        names.append(name)
        parts.append(f"(SELECT count(*) FROM ({sql}) c{index})")
        params.extend(values)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {name: int(value or 0) for name, value in zip(names, row, strict=True)}
