"""Working days in mainland China (民政部令第67号: records within 10 working days).

Public holidays and make-up working days (调休) come from the maintained `chinese-calendar`
package, not a hand-written table. Where it does not yet cover a year, Monday to Friday are
working days and `uncovered_years` says so, for the office to be told.
"""
from datetime import date, timedelta

import chinese_calendar

RECORD_DEADLINE_WORKDAYS = 10


def is_workday(day: date) -> tuple[bool, bool]:
    """(is a working day, covered by the holiday data)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:  # a year the package has no data for yet
        return day.weekday() < 5, False


def deadline(start: date, workdays: int = RECORD_DEADLINE_WORKDAYS) -> date:
    """The date `workdays` working days after `start` (start itself not counted)."""
    day, left = start, workdays
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day)[0]:
            left -= 1
    return day


def uncovered_years(first: date, last: date) -> list[int]:
    """Years between the dates that the holiday data does not cover (Monday–Friday assumed)."""
    return [y for y in range(first.year, last.year + 1) if not is_workday(date(y, 6, 1))[1]]
