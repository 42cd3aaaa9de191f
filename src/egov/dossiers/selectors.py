"""Reads of dossiers used by pages, the API and SMS: scoping, tracking, statistics."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, OuterRef, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from egov.core import fixedsql
from egov.core.actors import is_api_key
from egov.core.calendar import calendar_for
from egov.core.counting import Split, count_each
from egov.core.errors import NotFound
from egov.core.text import search_terms
from egov.dossiers import planning
from egov.dossiers.models import (
    BUCKET_COLUMNS,
    BUCKETS,
    FINISHED_COLUMNS,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Dossier,
    DossierStep,
    DossierTally,
    is_overdue,
    overdue_filter,
    sum_of,
)
from egov.dossiers.planning import day_start
from egov.org.models import Agency
from egov.org.permissions import can, visible_agencies
from egov.org.roles import Role

S = Dossier.Status
FULL_CODE = re.compile(r"^[\w.]+-\d{6}-\d{4}$")


def _agency_ids(actor) -> list[int]:
    return list(visible_agencies(actor).values_list("pk", flat=True))


def staff_dossiers(actor):
    """Dossiers an official (or API key) may see: received by their agencies or now at one (liên thông)."""
    ids = _agency_ids(actor)
    return (Dossier.objects.exclude(status=S.DRAFT)
            .filter(Q(agency_id__in=ids) | Q(current_step__agency_id__in=ids)))


# -- the officer's queue (đang chờ tôi xử lý) ---------------------------------------------------
# Parts of the queue, as the list's `nhom` filter names them.
INTAKE, TO_RETURN, AT_STEP, APPROVAL = "tiep-nhan", "tra-ket-qua", "xu-ly", "phe-duyet"
GROUPS = {INTAKE: "Chờ tiếp nhận", TO_RETURN: "Chờ trả kết quả", AT_STEP: "Đang ở bước của tôi",
          APPROVAL: "Chờ tôi phê duyệt"}
# The list's due filter (`han`): due today, due today or the next working day.
DUE_TODAY, DUE_SOON = "hom-nay", "2-ngay"


def _step_queue(actor, official) -> Q:
    """Running dossiers whose open step waits for `actor`: at their agency, of one of their roles,
    given to them, to their department, or to no one in particular.

    Written as "current step among these open steps", so the database finds the few open steps
    first (index dossier_step_queue) and then their dossiers by current_step; a join let the
    planner walk the whole current_step index instead (60 ms for a ward's counter officer at
    300,000 dossiers)."""
    through = DossierStep.assignees.through
    assigned = through.objects.filter(dossierstep_id=OuterRef("pk"))
    for_anyone = Q(department__isnull=True)
    if official.department_id:
        for_anyone |= Q(department_id=official.department_id)
    steps = (DossierStep.objects.order_by()
             .filter(agency_id=official.agency_id, role__in=sorted(actor.role_codes()), finished_at__isnull=True)
             .filter(Exists(assigned.filter(user_id=actor.pk)) | (~Exists(assigned) & for_anyone)))
    if connection.vendor == "postgresql":
        # `= ANY(ARRAY(subquery))` rather than `IN (subquery)`: PostgreSQL then reads the steps
        # first and looks each dossier up, instead of a merge join along the current_step index.
        sql, params = steps.values("pk").query.sql_with_params()
        column = f"{connection.ops.quote_name(Dossier._meta.db_table)}.{connection.ops.quote_name('current_step_id')}"
        return Q(RawSQL(f"{column} = ANY(ARRAY({sql}))", params, output_field=BooleanField()),
                 status__in=RUNNING_STATUSES)
    return Q(current_step_id__in=steps.values("pk"), status__in=RUNNING_STATUSES)


def queue_parts(actor) -> dict[str, Q]:
    """The parts of the work waiting for an official (đang chờ tôi xử lý), each a filter on Dossier:
    online submissions to check (counter officers), results to hand over (those who return them),
    dossiers at a step that is theirs, and of those the ones at a leader's step (to approve).
    Empty for an API key or a citizen."""
    official = None if is_api_key(actor) else getattr(actor, "official_or_none", None)
    if official is None:
        return {}
    # An official acts in their own agency: holding the permission is enough (no agency row read).
    agency_id = official.agency_id
    parts = {}
    if can(actor, "dossier.intake"):
        parts[INTAKE] = Q(agency_id=agency_id, status=S.SUBMITTED)
    if can(actor, "dossier.return"):
        parts[TO_RETURN] = Q(agency_id=agency_id, status__in=(S.APPROVED, S.REJECTED))
    if can(actor, "dossier.process"):
        parts[AT_STEP] = _step_queue(actor, official)
        if Role.LEADER in actor.role_codes():
            parts[APPROVAL] = parts[AT_STEP] & Q(current_step__role=Role.LEADER)
    return parts


def queue_filter(actor, group: str = "") -> Q:
    """All the work waiting for `actor` (or one part of it); matches nothing when there is none."""
    parts = queue_parts(actor)
    if group:
        return parts.get(group, Q(pk__in=[]))
    chosen = [q for name, q in parts.items() if name != APPROVAL]
    if not chosen:
        return Q(pk__in=[])
    if len(chosen) > 1 and connection.vendor == "postgresql":
        # Each part's ids through its own index, then those rows: an OR of the parts made
        # PostgreSQL filter the agency's whole list (70 ms for a ward's counter officer at 300,000
        # dossiers).
        compiled = [Dossier.objects.order_by().filter(q).values("pk").query.sql_with_params() for q in chosen]
        column = f"{connection.ops.quote_name(Dossier._meta.db_table)}.{connection.ops.quote_name('id')}"
        union = " UNION ALL ".join(f"({sql})" for sql, _ in compiled)
        return Q(RawSQL(f"{column} = ANY(ARRAY({union}))", [p for _, params in compiled for p in params],
                        output_field=BooleanField()))
    return functools.reduce(operator.or_, chosen)


def due_bounds(which: str, agency=None, now: dt.datetime | None = None) -> tuple:
    """[low, high) of due_at for dossiers due today (đến hạn hôm nay), or within two days (trong 2
    ngày: today or the next working day, by the agency's calendar); neither holds the overdue."""
    now = now or timezone.now()
    today = planning.local_day(now)
    if which == DUE_TODAY:
        end = today + dt.timedelta(days=1)
    else:
        # Today and the next working day: what must be finished before the day after's work.
        end = calendar_for(agency).add_working_days(today, 1) + dt.timedelta(days=1)
    return planning.day_start(today), planning.day_start(end)


def due_range(which: str, agency=None, now: dt.datetime | None = None) -> Q:
    """`due_bounds` as a filter on running dossiers (the list's `han`)."""
    if which not in (DUE_TODAY, DUE_SOON):
        return Q()
    low, high = due_bounds(which, agency, now)
    return Q(status__in=RUNNING_STATUSES, due_at__gte=low, due_at__lt=high)


def queue_querysets(actor, now: dt.datetime | None = None, prefix: str = "") -> dict:
    """What the home page and the menu badges count for an official, as querysets (counted all
    together with the other apps' in one statement, core.menu.work_counts): each part of the
    queue and, of the dossiers at their steps, those due today, within two days and overdue.
    Each is its own subquery there, so each uses its index (agency and status; the open steps
    by agency and role) instead of one plan for an OR of them all."""
    parts = queue_parts(actor)
    if not parts:
        return {}
    now = now or timezone.now()
    # Only its id matters to the calendar (its exceptions): no need to load the agency row.
    agency = Agency(pk=actor.official_or_none.agency_id)
    counted = {prefix + name: Dossier.objects.filter(q) for name, q in parts.items()}
    if AT_STEP in parts:
        # The dossiers at the official's steps are all running: by due date, read once (Split).
        counted[prefix + AT_STEP] = Split(counted[prefix + AT_STEP], "due_at", {
            prefix + "due_today": due_bounds(DUE_TODAY, agency, now),
            prefix + "due_soon": due_bounds(DUE_SOON, agency, now),
            prefix + "overdue": (None, planning.overdue_before(now))})
    return counted


def queue_counts(actor, now: dt.datetime | None = None) -> dict[str, int]:
    """`queue_querysets` counted, plus "mine": all the dossiers waiting for the official."""
    counts = count_each(**queue_querysets(actor, now))
    if counts:
        counts["mine"] = sum(counts.get(name, 0) for name in (INTAKE, TO_RETURN, AT_STEP))
    return counts


def officer_dossiers(actor, *, status: str = "", procedure: str = "", overdue: bool = False, query: str = "",
                     mine: bool = False, incoming: bool = False, group: str = "", due: str = ""):
    """The officer's list: filters, diacritic-free search on code and applicant name, newest first
    (overdue ones: the longest overdue first).

    The default list is the dossiers received by the officer's agencies, so it is served by the
    (agency, created_at, id) index; dossiers sent here by other agencies (liên thông) and the
    officer's own queue are separate filters.
    """
    dossiers = Dossier.objects.exclude(status=S.DRAFT).select_related("procedure", "agency", "current_step")
    official = getattr(actor, "official_or_none", None)
    if (mine or group) and official is not None:
        dossiers = dossiers.filter(queue_filter(actor, group if group in GROUPS else ""))
    elif incoming:
        dossiers = dossiers.filter(current_step__agency_id__in=_agency_ids(actor), current_step__is_transfer=True)
    else:
        dossiers = dossiers.filter(agency_id__in=_agency_ids(actor))
    if status in S.values:
        dossiers = dossiers.filter(status=status)
    if procedure:
        dossiers = dossiers.filter(procedure__code=procedure)
    ordering = ("-created_at", "-id")
    if due in (DUE_TODAY, DUE_SOON):
        dossiers = dossiers.filter(due_range(due, official.agency if official else None))
        ordering = ("due_at", "id")
    if overdue:
        # Most overdue first, as the officer works them off; the partial index of running dossiers
        # by due date (dossier_running_due) serves it for one ward or a whole province.
        dossiers = dossiers.filter(overdue_filter())
        ordering = ("due_at", "id")
    if FULL_CODE.match((query or "").strip()):
        # A whole code (as read from a receipt) hits the unique index instead of scanning names.
        return dossiers.filter(code=query.strip().upper()).order_by(*ordering)
    for term in search_terms(query):
        dossiers = dossiers.filter(search_folded__contains=term)
    return dossiers.order_by(*ordering)


def get_staff_dossier(actor, pk) -> Dossier:
    dossier = staff_dossiers(actor).select_related("procedure", "agency", "current_step",
                                                   "current_step__agency").filter(pk=pk).first()
    if dossier is None or (not can(actor, "dossier.view") and not is_api_key(actor)):
        raise NotFound("Không tìm thấy hồ sơ.")
    return dossier


def citizen_dossiers(user):
    return (Dossier.objects.filter(applicant=user).select_related("procedure", "agency")
            .order_by("-created_at", "-id"))


def get_citizen_dossier(user, pk) -> Dossier:
    dossier = citizen_dossiers(user).select_related("current_step").filter(pk=pk).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    return dossier


def get_dossier_for(actor, code: str) -> Dossier:
    """By code (or reference for dossiers not yet received): the owner's, or one the staff/key may see."""
    lookup = Q(code=code)
    if len(code) == 36 and code.count("-") == 4:
        lookup |= Q(ref=code)
    base = Dossier.objects.select_related("procedure", "agency", "current_step", "current_step__agency")
    if is_api_key(actor) or getattr(actor, "official_or_none", None):
        if not can(actor, "dossier.view"):
            raise NotFound("Không tìm thấy hồ sơ.")
        ids = _agency_ids(actor)
        dossier = base.filter(lookup).filter(Q(agency_id__in=ids) | Q(current_step__agency_id__in=ids)).first()
    else:
        dossier = base.filter(lookup, applicant=actor).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    return dossier


# -- public tracking (tra cứu): no personal data, few queries ---------------------------------
@dataclass
class TrackedStep:
    name: str
    agency: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    action: str


@dataclass
class Tracking:
    code: str
    status: str
    status_label: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    agency_name: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    returned_at: dt.datetime | None
    outcome: str | None
    outcome_label: str
    overdue: bool
    steps: list[TrackedStep]
    # Not shown to the public: whose dossier it is, to file an SMS query under its agency.
    dossier_id: int | None = None
    agency_id: int | None = None
    submitted_at: dt.datetime | None = None  # filed online: the code is given then, before intake


def _track_sql() -> tuple[str, str]:
    dossier, step = Dossier._meta.db_table, DossierStep._meta.db_table
    procedure = Dossier._meta.get_field("procedure").related_model._meta.db_table
    agency = Dossier._meta.get_field("agency").related_model._meta.db_table
    return (
        f"SELECT d.id, d.code, d.status, d.received_at, d.due_at, d.resolved_at, d.returned_at, d.outcome, "
        f"p.code, p.name, a.code, a.name, d.agency_id, d.submitted_at FROM {dossier} d JOIN {procedure} p ON p.id = d.procedure_id "
        f"JOIN {agency} a ON a.id = d.agency_id WHERE d.code = %s",
        f"SELECT s.name, a.name, s.started_at, s.due_at, s.finished_at, s.action FROM {step} s "
        f"JOIN {agency} a ON a.id = s.agency_id WHERE s.dossier_id = %s ORDER BY s.seq",
    )


def _instant(value) -> dt.datetime | None:
    # Raw cursors give SQLite timestamps as naive UTC text and PostgreSQL ones as aware datetimes.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


_ACTION_LABELS = {value: str(label) for value, label in DossierStep.Action.choices}


def track(code: str) -> Tracking | None:
    """Public status of a dossier by its code: two indexed queries, only non-personal columns.

    The busiest public path (web, API, SMS), so it runs two fixed SQL statements: building the
    equivalent ORM queries cost ten times the database work (see docs/benchmarks.md).
    """
    code = (code or "").strip().upper()
    if not code or len(code) > 60:
        return None
    dossier_sql, steps_sql = _track_sql()
    with fixedsql.cursor() as cursor:
        cursor.execute(dossier_sql, [code])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(steps_sql, [row[0]])
        steps = [TrackedStep(name, agency, _instant(started), _instant(due), _instant(finished),
                             _ACTION_LABELS.get(action, "") if action else "")
                 for name, agency, started, due, finished, action in cursor.fetchall()]
    (pk, code, status, received, due, resolved, returned, outcome, p_code, p_name, a_code, a_name, agency_id,
     submitted) = row
    due = _instant(due)
    return Tracking(
        code=code, status=status, status_label=S(status).label, procedure_code=p_code, procedure_name=p_name,
        agency_code=a_code, agency_name=a_name, received_at=_instant(received), due_at=due,
        resolved_at=_instant(resolved), returned_at=_instant(returned), outcome=outcome,
        outcome_label=Dossier.Outcome(outcome).label if outcome else "",
        overdue=is_overdue(status, due),
        steps=steps, dossier_id=pk, agency_id=agency_id, submitted_at=_instant(submitted))


def handling_agencies(procedure):
    """The active agencies that receive `procedure` (cơ quan thực hiện): those that adopted it, or
    every active agency while none has (a procedure not yet assigned). The rule `handles` checks."""
    linked = Agency.objects.filter(is_active=True, procedure_links__procedure=procedure,
                                   procedure_links__is_active=True)
    return linked if linked.exists() else Agency.objects.filter(is_active=True)


def procedures_received_by(agency):
    """The active procedures `agency` receives, by the same rule: adopted by it, or by no agency."""
    from egov.procedures.models import AgencyProcedure, Procedure

    links = AgencyProcedure.objects.filter(is_active=True)
    return (Procedure.objects.filter(is_active=True)
            .filter(Q(pk__in=links.filter(agency=agency).values("procedure_id"))
                    | ~Q(pk__in=links.values("procedure_id"))))


# Whether the agency handles the procedure, as a column of submission_target's one statement.
_HANDLES_SQL = ("CASE WHEN EXISTS (SELECT 1 FROM {links} l WHERE l.{procedure} = p.{id} AND l.{agency} = a.{id} "
                "AND l.{active} = %s) THEN 1 WHEN EXISTS (SELECT 1 FROM {links} l WHERE l.{procedure} = p.{id} "
                "AND l.{active} = %s) THEN 0 ELSE 1 END")


def handles(agency, procedure) -> bool:
    """Whether `agency` receives `procedure` (see `handling_agencies`). `submission_target` has
    already answered for the pair it returns, so an online submission asks the database once."""
    known = getattr(agency, "_handles", None)
    if known is not None and known[0] == procedure.pk:
        return known[1]
    from egov.procedures.models import AgencyProcedure

    links = AgencyProcedure.objects.filter(procedure=procedure, is_active=True)
    return links.filter(agency=agency).exists() or not links.exists()


def submission_target(procedure_code: str, agency_code: str):
    """(active procedure, active agency, the procedure's papers in order) for an online
    submission, or None.

    Every submission asks, so one fixed SQL statement (egov.core.fixedsql) stands for the ORM's
    four (procedure, agency, whether the agency handles it, papers), which cost more to build than
    to run: a row per paper, each with the procedure and agency (one row without papers when it has
    none). Whether the agency handles the procedure is remembered on the agency for `handles`: the
    service refuses it, for the API, the web form and the counter alike."""
    from egov.procedures.models import AgencyProcedure, Procedure, RequiredPaper

    procedure_cols, agency_cols = fixedsql.columns(Procedure, "p"), fixedsql.columns(Agency, "a")
    paper_cols = fixedsql.columns(RequiredPaper, "r")
    quote = connection.ops.quote_name
    code, active = quote("code"), quote("is_active")
    handles_sql = _HANDLES_SQL.format(links=fixedsql.table(AgencyProcedure), procedure=quote("procedure_id"),
                                      agency=quote("agency_id"), id=quote("id"), active=active)
    with fixedsql.cursor() as cursor:
        # The model's ordering (procedure_id, order, id), as procedure.papers.all() sorts them.
        cursor.execute(f"SELECT {procedure_cols.sql}, {agency_cols.sql}, {handles_sql}, {paper_cols.sql} "
                       f"FROM {fixedsql.table(Procedure)} p CROSS JOIN {fixedsql.table(Agency)} a "
                       f"LEFT JOIN {fixedsql.table(RequiredPaper)} r ON r.{quote('procedure_id')} = p.{quote('id')} "
                       f"WHERE p.{code} = %s AND p.{active} = %s AND a.{code} = %s AND a.{active} = %s "
                       f"ORDER BY r.{quote('order')}, r.{quote('id')}",
                       [True, True, procedure_code, True, agency_code, True])
        rows = cursor.fetchall()
    if not rows:
        return None
    procedure = procedure_cols.build(rows[0])
    agency = agency_cols.build(rows[0], len(procedure_cols))
    start = len(procedure_cols) + len(agency_cols)
    agency._handles = (procedure.pk, bool(rows[0][start]))
    start += 1
    papers = [paper_cols.build(row, start) for row in rows if row[start] is not None]
    for paper in papers:
        paper.procedure = procedure
    return procedure, agency, papers


# -- statistics -------------------------------------------------------------------------------
def _in_subtree(queryset, agency, include_children: bool):
    """Rows of `agency` (and, with include_children, of the agencies below it)."""
    if agency is None:
        return queryset
    if not include_children:
        return queryset.filter(agency_id=agency.pk)
    if connection.vendor == "postgresql":
        # `= ANY(ARRAY(subquery))` rather than `IN (subquery)`: PostgreSQL then plans an index scan
        # on the agency column instead of a nested loop of bitmap heap scans per agency.
        table, agencies = queryset.model._meta.db_table, Agency._meta.db_table
        return queryset.extra(where=[f"{table}.agency_id = ANY(ARRAY(SELECT id FROM {agencies} WHERE path LIKE %s))"],
                              params=[agency.path + "%"])
    return queryset.filter(agency_id__in=agency.descendants().values("pk"))


def _total(value) -> int:
    return value or 0


def dossier_stats(*, agency=None, procedure=None, date_from: dt.date | None = None, date_to: dt.date | None = None,
                  include_children: bool = True, now: dt.datetime | None = None) -> dict:
    """Dossiers received in [date_from, date_to] (local days) and where each stands now.

    Every received dossier falls in exactly one bucket, so the buckets sum to `received`;
    `online` + `counter` also sum to it. Read from the tallies the services keep per agency, day
    and procedure (`DossierTally`, a few hundred rows per agency-year), plus a live count of the
    running dossiers already past their due date (which turn overdue with time, not with a write).

    `carried_over` (kỳ trước chuyển qua), with `date_from` only: dossiers received before that day
    and not finished when it began. Not a bucket: it is the backlog the period started with. It is
    the dossiers received before and open now, plus those received before that finished since:
    every dossier finished on or after `date_from` minus those of them received on or after it.
    """
    now = now or timezone.now()
    tallies = _in_subtree(DossierTally.objects.order_by(), agency, include_children)
    if procedure is not None:
        tallies = tallies.filter(procedure_id=procedure.pk)
    period = Q()
    if date_from:
        tallies = tallies.filter(day__gte=date_from)  # finished since date_from counts past date_to too
    if date_to:
        period &= Q(day__lte=date_to)
        if not date_from:
            tallies = tallies.filter(day__lte=date_to)
    in_period = {"filter": period} if period else {}
    # Aggregates named apart from the columns: Django refuses an aggregate that shares a column's name
    # when another aggregate refers to that column.
    sums = {f"sum_{column}": Sum(column, **in_period)
            for column in ("received_online", "received_counter", *BUCKET_COLUMNS, "returned")}
    if date_from:
        sums["finished_since"] = Sum("finished")
        sums["received_since_finished"] = Sum(sum_of(FINISHED_COLUMNS))
    totals = {name: _total(value) for name, value in tallies.aggregate(**sums).items()}
    figures = {"online": totals["sum_received_online"], "counter": totals["sum_received_counter"],
               "returned": totals["sum_returned"]}
    figures |= {b.name: totals[f"sum_{b.column}"] for b in BUCKETS if b.overdue is None}

    # Running dossiers turn overdue with time, not with a write: counted live.
    running = totals["sum_running"]
    overdue_now = _in_subtree(Dossier.objects.filter(overdue_filter(now)), agency, include_children)
    if procedure is not None:
        overdue_now = overdue_now.filter(procedure_id=procedure.pk)
    received = Q()
    if date_from:
        received &= Q(received_at__gte=day_start(date_from))
    if date_to:
        received &= Q(received_at__lt=day_start(date_to + dt.timedelta(days=1)))
    # The period is tested on each running dossier past due (few), not in WHERE: as a WHERE range
    # SQLite walks the (agency, received_at) index across the whole period instead (0.2 s over
    # 200,000 dossiers, against a few ms through (agency, status, due_at)).
    counted = Count("pk", filter=received) if received else Count("pk")
    late = overdue_now.aggregate(n=counted)["n"] if running else 0
    figures |= {b.name: late if b.overdue else running - late for b in BUCKETS if b.overdue is not None}

    figures["carried_over"] = None
    if date_from:
        before = _in_subtree(DossierTally.objects.order_by(), agency, include_children).filter(day__lt=date_from)
        if procedure is not None:
            before = before.filter(procedure_id=procedure.pk)
        # Only rows with open dossiers (the partial index dossier_tally_open), few however long the history.
        open_before = before.filter(Q(running__gt=0) | Q(waiting__gt=0)).aggregate(n=Sum(F("running") + F("waiting")))
        figures["carried_over"] = (_total(open_before["n"]) + totals["finished_since"]
                                   - totals["received_since_finished"])

    figures["received"] = figures["online"] + figures["counter"]
    resolved = sum(figures[b.name] for b in BUCKETS if b.outcome)
    figures["resolved"] = resolved
    figures["in_progress"] = running
    figures["on_time_rate"] = (round((figures["resolved_early"] + figures["resolved_on_time"]) / resolved, 4)
                               if resolved else None)
    return figures


__all__ = ["OPEN_STATUSES"]
