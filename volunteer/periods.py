"""Months and periods: the one home of 'YYYY-MM' text and of year/month date ranges.

A month is written `YYYY-MM` everywhere (month locks, tallies, facts, chart axes); a period
is an inclusive (first day, last day) pair. Reports, figures, the hours rules, the importers
and the exports all call these instead of formatting or bounding months themselves.
"""
from __future__ import annotations

import calendar
from datetime import date

MIN_YEAR, MAX_YEAR = 1900, 2999  # dates the app stores or filters by; outside is a typo or an attack


class BadMonth(ValueError):
    """Text that is not a month `YYYY-MM` (or `YYYY-M`) of MIN_YEAR..MAX_YEAR."""


def month_bounds(text) -> tuple[date, date]:
    """'2026-03' (or '2026-3') -> (2026-03-01, 2026-04-01), the half-open range of its days.

    The one month parser: it raises BadMonth and nothing else, so each door words the refusal
    its own way (views.month_span: None, the hours rules: ServiceError, a route: 404) while
    what counts as a month stays the same everywhere. The year range keeps "9999-12", whose
    end would be in year 10000, from reaching date().
    """
    text = text.strip() if isinstance(text, str) else ""
    year, sep, month = text.partition("-")
    if not (sep and len(year) == 4 and 1 <= len(month) <= 2 and year.isascii() and year.isdigit()
            and month.isascii() and month.isdigit()):
        raise BadMonth("月份格式应为 YYYY-MM，例如 2026-03。")
    y, m = int(year), int(month)
    if not 1 <= m <= 12:
        raise BadMonth("月份格式应为 YYYY-MM，例如 2026-03。")
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise BadMonth("月份超出范围。")
    return date(y, m, 1), date(y + (m == 12), m % 12 + 1, 1)


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
    """(first day, last day) of a year, or of one month of it (month None: the year; a month
    outside 1..12 raises ValueError, as date() does)."""
    if month is not None:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 1, 1), date(year, 12, 31)


def months_between(date_from: date, date_to: date) -> list[str]:
    """Every month `YYYY-MM` from date_from to date_to, ascending (for chart axes)."""
    months, y, m = [], date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months
