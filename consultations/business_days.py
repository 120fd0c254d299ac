"""Business days in Mexico: weekends and the federal holidays (Ley Federal del Trabajo, art. 74, as
the `holidays` package lists them for country MX, with the Monday-observed ones on their Monday).

A consultation window of N business days opened on day D closes at the end of the Nth business day
after D (the opening day itself does not count, as legal terms run from the day after notice)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

DEFAULT_BUSINESS_DAYS = 20
MAX_BUSINESS_DAYS = 120


@lru_cache(maxsize=32)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("MX", years=[year]).keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The `days`-th business day after `start` (start itself not counted)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day):
            counted += 1
    return day


def holidays_between(start: date, end: date) -> list[tuple[date, str]]:
    """The federal holidays on weekdays inside (start, end]: what a window skipped, to show it."""
    found = []
    for year in range(start.year, end.year + 1):
        for day, name in holidays.country_holidays("MX", years=[year], language="es").items():
            if start < day <= end and day.weekday() < 5:
                found.append((day, name))
    return sorted(found)


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in the site's time zone (America/Mexico_City)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)) - timedelta(
        microseconds=1
    )


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
