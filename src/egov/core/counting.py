"""Several counts in one statement (the home page's figures and the menu badges on every staff
page): `SELECT (SELECT count(*) FROM (q1)), (SELECT count(*) FROM (q2)), ...`.

Each count stays its own subquery with its own plan, so each uses the index its filter suits;
one OR-ed filter with conditional counts would make the database pick one plan for all. A
`Split` reads its rows once (a common table expression) and counts them whole and by ranges of
one column: the dossiers at an official's steps, by due date, are a few dozen rows found through
the open steps, while a due-date range alone would send the planner to the due-date index over
every agency's dossiers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections, router


@dataclass
class Split:
    """A queryset counted whole and, for each name in `ranges`, its rows whose `column` is in
    [low, high) (None: unbounded)."""

    queryset: object
    column: str
    ranges: dict = field(default_factory=dict)


def count_each(**querysets) -> dict[str, int]:
    """{name: number of rows} for every queryset (or `Split`: also its ranges' names) given, in
    one query."""
    if not querysets:
        return {}
    names, parts, params, ctes, cte_params = [], [], [], [], []
    using = None
    quote = None
    for index, (name, queryset) in enumerate(querysets.items()):
        split = queryset if isinstance(queryset, Split) else None
        queryset = split.queryset if split else queryset
        using = using or router.db_for_read(queryset.model)
        quote = quote or connections[using].ops.quote_name
        if split is None:
            sql, values = queryset.order_by().values("pk").query.sql_with_params()
            names.append(name)
            parts.append(f"(SELECT count(*) FROM ({sql}) c{index})")
            params.extend(values)
            continue
        sql, values = queryset.order_by().values(split.column).query.sql_with_params()
        table, column = f"s{index}", quote(split.column)
        ctes.append(f"{table} AS ({sql})")
        cte_params.extend(values)
        names.append(name)
        parts.append(f"(SELECT count(*) FROM {table})")
        for range_name, (low, high) in split.ranges.items():
            conditions = []
            if low is not None:
                conditions.append(f"{column} >= %s")
                params.append(low)
            if high is not None:
                conditions.append(f"{column} < %s")
                params.append(high)
            names.append(range_name)
            parts.append(f"(SELECT count(*) FROM {table} WHERE {' AND '.join(conditions) or '1 = 1'})")
    statement = (f"WITH {', '.join(ctes)} " if ctes else "") + "SELECT " + ", ".join(parts)
    with connections[using].cursor() as cursor:
        cursor.execute(statement, cte_params + params)
        row = cursor.fetchone()
    return {name: int(value or 0) for name, value in zip(names, row, strict=True)}
