"""Months and periods: the one home of 'YYYY-MM' text and of year/month date ranges.

A month is written `YYYY-MM` everywhere (month locks, tallies, facts, chart axes); a period
is an inclusive (first day, last day) pair. Reports, figures, the hours rules, the importers
and the exports all call these instead of formatting or bounding months themselves.
"""
from __future__ import annotations

import calendar
from datetime import date


def month_text(day) -> str:
    """The `YYYY-MM` a date falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def whole_months(date_from, date_to) -> tuple[str, str] | None:
    """("YYYY-MM", "YYYY-MM") when [date_from, date_to] is a run of whole months, else None."""
    if date_from is None or date_to is None or date_from.day != 1 or date_from > date_to:
        return None
    if date_to.day != calendar.monthrange(date_to.year, date_to.month)[1]:
        return None
    return month_text(date_from), month_text(date_to)


def period_for(year: int, month: int | None = None) -> tuple[date, date]:
    """(first day, last day) of a year, or of one month of it."""
    if month:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 1, 1), date(year, 12, 31)


def months_between(date_from: date, date_to: date) -> list[str]:
    """Every month `YYYY-MM` from date_from to date_to, ascending (for chart axes)."""
    months, y, m = [], date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months
