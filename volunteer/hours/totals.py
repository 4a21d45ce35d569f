"""Approved minutes summed per volunteer or per team: one name per shape.

Only approved minutes count (CONTRACT.md); every page, export and report that shows a total
of someone's or some team's minutes calls these, so "what counts" is decided once. Sums are
one GROUP BY in SQL; a run of whole months per team reads the per-month tallies instead
(figures/tallies.py), a few hundred rows for a year. Read-only.
"""
from __future__ import annotations

from sqlalchemy import case, func, select

from ..extensions import db
from ..figures import tally_by_team
from ..periods import whole_months
from .models import ServiceRecord


def minutes_by_volunteer(volunteer_ids, *, also_in_team: int | None = None) -> dict:
    """{volunteer_id: approved minutes ever} for a page of volunteers.

    With `also_in_team`, {volunteer_id: (approved minutes ever, those in that team's
    activities)}: the team roster shows both, and one pass gives them together. Volunteers
    without approved minutes are absent.
    """
    if not volunteer_ids:
        return {}
    columns = [ServiceRecord.volunteer_id, func.sum(ServiceRecord.minutes)]
    if also_in_team is not None:
        columns.append(func.sum(case((ServiceRecord.team_id == also_in_team, ServiceRecord.minutes), else_=0)))
    rows = db.session.execute(
        select(*columns)
        .where(ServiceRecord.volunteer_id.in_(list(volunteer_ids)), ServiceRecord.status == "approved")
        .group_by(ServiceRecord.volunteer_id))
    if also_in_team is None:
        return {vid: int(total or 0) for vid, total in rows}
    return {vid: (int(total or 0), int(team or 0)) for vid, total, team in rows}


def minutes_by_team(team_ids, date_from, date_to) -> dict[int, int]:
    """{team_id: approved minutes} for activity dates in [date_from, date_to], one GROUP BY
    (for whole months, such as a year, over the per-month tallies). Teams without approved
    minutes are absent."""
    if not team_ids:
        return {}
    months = whole_months(date_from, date_to)
    if months:
        return {tid: minutes for tid, (_n, minutes) in tally_by_team(team_ids, "approved", *months).items()
                if _n or minutes}
    stmt = (select(ServiceRecord.team_id, func.sum(ServiceRecord.minutes))
            .where(ServiceRecord.team_id.in_(list(team_ids)), ServiceRecord.status == "approved",
                   ServiceRecord.service_date >= date_from, ServiceRecord.service_date <= date_to)
            .group_by(ServiceRecord.team_id))
    return {tid: int(m or 0) for tid, m in db.session.execute(stmt)}
