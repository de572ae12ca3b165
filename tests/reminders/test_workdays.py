"""The working calendar: overrides first, then holidays.China, and never a crash for an unknown year."""

import datetime

import holidays
import pytest

from reminders import workdays
from reminders.models import WorkingDayOverride
from reminders.workdays import WorkingCalendar

D = datetime.date


@pytest.mark.django_db
def test_new_years_day_2027_is_a_holiday_and_the_next_working_day_is_monday_4_january():
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(D(2027, 1, 1))
    assert calendar.next_working_day(D(2027, 1, 1)) == D(2027, 1, 4)
    assert calendar.previous_working_day(D(2027, 1, 4)) == D(2026, 12, 31)


@pytest.mark.django_db
def test_the_spring_festival_2027_is_not_worked_and_2026s_make_up_saturday_is():
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(D(2027, 2, 8))
    assert calendar.is_working_day(D(2026, 10, 10))  # a Saturday worked for National Day 2026


@pytest.mark.django_db
def test_an_override_wins_over_the_statutory_calendar():
    WorkingDayOverride.objects.create(date=D(2027, 2, 20), is_working_day=True, note="春节调休上班")
    WorkingDayOverride.objects.create(date=D(2027, 1, 4), is_working_day=False, note="测试")
    calendar = WorkingCalendar()
    assert calendar.is_working_day(D(2027, 2, 20))
    assert not calendar.is_working_day(D(2027, 1, 4))


def test_a_year_the_library_cannot_answer_for_falls_back_to_monday_to_friday(monkeypatch):
    def broken(*args, **kwargs):
        raise NotImplementedError("year not supported")

    workdays._statutory_calendar.cache_clear()
    monkeypatch.setattr(holidays, "China", broken)
    try:
        calendar = WorkingCalendar(overrides={})
        assert calendar.is_working_day(D(2031, 1, 6))  # a Monday
        assert not calendar.is_working_day(D(2031, 1, 5))  # a Sunday
    finally:
        workdays._statutory_calendar.cache_clear()
