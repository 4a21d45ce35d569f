"""Approved minutes summed per volunteer or per team: one name per shape.

Only approved minutes count (CONTRACT.md); every page, export and report that shows a total
of someone's or some team's minutes calls these, so "what counts" is decided once. Sums are
one GROUP BY in SQL; a run of whole months per team reads the per-month tallies instead
(figures/tallies.py), a few hundred rows for a year. Read-only.
"""
from __future__ import annotations

from sqlalchemy import case, func, select

from ..extensions import db
from ..figures import TOWN, PeriodCount, VolunteerPeriod, tally_by_team, use_facts
from ..periods import whole_months
from ..volunteers.models import Volunteer
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


def all_time_minutes(volunteer_ids) -> dict[int, int]:
    """{volunteer_id: approved minutes ever} for some volunteers: the sum of their years'
    volunteer_periods rows (or their records, on ix_records_volunteer_cover)."""
    vids = sorted(set(volunteer_ids))
    result = {}
    if use_facts():  # a few year rows per volunteer instead of every record (years: period_counts)
        years = db.session.scalars(select(PeriodCount.period).where(
            PeriodCount.team_id == TOWN, func.length(PeriodCount.period) == 4)).all()
        for i in range(0, len(vids) if years else 0, 500):
            result.update(db.session.execute(
                select(VolunteerPeriod.volunteer_id, func.sum(VolunteerPeriod.minutes))
                .where(VolunteerPeriod.period.in_(years), VolunteerPeriod.team_id == TOWN,
                       VolunteerPeriod.volunteer_id.in_(vids[i:i + 500]))
                .group_by(VolunteerPeriod.volunteer_id)).all())
        return {k: int(v or 0) for k, v in result.items()}
    if len(vids) > 2000:  # most of the registry (the export): one pass over the index beats chunks
        wanted = set(vids)
        rows = db.session.execute(
            select(ServiceRecord.volunteer_id, func.sum(ServiceRecord.minutes))
            .where(ServiceRecord.volunteer_id.in_(select(Volunteer.id)), ServiceRecord.status == "approved")
            .group_by(ServiceRecord.volunteer_id))
        return {k: int(v or 0) for k, v in rows if k in wanted}
    for i in range(0, len(vids), 500):
        result.update(db.session.execute(
            select(ServiceRecord.volunteer_id, func.sum(ServiceRecord.minutes))
            .where(ServiceRecord.volunteer_id.in_(vids[i:i + 500]), ServiceRecord.status == "approved")
            .group_by(ServiceRecord.volunteer_id)).all())
    return {k: int(v or 0) for k, v in result.items()}
