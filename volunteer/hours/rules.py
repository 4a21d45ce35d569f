"""The rules of a service record, in one home for the web form, check-in and the Excel import.

The callers word their messages for their own screen (a form error, an import report row),
but what is allowed is decided here: the status a new record starts in, the minutes a record
may hold, whether a month is locked, and when a record already there blocks a new value.
"""
from sqlalchemy import select

from ..clock import today_local
from ..errors import ServiceError
from ..periods import month_text
from ..extensions import db
from .models import MonthLock

MAX_MINUTES = 24 * 60


def initial_status(actor) -> str:
    """The office's own entries, imports included, and the command line (no actor) are
    confirmed at once; a leader's wait for the office."""
    return "approved" if actor is None or actor.role == "office" else "pending"


def minutes_out_of_range(minutes: int) -> bool:
    """A record holds more than nothing and at most one day."""
    return minutes <= 0 or minutes > MAX_MINUTES


def span_exceeded(minutes: int, *spans: int | None) -> int | None:
    """The shortest of the known spans (activity start to end) when ``minutes`` is over it."""
    known = [s for s in spans if s]
    return min(known) if known and minutes > min(known) else None


def conflicts_with_recorded(recorded_minutes: int | None, minutes: int | None) -> bool:
    """A record already there with other minutes: only a correction may change it (the web
    form may still update a pending one; see hours.services.log_hours)."""
    return recorded_minutes is not None and minutes is not None and recorded_minutes != minutes


def locked_month_set() -> set[str]:
    """Every locked month ('YYYY-MM'), for checking many records at once."""
    return set(db.session.scalars(select(MonthLock.month)))


def is_month_locked(day) -> bool:
    return db.session.get(MonthLock, month_text(day)) is not None


def ensure_unlocked(day) -> None:
    if is_month_locked(day):
        raise ServiceError(f"{month_text(day)} 已锁账，该月的时长只能由分中心办公室更正。")


def ensure_not_future(day, today=None) -> None:
    """Hours are for work done: an activity whose day (Beijing time) is still to come has none."""
    if day > (today or today_local()):
        raise ServiceError(f"活动日期 {day} 还没到，不能登记尚未进行的活动的时长。")
