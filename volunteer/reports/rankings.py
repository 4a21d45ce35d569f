"""The volunteer ranking (志愿者排行) and the star-level 公示 list.

A year or a month, town-wide or for one team, reads `volunteer_periods` along its index
(period, team, minutes): a page costs the rows it shows plus the ties at its edges, however
many volunteers served. A leader's several teams sum those rows per volunteer (bounded by the
teams' members); other periods and category filters group the records. The 公示 list of a year
or a month reads `star_rises` along (period, level_to, minutes_to); other periods compute the
levels from the records.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, case, exists, func, select

from ..extensions import db
from ..figures import PeriodCount, StarRise, VolunteerPeriod
from ..hours.models import ServiceRecord
from ..hours.stars import STAR_LEVELS, star_level, stars_text
from ..hours.totals import all_time_minutes
from ..teams.models import Team, TeamMembership
from ..volunteers.models import Volunteer
from ..fields import hours_of
from .facts import (APPROVED, TOWN, by_code_point, dialect, ids, period_key, record_conditions,
                    served_count, use_facts)


def volunteer_ranking(date_from: date, date_to: date, team_ids=None, category_ids=None, *,
                      limit: int | None = None, offset: int = 0) -> list[dict]:
    """Sheet 志愿者排行: every volunteer with approved hours in the period (and scope).

    Rows: {"rank", "volunteer_id", "name", "teams", "minutes", "hours", "stars", "stars_text"}
    (排名 · 姓名 · 所属队伍 · 服务时长 · 星级). Ordered by hours descending, then 姓名 by Unicode
    code point (then registry id). Equal hours share a rank, competition style: 1, 2, 2, 4, so a
    page from `offset` carries the true rank. `teams` is the volunteer's teams (memberships) by
    name joined by 、; `stars` is the all-time level (CONTRACT section 6) and `stars_text` that
    many ★ ("" below the first level). Without `limit` the list is complete (the export).
    """
    return ranking_page(date_from, date_to, team_ids, category_ids, limit=limit, offset=offset)[0]


def ranking_count(date_from: date, date_to: date, team_ids=None, category_ids=None) -> int:
    """How many volunteers have approved hours in the period and scope (参与志愿者数 in total)."""
    return served_count(date_from, date_to, team_ids, category_ids)


def ranking_page(date_from: date, date_to: date, team_ids=None, category_ids=None, *,
                 limit: int | None = None, offset: int = 0) -> tuple[list[dict], int]:
    """(volunteer_ranking rows, how many volunteers the whole ranking has)."""
    team_ids, category_ids = ids(team_ids), ids(category_ids)
    if team_ids is not None and not team_ids:
        return [], 0
    key = period_key(date_from, date_to)
    if key is not None and category_ids is None and limit:
        vp = VolunteerPeriod
        if team_ids is None or len(team_ids) == 1:  # one index range: (period, team, minutes)
            team = TOWN if team_ids is None else team_ids[0]
            totals = select(vp.volunteer_id, vp.minutes).where(vp.period == key, vp.team_id == team).subquery()
            total = served_count_for(key, team)
            found = _page_by_bounds(totals, total, limit, offset)
        else:  # several teams: their rows summed per volunteer once (bounded by the teams' members)
            sums = db.session.execute(select(vp.volunteer_id, func.sum(vp.minutes)).where(
                vp.period == key, vp.team_id.in_(team_ids)).group_by(vp.volunteer_id)).all()
            found, total = _page_of_sums(sums, limit, offset), len(sums)
    else:
        if key is not None and category_ids is None:  # the complete list (the export)
            totals = (select(VolunteerPeriod.volunteer_id.label("volunteer_id"),
                             func.sum(VolunteerPeriod.minutes).label("minutes"))
                      .where(VolunteerPeriod.period == key,
                             VolunteerPeriod.team_id.in_(team_ids if team_ids is not None else [TOWN]))
                      .group_by(VolunteerPeriod.volunteer_id).subquery("period_totals"))
        else:
            totals = _totals_from_records(date_from, date_to, team_ids, category_ids)
        found, total = _page_by_window(totals, limit, offset)
        if not found and offset:
            total = served_count(date_from, date_to, team_ids, category_ids)
    return _rows(found), total


def _page_of_sums(sums, limit: int, offset: int) -> list[tuple]:
    """_page_by_bounds over [(volunteer_id, minutes)] already read: names only for the page's
    minutes range, sorted here (Python compares text by code point, as the SQL ordering does)."""
    ordered = sorted((int(m) for _v, m in sums), reverse=True)
    if offset >= len(ordered):
        return []
    high, low = ordered[offset], ordered[min(offset + limit, len(ordered)) - 1]
    above = sum(1 for m in ordered if m > high)
    wanted = {vid: int(m) for vid, m in sums if low <= int(m) <= high}
    names = {}
    ids_ = sorted(wanted)
    for i in range(0, len(ids_), 500):
        names.update(db.session.execute(select(Volunteer.id, Volunteer.name).where(
            Volunteer.id.in_(ids_[i:i + 500]))).all())
    rows = sorted(((vid, names.get(vid, ""), m) for vid, m in wanted.items()), key=lambda r: (-r[2], r[1], r[0]))
    ranked, rank, previous = [], above, None
    for position, (vid, name, minutes) in enumerate(rows, start=above + 1):
        if minutes != previous:
            rank, previous = position, minutes
        ranked.append((vid, name, minutes, rank))
    return ranked[offset - above:offset - above + limit]


def _page_by_bounds(totals, total: int, limit: int, offset: int) -> list[tuple]:
    """[(volunteer_id, name, minutes, rank)] of one page of `totals` (volunteer_id, minutes):
    the minutes at the page's first and last positions bound the rows whose names are read
    (along the (period, team, minutes) index for one team or the town); ties at either edge
    are read whole, so names order them exactly and ranks count the rows above."""
    if offset >= total:
        return []

    def minutes_at(position):
        return db.session.scalar(select(totals.c.minutes).order_by(totals.c.minutes.desc())
                                 .limit(1).offset(position))

    high, low = minutes_at(offset), minutes_at(min(offset + limit, total) - 1)
    above = db.session.scalar(select(func.count()).select_from(totals).where(totals.c.minutes > high)) or 0
    rows = db.session.execute(
        select(totals.c.volunteer_id, Volunteer.name, totals.c.minutes)
        .join(Volunteer, Volunteer.id == totals.c.volunteer_id)
        .where(totals.c.minutes >= low, totals.c.minutes <= high)
        .order_by(totals.c.minutes.desc(), by_code_point(Volunteer.name), Volunteer.id)).all()
    ranked, rank, previous = [], above, None
    for position, (vid, name, minutes) in enumerate(rows, start=above + 1):
        if minutes != previous:
            rank, previous = position, minutes
        ranked.append((vid, name, minutes, rank))
    return ranked[offset - above:offset - above + limit]


def served_count_for(key: str, team: int) -> int:
    return db.session.scalar(select(PeriodCount.volunteers).where(
        PeriodCount.period == key, PeriodCount.team_id == team)) or 0


def _totals_from_records(date_from, date_to, team_ids, category_ids):
    conds = record_conditions(date_from, date_to, team_ids, category_ids)
    if team_ids is None and category_ids is None and (date_to - date_from).days > 92 and dialect() == "sqlite":
        # Drive the GROUP BY from ix_records_volunteer_cover, one short range per volunteer,
        # instead of sorting a long period in a temporary B-tree (about twice as fast for a year).
        conds.append(ServiceRecord.volunteer_id.in_(select(Volunteer.id)))
    return (select(ServiceRecord.volunteer_id.label("volunteer_id"), func.sum(ServiceRecord.minutes).label("minutes"))
            .where(*conds).group_by(ServiceRecord.volunteer_id).subquery("period_totals"))


def _page_by_window(totals, limit, offset) -> tuple[list[tuple], int]:
    rank = func.rank().over(order_by=totals.c.minutes.desc())
    stmt = (select(totals.c.volunteer_id, Volunteer.name, totals.c.minutes, rank, func.count().over())
            .join(Volunteer, Volunteer.id == totals.c.volunteer_id)
            .order_by(totals.c.minutes.desc(), by_code_point(Volunteer.name), Volunteer.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    rows = db.session.execute(stmt).all()
    return [r[:4] for r in rows], (rows[0][4] if rows else 0)


def _rows(found) -> list[dict]:
    vids = [r[0] for r in found]
    ever, teams = all_time_minutes(vids), team_names(vids)
    result = []
    for vid, name, minutes, rank in found:
        minutes = int(minutes)  # PostgreSQL sums bigints as numeric
        level = star_level(ever.get(vid, 0))
        result.append({"rank": rank, "volunteer_id": vid, "name": name, "teams": teams.get(vid, ""),
                       "minutes": minutes, "hours": hours_of(minutes), "stars": level,
                       "stars_text": stars_text(level)})
    return result


def team_names(volunteer_ids) -> dict[int, str]:
    """{volunteer_id: "队伍甲、队伍乙"}: each volunteer's teams (memberships) by name."""
    vids = sorted(set(volunteer_ids))
    names = defaultdict(list)
    base = select(TeamMembership.volunteer_id, Team.name).join(Team, Team.id == TeamMembership.team_id)
    if len(vids) > 2000:  # most of the registry (the export): every membership in one query
        wanted = set(vids)
        for vid, name in db.session.execute(base):
            if vid in wanted:
                names[vid].append(name)
    for i in range(0, len(vids) if len(vids) <= 2000 else 0, 500):
        for vid, name in db.session.execute(base.where(TeamMembership.volunteer_id.in_(vids[i:i + 500]))):
            names[vid].append(name)
    return {vid: "、".join(sorted(v)) for vid, v in names.items()}


