import datetime as dt

import pytest
from django.utils import timezone

from egov.core.calendar import WorkingCalendar, calendar_for
from egov.core.models import CalendarException

D = dt.date


def aware(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


@pytest.fixture
def cal(db):
    return calendar_for()


def test_weekends_and_public_holidays_are_not_working_days(cal):
    assert cal.is_working_day(D(2026, 11, 25))            # Wednesday
    assert not cal.is_working_day(D(2026, 11, 28))        # Saturday
    assert not cal.is_working_day(D(2026, 9, 2))          # National Day
    assert not cal.is_working_day(D(2026, 4, 27))         # Hùng Kings day off in lieu


def test_lunar_new_year_follows_the_lunar_calendar(cal):
    # Tết Bính Ngọ 2026 falls in mid-February, Tết Đinh Mùi 2027 in early February.
    assert not any(cal.is_working_day(D(2026, 2, d)) for d in range(16, 21))
    assert cal.is_working_day(D(2026, 2, 23))
    assert not cal.is_working_day(D(2027, 2, 8))
    assert cal.add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)


def test_official_make_up_saturday_is_a_working_day(cal):
    # 22/08/2026 (Saturday) is worked to take Monday 31/08 off before National Day.
    assert cal.is_working_day(D(2026, 8, 22))
    assert not cal.is_working_day(D(2026, 8, 31))
    assert cal.add_working_days(D(2026, 8, 21), 1) == D(2026, 8, 22)


def test_admin_exceptions_add_days_off_and_working_days(cal):
    CalendarException.objects.create(date=D(2026, 12, 31), kind=CalendarException.Kind.DAY_OFF, note="Nghỉ thêm")
    CalendarException.objects.create(date=D(2026, 12, 26), kind=CalendarException.Kind.WORKING_DAY)
    fresh = calendar_for()
    assert not fresh.is_working_day(D(2026, 12, 31))
    assert fresh.is_working_day(D(2026, 12, 26))


def test_an_agencys_own_exception_applies_only_to_it(agency, other_agency):
    CalendarException.objects.create(date=D(2026, 12, 2), kind=CalendarException.Kind.DAY_OFF, agency=agency)
    assert not calendar_for(agency).is_working_day(D(2026, 12, 2))
    assert calendar_for(other_agency).is_working_day(D(2026, 12, 2))
    assert calendar_for().is_working_day(D(2026, 12, 2))


def test_counting_crosses_the_year_boundary(cal):
    # 31/12/2026 Thu; 01/01/2027 New Year; 02-03 weekend.
    assert cal.add_working_days(D(2026, 12, 30), 2) == D(2027, 1, 4)
    assert cal.working_days_between(D(2026, 12, 30), D(2027, 1, 4)) == 2


def test_start_day_does_not_count_and_zero_days_is_the_start(cal):
    assert cal.add_working_days(D(2026, 11, 16), 1) == D(2026, 11, 17)
    assert cal.add_working_days(D(2026, 11, 23), 0) == D(2026, 11, 23)


def test_filing_on_a_sunday_counts_from_monday_morning(cal):
    due = cal.add_working_time(aware("2026-11-29 20:00"), days=2)
    assert due == aware("2026-12-02 07:30")


def test_deadline_in_working_hours_skips_lunch_and_nights(cal):
    # 4 office hours from Wed 10:30: 1h to 11:30, 3.5h afternoon leaves 0 ... ends Thu 07:30 + 0
    assert cal.add_working_time(aware("2026-11-25 10:30"), hours=4) == aware("2026-11-25 16:30")
    assert cal.add_working_time(aware("2026-11-25 16:00"), hours=2) == aware("2026-11-26 08:30")


def test_paused_time_is_measured_in_office_time(cal):
    pause = cal.office_time_between(aware("2026-03-03 09:00"), aware("2026-03-06 09:00"))
    assert pause == dt.timedelta(hours=22, minutes=30)      # three working days of 7.5 h
    assert cal.add_office_time(aware("2026-03-09 09:00"), pause) == aware("2026-03-12 09:00")


def test_negative_or_absurd_counts_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 1, 1), -1)
    with pytest.raises(ValueError):
        WorkingCalendar().add_working_days(D(2026, 1, 1), 100000)


def test_a_new_exception_applies_at_once_in_this_process(cal):
    assert cal.is_working_day(D(2026, 12, 30))
    CalendarException.objects.create(date=D(2026, 12, 30), kind=CalendarException.Kind.DAY_OFF)
    assert not calendar_for().is_working_day(D(2026, 12, 30))
