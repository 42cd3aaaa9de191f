"""Statistics tallies (`DossierTally`): kept by every dossier write, recounted on demand.

A dossier contributes to at most two rows: the row of the (agency, local day, procedure) it was
received on (its channel and its current bucket), and the row of the day it finished (resolved,
refused or withdrawn). `services.bump` calls `record()` after saving a dossier: the difference
between what the row contributed as read (`Dossier._tallied`, set when loaded) and what it
contributes now is applied in the same transaction. `rebuild()` recomputes the rows from the
dossier table (after bulk writes such as generated history); `differences()` compares them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Case, Count, DateTimeField, F, Q, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from egov.core import fixedsql
from egov.dossiers.models import (
    BUCKETS,
    RESOLVED_STATUSES,
    TALLY_COUNTS,
    TALLY_STATE_FIELDS,
    Dossier,
    DossierTally,
    bucket_column,
    tally_state,
)
from egov.dossiers.planning import local_day

S = Dossier.Status
FINISHED_STATUSES = RESOLVED_STATUSES + (S.REFUSED, S.WITHDRAWN)
Key = tuple[int, dt.date, int]  # (agency_id, day, procedure_id)


def contribution(state: tuple | None) -> dict[Key, Counter]:
    """What a dossier in `state` (models.tally_state) adds to the tallies."""
    if state is None:
        return {}
    agency_id, procedure_id, channel, status, outcome, received_at, resolved_at, closed_at = state
    if received_at is None:
        return {}  # not received (draft, submitted, withdrawn before intake): not counted
    rows: dict[Key, Counter] = defaultdict(Counter)
    received = rows[(agency_id, local_day(received_at), procedure_id)]
    received[f"received_{channel}"] += 1
    received[bucket_column(status, outcome)] += 1
    if status == S.RETURNED:
        received["returned"] += 1
    if status in FINISHED_STATUSES:
        finished_at = resolved_at if outcome else closed_at
        rows[(agency_id, local_day(finished_at), procedure_id)]["finished"] += 1
    return rows


def _delta(before: dict[Key, Counter], after: dict[Key, Counter]) -> dict[Key, dict[str, int]]:
    delta = {}
    for key in sorted(set(before) | set(after)):  # a fixed order: two writers lock tally rows alike
        change = {name: after.get(key, Counter())[name] - before.get(key, Counter())[name] for name in TALLY_COUNTS}
        change = {name: value for name, value in change.items() if value}
        if change:
            delta[key] = change
    return delta


def record(dossier: Dossier) -> None:
    """Move `dossier`'s counts from where it stood when read to where it stands now (inside the
    caller's transaction, after the dossier row is saved)."""
    if not hasattr(dossier, "_tallied"):
        before = None  # built in this process: its row was inserted as a draft, which counts nothing
    elif dossier._tallied is None:  # loaded with deferred columns: read what the row held
        before = Dossier.objects.filter(pk=dossier.pk).values_list(*TALLY_STATE_FIELDS).first()
    else:
        before = dossier._tallied
    after = tally_state(dossier)
    if after is None:
        raise AssertionError("a dossier saved with deferred tally columns")
    apply(_delta(contribution(before), contribution(after)))
    dossier._tallied = after


def apply(delta: dict[Key, dict[str, int]]) -> None:
    """Add `delta` to the tally rows.

    An UPDATE first: CHECK constraints judge the row an INSERT proposes even when ON CONFLICT
    turns it into an update, so a change such as "one more returned" (valid on the existing row,
    not as a row of its own) cannot go through an upsert. A row that is not there yet gets the
    whole contribution of one dossier, which is a valid row: inserted with ON CONFLICT ... DO
    UPDATE, so two writers creating the same row at once add up instead of failing.
    """
    if not delta:
        return
    quote = connection.ops.quote_name
    table = quote(DossierTally._meta.db_table)
    # A handful of statement shapes, run on every dossier write: prepared once per connection.
    with fixedsql.cursor() as cursor:
        for (agency_id, day, procedure_id), change in delta.items():
            names = sorted(change)
            cursor.execute(
                f"UPDATE {table} SET " + ", ".join(f"{quote(n)} = {quote(n)} + %s" for n in names)
                + " WHERE agency_id = %s AND day = %s AND procedure_id = %s",
                [*(change[n] for n in names), agency_id, day, procedure_id])
            if cursor.rowcount == 1:
                continue
            if any(change[n] < 0 for n in names):
                raise AssertionError(f"statistics tallies out of step with dossiers at agency {agency_id}, {day}: "
                                     "run `egov dossiers stats-rebuild`")
            others = [n for n in TALLY_COUNTS if n not in change]
            cursor.execute(
                f"INSERT INTO {table} (agency_id, day, procedure_id, "
                + ", ".join(quote(n) for n in names + others) + ") "
                f"VALUES (%s, %s, %s{', %s' * len(names)}{', 0' * len(others)}) "
                "ON CONFLICT (agency_id, day, procedure_id) DO UPDATE SET "
                + ", ".join(f"{quote(n)} = {table}.{quote(n)} + excluded.{quote(n)}" for n in names),
                [agency_id, day, procedure_id, *(change[n] for n in names)])


