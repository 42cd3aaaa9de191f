"""Staff pages of the platform itself: the audit log and the working calendar."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.shortcuts import render
from django.utils import timezone

from egov.core.calendar import calendar_for, public_holiday_name
from egov.core.models import CalendarException
from egov.core.views import paginate
from egov.org.access import staff_required
from egov.org.permissions import can
from egov.org.selectors import audit_entries_for


@staff_required("audit.view")
def audit_log(request):
    entries = audit_entries_for(request.user, query=request.GET.get("q", "").strip(),
                                action=request.GET.get("action", "").strip())
    return render(request, "org/audit_log.html", {"page": paginate(request, entries), "q": request.GET.get("q", "")})


@staff_required()
def working_calendar(request):
    try:
        year = int(request.GET.get("nam") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    agency = request.user.official.agency
    cal = calendar_for(agency)
    # The agency's own note wins over the national one, as its exception does.
    notes = dict(CalendarException.objects.filter(date__year=year).filter(Q(agency__isnull=True) | Q(agency=agency))
                 .order_by(F("agency").asc(nulls_first=True)).values_list("date", "note"))
    day, days_off, makeup = dt.date(year, 1, 1), [], []
    while day.year == year:
        working = cal.is_working_day(day)
        if not working and day.weekday() < 5:
            days_off.append((day, public_holiday_name(day) or notes.get(day) or "Nghỉ theo thông báo"))
        elif working and day.weekday() >= 5:
            makeup.append(day)
        day += dt.timedelta(days=1)
    return render(request, "org/calendar.html", {"year": year, "days_off": days_off, "makeup": makeup,
                                                  "can_manage": can(request.user, "calendar.manage")})
