"""The Chinese working calendar: the office's overrides first, then `holidays`' China calendar.

`holidays.China` knows the statutory holidays (2027 included) and the announced 调休 days; the
State Council announces next year's make-up workdays late in the year, so the office records
them (and any local change) as WorkingDayOverride rows. A year the library cannot answer for never
crashes a job: that year falls back to Monday–Friday.
"""

from __future__ import annotations

import datetime
import logging
from functools import lru_cache

import holidays

from .models import WorkingDayOverride

logger = logging.getLogger(__name__)

MAX_SEARCH_DAYS = 31


@lru_cache(maxsize=32)
def _statutory_calendar(year: int):
    try:
        return holidays.China(years=year)
    except Exception:  # an unsupported year or a broken install: never crash a job
        logger.warning("no Chinese holiday calendar for %s; using Monday–Friday", year, exc_info=True)
        return None


def _statutory_working_day(day: datetime.date) -> bool:
    calendar = _statutory_calendar(day.year)
    if calendar is None:
        return day.weekday() < 5
    try:
        return bool(calendar.is_working_day(day))
    except Exception:
        logger.warning("holiday calendar failed for %s; using Monday–Friday", day, exc_info=True)
        return day.weekday() < 5


class WorkingCalendar:
    """Working-day questions for a range of dates, with the overrides loaded in one query."""

    def __init__(self, overrides: dict[datetime.date, bool] | None = None) -> None:
        if overrides is None:
            overrides = dict(WorkingDayOverride.objects.values_list("date", "is_working_day"))
        self.overrides = overrides

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _statutory_working_day(day)

    def previous_working_day(self, day: datetime.date) -> datetime.date:
        """The last working day strictly before `day` (at most a month back)."""
        candidate = day - datetime.timedelta(days=1)
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate -= datetime.timedelta(days=1)
        return day - datetime.timedelta(days=1)

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """`day` itself if it is a working day, else the next one (at most a month ahead)."""
        candidate = day
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate += datetime.timedelta(days=1)
        return day