# ------------------------------------------------------------- star promotions (公示)


def star_promotions(date_from: date, date_to: date, team_ids=None) -> list[dict]:
    """The 公示 list: volunteers whose star level at the end of the period is higher than at its
    start. Level at the start counts approved records dated before `date_from`; at the end,
    those dated up to `date_to` (so a volunteer can be promoted only by hours served in the
    period). `team_ids` limits the list to members of those teams.

    Rows: {"volunteer_id", "name", "teams", "level_from", "level_to", "stars_from", "stars_to",
    "minutes_from", "minutes_to", "hours_from", "hours_to", "period_minutes", "period_hours"},
    highest new level first, then hours at the end descending, then name by code point.
    """
    return star_page(date_from, date_to, team_ids)[0]


def star_page(date_from: date, date_to: date, team_ids=None, *, limit: int | None = None,
              offset: int = 0) -> tuple[list[dict], int]:
    """(a page of star_promotions rows, how many the whole list has)."""
    team_ids = ids(team_ids)
    if team_ids is not None and not team_ids:
        return [], 0
    key = period_key(date_from, date_to)
    if key is None:
        found = _rises_from_records(date_from, date_to, team_ids)
        total = len(found)
        found = found[offset:offset + limit] if limit is not None else found[offset:]
    else:
        s = StarRise
        conds = [s.period == key]
        if team_ids is not None:
            conds.append(exists().where(TeamMembership.volunteer_id == s.volunteer_id,
                                        TeamMembership.team_id.in_(team_ids)))
        total = db.session.scalar(select(func.count()).select_from(s).where(*conds)) or 0
        stmt = (select(s.volunteer_id, Volunteer.name, s.minutes_from, s.minutes_to)
                .join(Volunteer, Volunteer.id == s.volunteer_id).where(*conds)
                .order_by(s.level_to.desc(), s.minutes_to.desc(), by_code_point(Volunteer.name), Volunteer.id)
                .offset(offset))
        found = db.session.execute(stmt.limit(limit) if limit is not None else stmt).all()
    teams = team_names([r[0] for r in found])
    rows = []
    for vid, name, start, end in found:
        start, end = int(start or 0), int(end or 0)
        lf, lt = star_level(start), star_level(end)
        rows.append({"volunteer_id": vid, "name": name, "teams": teams.get(vid, ""),
                     "level_from": lf, "level_to": lt, "stars_from": stars_text(lf), "stars_to": stars_text(lt),
                     "minutes_from": start, "minutes_to": end, "hours_from": hours_of(start),
                     "hours_to": hours_of(end), "period_minutes": end - start, "period_hours": hours_of(end - start)})
    return rows, total


