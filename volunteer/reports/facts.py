"""The grouped figures the reports are made of, from the pre-aggregated facts when they hold them.

A year or a month (or any run of whole months) is read from the fact tables that triggers keep
(volunteer/figures/facts.py): a few thousand small rows however many records there are. Other
periods (a range of dates that cuts a month) and the distinct counts under a category filter
fall back to a GROUP BY over the period's approved records on the covering indexes. Both ways
give the same numbers by definition: tests/reports/test_facts_paths.py compares them.

Definitions (CONTRACT section 5): only approved records count; a record counts for its
activity's team, category and month (copied onto the record). 活动次数 counts, per team,
category and month, the activities with an approved record there; 参与志愿者数 counts distinct
volunteers.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import exists, func, select

from ..extensions import db
from ..figures import TOWN, PeriodCount, RegistrationMonth, ReportCell, VolunteerPeriod, use_facts
from ..periods import month_text, whole_months
from ..hours.models import ServiceRecord
from ..teams.models import ServiceCategory, Team, TeamMembership
from ..volunteers.models import Volunteer

APPROVED = "approved"


def ids(values):
    return None if values is None else sorted({int(v) for v in values})


def period_key(date_from: date, date_to: date) -> str | None:
    """"YYYY" for a calendar year, "YYYY-MM" for one calendar month, else None."""
    months = whole_months(date_from, date_to)
    if months is None or not use_facts():
        return None
    if months[0] == months[1]:
        return months[0]
    if date_from.year == date_to.year and (date_from.month, date_to.month) == (1, 12):
        return f"{date_from.year:04d}"
    return None


def dialect() -> str:
    return db.session.get_bind().dialect.name


def by_code_point(column):
    """Order text by Unicode code point: SQLite's BINARY does; PostgreSQL needs COLLATE "C"."""
    return column.collate("C") if dialect() == "postgresql" else column


def record_conditions(date_from, date_to, team_ids=None, category_ids=None) -> list:
    """WHERE terms for approved records of the period and scope.

    Scoped to teams, the status test is written `status || '' = 'approved'` so that SQLite
    (which has no statistics unless ANALYZE was run) reads the teams' ranges of
    ix_records_team_cover instead of the whole period on ix_records_date_cover.
    """
    status = ServiceRecord.status.concat("") if team_ids is not None else ServiceRecord.status
    conds = [status == APPROVED, ServiceRecord.service_date >= date_from, ServiceRecord.service_date <= date_to]
    if team_ids is not None:
        conds.append(ServiceRecord.team_id.in_(team_ids))
    if category_ids is not None:
        conds.append(ServiceRecord.category_id.in_(category_ids))
    return conds


# --------------------------------------------------------------- cells: sums and 活动次数


def cell_sums(date_from: date, date_to: date, team_ids=None, category_ids=None) -> dict[str, dict]:
    """{"team": {team_id: (records, minutes, activities)}, "category": {category_id or None: ...},
    "month": {"YYYY-MM": ...}} of the period and scope: three GROUP BYs over report_cells (a
    few thousand small rows for a year) for whole months, else folded from the records."""
    out = {"team": {}, "category": {}, "month": {}}
    if team_ids is not None and not team_ids:
        return out
    months = whole_months(date_from, date_to) if use_facts() else None
    if months is None:
        for team, cat, month, n, m, a in _cells_from_records(date_from, date_to, team_ids, category_ids):
            for name, key in (("team", team), ("category", cat), ("month", month)):
                old = out[name].get(key, (0, 0, 0))
                out[name][key] = (old[0] + n, old[1] + m, old[2] + a)
        return out
    conds = [ReportCell.month >= months[0], ReportCell.month <= months[1]]
    if team_ids is not None:
        conds.append(ReportCell.team_id.in_(team_ids))
    if category_ids is not None:
        conds.append(ReportCell.category_id.in_([c or 0 for c in category_ids]))
    sums = (func.sum(ReportCell.records), func.sum(ReportCell.minutes), func.sum(ReportCell.activities))
    for name, column in (("team", ReportCell.team_id), ("category", ReportCell.category_id),
                         ("month", ReportCell.month)):
        for key, n, m, a in db.session.execute(select(column, *sums).where(*conds).group_by(column)):
            if n or a:
                out[name][(key or None) if name == "category" else key] = (int(n), int(m), int(a))
    return out


def _cells_from_records(date_from, date_to, team_ids, category_ids) -> list[tuple]:
    """One row per (team, category, activity, date) — about one per activity — folded into
    cells here, so 活动次数 is the same distinct count per team, category and month."""
    stmt = (select(ServiceRecord.team_id, ServiceRecord.category_id, ServiceRecord.activity_id,
                   ServiceRecord.service_date, func.count(), func.sum(ServiceRecord.minutes))
            .where(*record_conditions(date_from, date_to, team_ids, category_ids))
            .group_by(ServiceRecord.team_id, ServiceRecord.category_id, ServiceRecord.activity_id,
                      ServiceRecord.service_date))
    folded = defaultdict(lambda: [0, 0, set()])
    for team, cat, activity, day, n, m in db.session.execute(stmt):
        cell = folded[(team, cat, month_text(day))]
        cell[0] += n
        cell[1] += int(m or 0)
        cell[2].add(activity)
    return [(t, c, mo, n, m, len(a)) for (t, c, mo), (n, m, a) in folded.items()]


# ------------------------------------------------------------ 参与志愿者数 (distinct counts)


