"""Deadlines and the step plan of a dossier: which steps, which roles, how long each may take."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from egov.core.calendar import WorkingCalendar, calendar_for
from egov.org.roles import Role


@dataclass(frozen=True)
class PlannedStep:
    order: int
    name: str
    role: str
    department_name: str
    share: Decimal


# Used only when the procedure has no process at all (the catalogue should always give one).
FALLBACK_STEPS = [
    ("Thẩm định hồ sơ", Role.SPECIALIST, Decimal("0.6")),
    ("Phê duyệt kết quả", Role.LEADER, Decimal("0.4")),
]


def plan_for(procedure, agency) -> list[PlannedStep]:
    """The agency's own process for the procedure, else the default one, else a two-step fallback."""
    from egov.procedures.models import Process

    processes = {p.agency_id: p for p in Process.objects.filter(procedure=procedure)
                 .filter(Q(agency=agency) | Q(agency__isnull=True))}
    process = processes.get(agency.pk) or processes.get(None)
    if process is not None:
        steps = [PlannedStep(s.order, s.name, s.role, s.department_name, s.share)
                 for s in process.steps.order_by("order")]
        if steps:
            return steps
    total = Decimal(procedure.resolution_time)
    return [PlannedStep(i, name, role, "", (total * part).quantize(Decimal("0.01")))
            for i, (name, role, part) in enumerate(FALLBACK_STEPS, start=1)]


def decision_order(plan: list[PlannedStep]) -> int:
    """The step where the result is decided: the last leader step, else the last step.

    Steps after it (typically "Trả kết quả" at the counter) are the return of the result.
    """
    leaders = [p.order for p in plan if p.role == Role.LEADER]
    return max(leaders) if leaders else max(p.order for p in plan)


def office_day(cal: WorkingCalendar) -> dt.timedelta:
    """Length of one working day's office hours (7.5 h with the default 07:30-11:30, 13:30-17:00)."""
    total = dt.timedelta(0)
    for start, end in cal.periods:
        total += dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)
    return total


def add_time(cal: WorkingCalendar, start: dt.datetime, amount, unit: str) -> dt.datetime:
    """`start` plus `amount` working days (fractions as office hours) or office hours."""
    amount = Decimal(amount)
    if unit == "hours":
        return cal.add_working_time(start, hours=float(amount))
    whole = int(amount)
    due = cal.add_working_time(start, days=whole)
    fraction = amount - whole
    if fraction:
        due = cal.add_office_time(due, office_day(cal) * float(fraction))
    return due


def resolution_due(procedure, agency, received_at: dt.datetime) -> dt.datetime:
    return add_time(calendar_for(agency), received_at, procedure.resolution_time, procedure.time_unit)


def step_due(dossier, plan: list[PlannedStep], order: int) -> dt.datetime:
    """Planned due time of step `order`: cumulative shares from reception, shifted by supplement pauses."""
    cal = calendar_for(dossier.agency)
    cumulative = sum((s.share for s in plan if s.order <= order), Decimal(0))
    due = add_time(cal, dossier.received_at, cumulative, dossier.procedure.time_unit)
    if dossier.paused_office_time:
        due = cal.add_office_time(due, dossier.paused_office_time)
    return min(due, dossier.due_at) if dossier.due_at else due


# -- lateness (quá hạn) ------------------------------------------------------------------------
# A deadline is a day, not an instant: a dossier resolved before its due day is early (trước hạn),
# on it on time (đúng hạn), after it late (quá hạn), and a dossier still running turns overdue only
# when its due day has passed. Days are the agencies' (EGOV_TIME_ZONE), whatever a request
# activated. Every judgement of lateness (outcome, overdue flag, overdue lists and counts, apology
# letters, step badges) goes through these functions.
def local_day(instant: dt.datetime) -> dt.date:
    """The agencies' calendar day of `instant`."""
    return timezone.localtime(instant, timezone.get_default_timezone()).date()


def day_start(day: dt.date) -> dt.datetime:
    """The instant the agencies' `day` begins."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def overdue_before(now: dt.datetime) -> dt.datetime:
    """Whatever is due before this instant is late at `now`: the start of `now`'s day.

    The form for queries: `due_at < overdue_before(now)` is a range on due_at, which the indexes
    on due_at serve, and it is `is_late(due_at, now)` row by row."""
    return day_start(local_day(now))


def is_late(due_at: dt.datetime, at: dt.datetime) -> bool:
    """Whether something due at `due_at` is late at `at`: resolved then, it would be late."""
    return outcome_for(at, due_at) == "late"


def outcome_on(resolved_day: dt.date, due_day: dt.date) -> str:
    """Early before the due day, on time on it, late after it."""
    if resolved_day < due_day:
        return "early"
    if resolved_day == due_day:
        return "on_time"
    return "late"


def outcome_for(resolved_at: dt.datetime, due_at: dt.datetime) -> str:
    """The outcome of a dossier resolved at `resolved_at` (the due date already excludes pauses)."""
    return outcome_on(local_day(resolved_at), local_day(due_at))