def _level_case(minutes_expr):
    """SQL CASE giving the star level of an approved-minutes expression (CONTRACT section 6)."""
    return case(*[(minutes_expr >= needed * 60, stars) for needed, stars in STAR_LEVELS], else_=0)


def _rises_from_records(date_from, date_to, team_ids) -> list[tuple]:
    """[(volunteer_id, name, minutes before, minutes at the end)] of a period that is not a year
    or a month, in list order: one pass over ix_records_volunteer_cover."""
    who = select(Volunteer.id) if team_ids is None else \
        select(TeamMembership.volunteer_id).where(TeamMembership.team_id.in_(team_ids))
    end_total = func.sum(ServiceRecord.minutes)
    start_total = func.sum(case((ServiceRecord.service_date < date_from, ServiceRecord.minutes), else_=0))
    lowest = min(needed for needed, _ in STAR_LEVELS) * 60
    sums = (select(ServiceRecord.volunteer_id.label("volunteer_id"), start_total.label("start"),
                   end_total.label("end"))
            .where(ServiceRecord.volunteer_id.in_(who), ServiceRecord.status == APPROVED,
                   ServiceRecord.service_date <= date_to)
            .group_by(ServiceRecord.volunteer_id)
            .having(and_(end_total >= lowest, end_total > start_total)).subquery("sums"))
    # The level comparison on the sums' columns, outside the GROUP BY: written in the HAVING,
    # SQLite would compute each SUM once per CASE branch (ten times slower).
    stmt = (select(sums.c.volunteer_id, Volunteer.name, sums.c.start, sums.c.end)
            .join(Volunteer, Volunteer.id == sums.c.volunteer_id)
            .where(_level_case(sums.c.end) > _level_case(sums.c.start))
            .order_by(_level_case(sums.c.end).desc(), sums.c.end.desc(), by_code_point(Volunteer.name),
                      Volunteer.id))
    return db.session.execute(stmt).all()