# -- recount ----------------------------------------------------------------------------------
def _of_agencies(rows, agencies):
    """`rows` of `agencies`: one agency or its pk, several, or None for all."""
    if agencies is None:
        return rows
    if not isinstance(agencies, (list, tuple, set, frozenset)):
        agencies = [agencies]
    return rows.filter(agency_id__in=[getattr(a, "pk", a) for a in agencies])


def recount(agencies=None, *, dossier_model=Dossier) -> dict[Key, dict[str, int]]:
    """The tally rows as the dossier table says they should be: two grouped counts."""
    tz = timezone.get_default_timezone()
    dossiers = _of_agencies(dossier_model.objects.filter(received_at__isnull=False).order_by(), agencies)
    rows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TALLY_COUNTS, 0))
    counts = {
        "received_online": Count("pk", filter=Q(channel=Dossier.Channel.ONLINE)),
        "received_counter": Count("pk", filter=Q(channel=Dossier.Channel.COUNTER)),
        **{bucket.column: Count("pk", filter=bucket.condition()) for bucket in BUCKETS},
        "returned": Count("pk", filter=Q(status=S.RETURNED)),
    }
    by_received = (dossiers.annotate(tally_day=TruncDate("received_at", tzinfo=tz))
                   .values("agency_id", "tally_day", "procedure_id").annotate(**counts))
    for row in by_received:
        rows[(row["agency_id"], row["tally_day"], row["procedure_id"])].update(
            {name: row[name] for name in counts})
    finished_at = Case(When(status__in=RESOLVED_STATUSES, then=F("resolved_at")), default=F("closed_at"),
                       output_field=DateTimeField())
    by_finished = (dossiers.filter(status__in=FINISHED_STATUSES)
                   .annotate(tally_day=TruncDate(finished_at, tzinfo=tz))
                   .values("agency_id", "tally_day", "procedure_id").annotate(n=Count("pk")))
    for row in by_finished:
        rows[(row["agency_id"], row["tally_day"], row["procedure_id"])]["finished"] = row["n"]
    return dict(rows)


def _stored(agencies=None, *, tally_model=DossierTally) -> dict[Key, dict[str, int]]:
    rows = _of_agencies(tally_model.objects.all(), agencies)
    return {(r["agency_id"], r["day"], r["procedure_id"]): {n: r[n] for n in TALLY_COUNTS}
            for r in rows.values("agency_id", "day", "procedure_id", *TALLY_COUNTS)}


def _lock_tallies() -> None:
    # Writers wait until the recount commits, then add their change on top of it; a writer that
    # already changed a tally has committed before the lock is granted, so the recount sees it.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(DossierTally._meta.db_table)} "
                           "IN SHARE ROW EXCLUSIVE MODE")


def rebuild(agencies=None, *, dossier_model=Dossier, tally_model=DossierTally) -> int:
    """Recompute the tally rows of `agencies` (one, several, or None: all) from the dossier table."""
    with transaction.atomic():
        if tally_model is DossierTally:
            _lock_tallies()
        rows = recount(agencies, dossier_model=dossier_model)
        _of_agencies(tally_model.objects.all(), agencies).delete()
        tally_model.objects.bulk_create(
            [tally_model(agency_id=a, day=d, procedure_id=p, **counts)
             for (a, d, p), counts in sorted(rows.items()) if any(counts.values())], batch_size=2000)
    return len(rows)


def differences(agencies=None) -> list[tuple[Key, dict[str, int], dict[str, int]]]:
    """Rows where the tallies differ from a recount: (key, stored, recounted); empty when in step."""
    zero = dict.fromkeys(TALLY_COUNTS, 0)
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:  # one snapshot for both reads, while writes go on
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        stored, counted = _stored(agencies), recount(agencies)
    return [(key, stored.get(key, zero), counted.get(key, zero))
            for key in sorted(set(stored) | set(counted)) if stored.get(key, zero) != counted.get(key, zero)]
