"""Deadlines and the step plan of a dossier: which steps, which roles, how long each may take."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

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


def outcome_for(resolved_at: dt.datetime, due_at: dt.datetime) -> str:
    """Early before the due day, on time on it, late after it (the due date already excludes pauses)."""
    from django.utils import timezone

    resolved_day, due_day = timezone.localtime(resolved_at).date(), timezone.localtime(due_at).date()
    if resolved_day < due_day:
        return "early"
    if resolved_day == due_day:
        return "on_time"
    return "late"
