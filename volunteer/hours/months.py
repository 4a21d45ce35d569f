"""Month bounds and the monthly close (月度锁账) of service records.

Locking a month adds a `MonthLock`; from then on that month's records change only through an
office correction (hours.services.correct_record / void_record(correction=True)), which
`hours.rules.ensure_unlocked` enforces for everyone else. Editing an activity never moves
a locked month's records (activities.services.update_activity refuses the edit). Adds and
flushes; the caller commits.
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from ..audit.services import record
from ..auth.models import User
from ..clock import today_local
from ..errors import ServiceError
from ..extensions import db
from .. import periods
from ..figures.models import RecordTally
from ..teams.models import Team
from .models import MonthLock, ServiceRecord

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_bounds(month: str) -> tuple[date, date]:
    """periods.month_bounds for the monthly close: a ServiceError, and only the canonical
    'YYYY-MM' (the text is stored as the lock's key, so '2026-3' must not make a second lock)."""
    try:
        start, end = periods.month_bounds(month)
    except periods.BadMonth as exc:
        raise ServiceError(str(exc), "month") from None
    if periods.month_text(start) != month:
        raise ServiceError("月份格式应为 YYYY-MM，例如 2026-03。", "month")
    return start, end


def locked_months() -> list[dict]:
    """Every locked month, newest first: {"month", "locked_at", "locked_by"}."""
    rows = db.session.execute(
        select(MonthLock.month, MonthLock.locked_at, User.username, User.display_name)
        .outerjoin(User, User.id == MonthLock.locked_by_id).order_by(MonthLock.month.desc())).all()
    return [{"month": m, "locked_at": at, "locked_by": display or username or "cli"} for m, at, username, display in rows]


def month_status(month: str) -> dict:
    """Counts of a month's records by status (one GROUP BY on ix_records_date_cover)."""
    start, end = month_bounds(month)
    counts = dict(db.session.execute(
        select(ServiceRecord.status, func.count()).where(ServiceRecord.service_date >= start,
                                                         ServiceRecord.service_date < end)
        .group_by(ServiceRecord.status)).all())
    return {s: counts.get(s, 0) for s in ("pending", "approved", "void")}


def lock_month(actor, month: str, today: date | None = None) -> MonthLock:
    """Close a month. Refused for a month not yet over, one already locked, or one that still
    has records awaiting approval (they could never be approved once it is locked)."""
    if actor is not None and actor.role != "office":
        raise ServiceError("只有分中心办公室可以锁账。")
    month = (month or "").strip()
    start, end = month_bounds(month)
    today = today or today_local()
    if end > today:
        raise ServiceError(f"{month} 尚未结束，只能锁定已经结束的月份。", "month")
    if db.session.get(MonthLock, month) is not None:
        raise ServiceError(f"{month} 已经锁账。", "month")
    pending = month_status(month)["pending"]
    if pending:
        raise ServiceError(f"{month} 还有 {pending} 条待审核的时长记录，请先审核或作废后再锁账。", "month")
    lock = MonthLock(month=month, locked_by_id=getattr(actor, "id", None))
    db.session.add(lock)
    db.session.flush()
    record(actor, "month.lock", "month_lock", month, f"月度锁账：{month}", after={"month": month})
    return lock


def month_overview() -> list[dict]:
    """Every month that has records or a lock, newest first, for the month-end page:
    {"month", "pending", "approved", "lock"} with lock None or the locked_months() row.
    Counts come from record_tallies (one GROUP BY over team x month rows, not over records)."""
    counts: dict[str, dict] = {}
    for month, status, n in db.session.execute(
            select(RecordTally.month, RecordTally.status, func.sum(RecordTally.records))
            .where(RecordTally.status.in_(("pending", "approved"))).group_by(RecordTally.month, RecordTally.status)):
        counts.setdefault(month, {"pending": 0, "approved": 0})[status] = int(n or 0)
    locks = {row["month"]: row for row in locked_months()}
    months = sorted(set(counts) | set(locks), reverse=True)
    return [{"month": m, **counts.get(m, {"pending": 0, "approved": 0}), "lock": locks.get(m)} for m in months]


def pending_by_team_month() -> list[dict]:
    """Pending records per team and month (from record_tallies), oldest month first:
    {"team_id", "team", "month", "pending"}; the approvals queue links each to its filter."""
    rows = db.session.execute(
        select(RecordTally.team_id, Team.name, RecordTally.month, func.sum(RecordTally.records))
        .join(Team, Team.id == RecordTally.team_id).where(RecordTally.status == "pending")
        .group_by(RecordTally.team_id, Team.name, RecordTally.month)
        .having(func.sum(RecordTally.records) > 0).order_by(RecordTally.month, Team.name))
    return [{"team_id": t, "team": name, "month": m, "pending": int(n)} for t, name, m, n in rows]


def lock_state(first_month: str, last_month: str, team_ids=None) -> dict:
    """Whether the months first..last ("YYYY-MM", inclusive) are closed, for reports and their
    workbooks: {"locked": bool, "unlocked": [months with records and no lock], "pending": n}.
    A period with no records at all counts as locked (nothing can still change). `team_ids`
    (None = every team) narrows which records are counted: a leader sees their teams' figures."""
    in_range = (RecordTally.month >= first_month, RecordTally.month <= last_month) + \
        ((RecordTally.team_id.in_(list(team_ids)),) if team_ids is not None else ())
    with_records = set(db.session.scalars(
        select(RecordTally.month).where(*in_range, RecordTally.records > 0).distinct()))
    locks = set(db.session.scalars(
        select(MonthLock.month).where(MonthLock.month >= first_month, MonthLock.month <= last_month)))
    pending = db.session.scalar(select(func.coalesce(func.sum(RecordTally.records), 0))
                                .where(*in_range, RecordTally.status == "pending")) or 0
    unlocked = sorted(with_records - locks)
    return {"locked": not unlocked, "unlocked": unlocked, "pending": int(pending)}
