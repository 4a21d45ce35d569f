"""Reading record_tallies: counts and minutes per team and month, whatever the number of records."""
from __future__ import annotations

import calendar

from sqlalchemy import and_, func, select

from ..extensions import db
from .models import RecordTally


def month_text(day) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def whole_months(date_from, date_to) -> tuple[str, str] | None:
    """("YYYY-MM", "YYYY-MM") when [date_from, date_to] is a run of whole months, else None."""
    if date_from is None or date_to is None or date_from.day != 1 or date_from > date_to:
        return None
    if date_to.day != calendar.monthrange(date_to.year, date_to.month)[1]:
        return None
    return month_text(date_from), month_text(date_to)


def tally_by_team(team_ids, status: str, first_month: str, last_month: str) -> dict[int, tuple[int, int]]:
    """{team_id: (records, minutes)} of one status over months first..last ("YYYY-MM", inclusive)."""
    if not team_ids:
        return {}
    rows = db.session.execute(
        select(RecordTally.team_id, func.sum(RecordTally.records), func.sum(RecordTally.minutes))
        .where(RecordTally.team_id.in_(list(team_ids)), RecordTally.status == status,
               RecordTally.month >= first_month, RecordTally.month <= last_month)
        .group_by(RecordTally.team_id))
    return {tid: (int(n or 0), int(m or 0)) for tid, n, m in rows}


def tally_count(status: str, *, team_id: int | None = None, month: str | None = None) -> int:
    """How many records have this status (optionally of one team, one "YYYY-MM" month)."""
    conds = [RecordTally.status == status]
    if team_id is not None:
        conds.append(RecordTally.team_id == team_id)
    if month is not None:
        conds.append(RecordTally.month == month)
    return int(db.session.scalar(select(func.coalesce(func.sum(RecordTally.records), 0)).where(and_(*conds))) or 0)
