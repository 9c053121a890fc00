"""Reporting periods. A scheduled report covers a calendar month; a report
asked for on demand covers the current month so far."""

import calendar
from datetime import date, timedelta

from core.charts import MONTHS


def month_containing(day: date) -> tuple[date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def previous_month(today: date) -> tuple[date, date]:
    """The calendar month before the one ``today`` is in."""
    return month_containing(today.replace(day=1) - timedelta(days=1))


def month_to_date(today: date) -> tuple[date, date]:
    return today.replace(day=1), today


def is_whole_month(start: date, end: date) -> bool:
    return (start, end) == month_containing(start)


def period_label(start: date, end: date) -> str:
    """ "October 2026", or "1 to 19 November 2026" for part of a month."""
    month = f"{MONTHS[start.month - 1]} {start.year}"
    if is_whole_month(start, end):
        return month
    if (start.year, start.month) == (end.year, end.month):
        if start == end:
            return f"{start.day} {month}"
        return f"{start.day} to {end.day} {month}"
    return f"{_day(start)} to {_day(end)}"


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def period_slug(start: date, end: date) -> str:
    """For file names: 2026-10, or 2026-11-01-to-2026-11-19."""
    if is_whole_month(start, end):
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m-%d}-to-{end:%Y-%m-%d}"