def volunteers_by_team(date_from, date_to, team_ids, category_ids, all_team_ids) -> dict[int, int]:
    """{team_id: distinct volunteers with an approved record in the team's activities}."""
    key = period_key(date_from, date_to)
    if key is not None and category_ids is None:
        wanted = all_team_ids if team_ids is None else team_ids
        if not wanted:
            return {}
        return dict(db.session.execute(select(PeriodCount.team_id, PeriodCount.volunteers).where(
            PeriodCount.period == key, PeriodCount.team_id.in_(list(wanted)))).all())
    team = ServiceRecord.team_id
    conds = record_conditions(date_from, date_to, team_ids, category_ids)
    if team_ids is None and category_ids is None:
        conds.append(ServiceRecord.team_id.in_(all_team_ids))  # one index range per team, no sort
    elif team_ids is None:
        team = (ServiceRecord.team_id + 0).label("team_id")  # "+ 0": keep SQLite off ix_records_team_cover
    stmt = select(team, func.count(ServiceRecord.volunteer_id.distinct())).where(*conds).group_by(team)
    return dict(db.session.execute(stmt).all())


def served_count(date_from: date, date_to: date, team_ids=None, category_ids=None) -> int:
    """How many volunteers have approved hours in the period and scope (the ranking's length)."""
    team_ids, category_ids = ids(team_ids), ids(category_ids)
    if team_ids is not None and not team_ids:
        return 0
    key = period_key(date_from, date_to)
    if key is not None and category_ids is None:
        if team_ids is None or len(team_ids) == 1:
            team = TOWN if team_ids is None else team_ids[0]
            return db.session.scalar(select(PeriodCount.volunteers).where(
                PeriodCount.period == key, PeriodCount.team_id == team)) or 0
        return db.session.scalar(select(func.count(VolunteerPeriod.volunteer_id.distinct())).where(
            VolunteerPeriod.period == key, VolunteerPeriod.team_id.in_(team_ids))) or 0
    if team_ids is None and category_ids is None and (date_to - date_from).days > 92:
        # One EXISTS probe per registered volunteer on ix_records_volunteer_cover: no sort.
        served = exists().where(ServiceRecord.volunteer_id == Volunteer.id, *record_conditions(date_from, date_to))
        return db.session.scalar(select(func.count()).select_from(Volunteer).where(served)) or 0
    stmt = select(func.count(ServiceRecord.volunteer_id.distinct())).where(
        *record_conditions(date_from, date_to, team_ids, category_ids))
    return db.session.scalar(stmt) or 0


# ------------------------------------------------------------------ registrations, names


def _in_teams(team_ids):
    return exists().where(TeamMembership.volunteer_id == Volunteer.id, TeamMembership.team_id.in_(team_ids))


def registrations_by_month(date_from, date_to, team_ids) -> list[tuple[str, int]]:
    """[("YYYY-MM", volunteers registered in it)] (注册日期, whatever their status now):
    registration_months for whole months town-wide; else over ix_volunteers_registered_on."""
    months = whole_months(date_from, date_to) if use_facts() else None
    if months is not None and team_ids is None:
        return db.session.execute(
            select(RegistrationMonth.month, func.sum(RegistrationMonth.volunteers))
            .where(RegistrationMonth.month >= months[0], RegistrationMonth.month <= months[1])
            .group_by(RegistrationMonth.month).having(func.sum(RegistrationMonth.volunteers) != 0)).all()
    stmt = select(Volunteer.registered_on, func.count()).where(
        Volunteer.registered_on >= date_from, Volunteer.registered_on <= date_to)
    if team_ids is not None:
        stmt = stmt.where(_in_teams(team_ids))
    folded = defaultdict(int)
    for day, n in db.session.execute(stmt.group_by(Volunteer.registered_on)):
        folded[month_text(day)] += n
    return sorted(folded.items())


def registered_count(as_of: date, team_ids=None) -> int:
    """Registered volunteers (status 正常) with 注册日期 on or before `as_of`, in the team scope."""
    team_ids = ids(team_ids)
    if team_ids is None and use_facts() and whole_months(as_of.replace(day=1), as_of):  # a month's end
        return int(db.session.scalar(select(func.coalesce(func.sum(RegistrationMonth.volunteers), 0)).where(
            RegistrationMonth.status == "active", RegistrationMonth.month <= month_text(as_of))) or 0)
    conds = (Volunteer.status == "active", Volunteer.registered_on <= as_of)
    if team_ids is None:
        return db.session.scalar(select(func.count()).select_from(Volunteer).where(*conds)) or 0
    # Driven from the teams' memberships, one primary-key probe per member: PostgreSQL would
    # otherwise hash-join a scan of every volunteer (ANY(ARRAY(...)) keeps it on the key), and
    # SQLite walk every active volunteer on ix_volunteers_status_id (hence `status || ''`).
    members = select(TeamMembership.volunteer_id).where(TeamMembership.team_id.in_(team_ids))
    if dialect() == "postgresql":
        in_teams = Volunteer.id == func.any(func.array(members.scalar_subquery()))
        conds = (Volunteer.status == "active", Volunteer.registered_on <= as_of)
    else:
        in_teams = Volunteer.id.in_(members)
        conds = (Volunteer.status.concat("") == "active", Volunteer.registered_on <= as_of)
    return db.session.scalar(select(func.count()).select_from(Volunteer).where(in_teams, *conds)) or 0


def teams(team_ids):
    stmt = select(Team.id, Team.name, Team.kind, Team.is_active)
    if team_ids is not None:
        stmt = stmt.where(Team.id.in_(team_ids))
    return db.session.execute(stmt).all()


def categories(category_ids):
    stmt = select(ServiceCategory.id, ServiceCategory.name, ServiceCategory.sort_order, ServiceCategory.is_active)
    if category_ids is not None:
        stmt = stmt.where(ServiceCategory.id.in_(category_ids))
    return db.session.execute(stmt).all()
