"""Working-day calendar (lịch làm việc): deadlines are legal obligations, counted in working days.

A day is a working day unless it is a weekend or a public holiday (Tết follows the lunar
calendar, via `holidays`), except official make-up working Saturdays (làm bù). Administrators add
exceptions per year (an extra day off, an extra working day), nationally or for one agency; an
agency's own exception wins over a national one. Everything is computed from stored data, so the
deadline of any past dossier can be recomputed exactly.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import lru_cache, wraps

import holidays
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from egov.core.errors import ValidationError

MAX_WORKING_DAYS = 3650


class CalendarRangeError(ValidationError):
    """A date the calendar cannot count from or to (past year 9999, before year 1)."""

    code = "date_range"


def _within_calendar(method):
    # Python's dates end at year 9999: arithmetic past them raises OverflowError, which would be
    # a server error; callers get a domain error with a message instead.
    @wraps(method)
    def counted(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except OverflowError:
            raise CalendarRangeError("Ngày nằm ngoài phạm vi của lịch làm việc.") from None

    return counted


@lru_cache(maxsize=64)
def _national_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(public holidays, make-up working days) for one year, from the `holidays` package."""
    vn = holidays.country_holidays("VN", years=[year])
    days_off = frozenset(vn.keys())
    makeup = frozenset(d for d in getattr(vn, "weekend_workdays", ()) if d.year == year)
    return days_off, makeup


@lru_cache(maxsize=8)
def _office_hours(spec: str) -> tuple[tuple[dt.time, dt.time], ...]:
    periods = []
    for part in spec.split(","):
        start, end = part.strip().split("-")
        periods.append((dt.time.fromisoformat(start), dt.time.fromisoformat(end)))
    return tuple(sorted(periods))


# Exceptions are announced weeks ahead and read on every deadline computation, so each process
# keeps them briefly; a change reaches other server processes within EXCEPTIONS_TTL seconds and
# this process at once (signals in core.apps clear the memo).
EXCEPTIONS_TTL = 30.0
_exception_memo: dict[tuple[int | None, int], tuple[float, dict[dt.date, bool]]] = {}


def _exceptions_for(agency_id: int | None, year: int) -> dict[dt.date, bool]:
    """{date: is working day} for one year: national exceptions, overridden by the agency's own."""
    key = (agency_id, year)
    now = time.monotonic()
    cached = _exception_memo.get(key)
    if cached is not None and now - cached[0] < EXCEPTIONS_TTL:
        return cached[1]
    from egov.core.models import CalendarException

    rows = CalendarException.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    rows = rows.filter(Q(agency__isnull=True) | Q(agency_id=agency_id)) if agency_id else rows.filter(agency__isnull=True)
    found: dict[dt.date, bool] = {}
    # National rows first so that the agency's own exception for the same day wins.
    for day, kind, _agency in sorted(rows.values_list("date", "kind", "agency_id"), key=lambda r: r[2] is not None):
        found[day] = kind == CalendarException.Kind.WORKING_DAY
    _exception_memo[key] = (now, found)
    return found


def forget_exceptions() -> None:
    _exception_memo.clear()


def public_holiday_name(day: dt.date) -> str | None:
    return holidays.country_holidays("VN", years=[day.year], language="vi").get(day)


class WorkingCalendar:
    """The working days and office hours of one agency (or the national calendar)."""

    def __init__(self, agency=None, *, office_hours: str | None = None):
        self.agency = agency
        self.periods = _office_hours(office_hours or settings.OFFICE_HOURS)
        self._exceptions: dict[int, dict[dt.date, bool]] = {}

    # -- days -----------------------------------------------------------------------------
    def _year_exceptions(self, year: int) -> dict[dt.date, bool]:
        if year not in self._exceptions:
            agency_id = getattr(self.agency, "pk", None)
            self._exceptions[year] = _exceptions_for(agency_id, year)
        return self._exceptions[year]

    def is_working_day(self, day: dt.date) -> bool:
        override = self._year_exceptions(day.year).get(day)
        if override is not None:
            return override
        days_off, makeup = _national_year(day.year)
        if day in makeup:
            return True
        return day.weekday() < 5 and day not in days_off

    @_within_calendar
    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `start` (start itself does not count)."""
        if count < 0 or count > MAX_WORKING_DAYS:
            raise ValueError(f"working days must be between 0 and {MAX_WORKING_DAYS}")
        day = start
        while count > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    @_within_calendar
    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    @_within_calendar
    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1 for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + dt.timedelta(days=offset))
        )

    # -- instants ---------------------------------------------------------------------------
    def _local(self, instant: dt.datetime) -> dt.datetime:
        if timezone.is_naive(instant):
            return timezone.make_aware(instant)
        return timezone.localtime(instant)

    @_within_calendar
    def start_of_work(self, instant: dt.datetime) -> dt.datetime:
        """The first office instant at or after `instant` (filing on a Sunday counts from Monday)."""
        local = self._local(instant)
        day = local.date()
        while True:
            if self.is_working_day(day):
                for start, end in self.periods:
                    begin = timezone.make_aware(dt.datetime.combine(day, start))
                    finish = timezone.make_aware(dt.datetime.combine(day, end))
                    if local < begin:
                        return begin
                    if local < finish:
                        return local
            day += dt.timedelta(days=1)
            local = timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    @_within_calendar
    def add_working_time(self, instant: dt.datetime, *, days: int = 0, hours: float = 0) -> dt.datetime:
        """The deadline `days` working days (same clock time) plus `hours` office hours later."""
        start = self.start_of_work(instant)
        due = start
        if days:
            day = self.add_working_days(start.date(), days)
            due = timezone.make_aware(dt.datetime.combine(day, start.timetz().replace(tzinfo=None)))
        if hours:
            due = self.add_office_time(due, dt.timedelta(hours=hours))
        return due

    @_within_calendar
    def office_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Office time (working days, office hours) elapsed between two instants."""
        start, end = self._local(start), self._local(end)
        if end <= start:
            return dt.timedelta(0)
        total = dt.timedelta(0)
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                for open_, close in self.periods:
                    begin = max(start, timezone.make_aware(dt.datetime.combine(day, open_)))
                    finish = min(end, timezone.make_aware(dt.datetime.combine(day, close)))
                    if finish > begin:
                        total += finish - begin
            day += dt.timedelta(days=1)
        return total

    @_within_calendar
    def add_office_time(self, instant: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The instant after `amount` of office time has passed from `instant`."""
        current = self.start_of_work(instant)
        remaining = amount
        while remaining > dt.timedelta(0):
            day = current.date()
            for open_, close in self.periods:
                begin = timezone.make_aware(dt.datetime.combine(day, open_))
                finish = timezone.make_aware(dt.datetime.combine(day, close))
                if current >= finish:
                    continue
                current = max(current, begin)
                available = finish - current
                if remaining <= available:
                    return current + remaining
                remaining -= available
                current = finish
            current = self.start_of_work(
                timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
            )
        return current


def calendar_for(agency=None) -> WorkingCalendar:
    """The calendar of `agency`, or the national one when no agency is given."""
    return WorkingCalendar(agency)
