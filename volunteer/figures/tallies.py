"""Reading record_tallies: counts and minutes per team and month, whatever the number of records."""
from __future__ import annotations


from sqlalchemy import and_, func, select

from ..extensions import db
from .models import RecordTally


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
