"""Staff pages of the platform itself: the audit log and the working calendar."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render
from django.utils import timezone

from egov.core.calendar import calendar_for, public_holiday_name
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
    cal = calendar_for(request.user.official.agency)
    day, days_off, makeup = dt.date(year, 1, 1), [], []
    while day.year == year:
        working = cal.is_working_day(day)
        if not working and day.weekday() < 5:
            days_off.append((day, public_holiday_name(day) or "Nghỉ theo thông báo"))
        elif working and day.weekday() >= 5:
            makeup.append(day)
        day += dt.timedelta(days=1)
    return render(request, "org/calendar.html", {"year": year, "days_off": days_off, "makeup": makeup,
                                                  "can_manage": can(request.user, "calendar.manage")})
