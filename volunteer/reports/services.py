"""Statistics: the reports page and the `export summary` workbook (CONTRACT section 5).

Every function here is a plain function over the database that returns plain data (lists of
dicts, ints, floats, strings, dates); none touches the request. The Excel export writes its
workbook from exactly these functions, so the page and the workbook always agree.

Definitions (CONTRACT section 5), shared by every function:

* Only approved (已确认) records count. A record counts for the team and the category of its
  activity and for the month of its activity date. Those three are copied onto
  `ServiceRecord.team_id / category_id / service_date`, which the covering indexes hold, so
  every aggregate below is a GROUP BY over one index range and never a loop over records.
* `date_from` and `date_to` are inclusive activity dates.
* `minutes` is the exact sum; `hours` is `round(minutes / 60, 2)` (a float with at most two
  decimals; distinct minute totals never round to the same hours).
* 参与人次 (`records`) counts approved records; 参与志愿者数 (`volunteers`) counts distinct
  volunteers with at least one approved record; 活动次数 (`activities`) counts activities with at
  least one approved record.
* Scope: `team_ids=None` means every team; a list limits the figures to records of activities
  run by those teams (a leader's view, or one team picked on the page). `category_ids` works
  the same way for categories. An empty list means "nothing" (a leader who leads no team).
  New registrations follow the team scope by membership and ignore the category scope.
"""
from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date
from functools import lru_cache

from sqlalchemy import and_, case, exists, func, select

from ..activities.models import Activity
from ..extensions import db
from ..hours.models import ServiceRecord
from ..hours.stars import STAR_LEVELS, star_level, stars_text
from ..models_base import today_local
from ..teams.models import ServiceCategory, Team, TeamMembership
from ..volunteers.models import Volunteer

APPROVED = "approved"
UNCATEGORISED = "未分类"

# The `export summary` workbook: sheet names and header rows, in order (CONTRACT section 5).
SUMMARY_SHEETS = (
    ("按队伍", ("队伍名称", "队伍类型", "活动次数", "参与人次", "服务时长", "参与志愿者数")),
    ("按类别", ("服务类别", "活动次数", "参与人次", "服务时长")),
    ("按月份", ("月份", "活动次数", "参与人次", "服务时长", "新注册志愿者")),
    ("志愿者排行", ("排名", "姓名", "所属队伍", "服务时长", "星级")),
)

INACTIVE_THRESHOLDS = (90, 60, 30)


# --------------------------------------------------------------------------- helpers


def hours_of(minutes) -> float:
    """Minutes as hours, two decimals (the 服务时长 number everywhere)."""
    return round((minutes or 0) / 60, 2)


def period_for(year: int, month: int | None = None) -> tuple[date, date]:
    """(first day, last day) of a year, or of one month of it."""
    if month:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 1, 1), date(year, 12, 31)


def months_between(date_from: date, date_to: date) -> list[str]:
    """Every month `YYYY-MM` from date_from to date_to, ascending (for chart axes)."""
    months, y, m = [], date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _ids(values):
    return None if values is None else sorted({int(v) for v in values})


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _by_code_point(column):
    """Order text by Unicode code point: SQLite's BINARY does; PostgreSQL needs COLLATE "C"."""
    return column.collate("C") if _dialect() == "postgresql" else column


def _long(date_from, date_to) -> bool:
    """Periods over about a quarter: per-volunteer index probes beat sorting the period."""
    return (date_to - date_from).days > 92


def _record_conditions(date_from, date_to, team_ids=None, category_ids=None) -> list:
    """WHERE terms for approved records of the period and scope.

    Scoped to teams, the status test is written `status || '' = 'approved'` so that SQLite
    (which has no statistics unless ANALYZE was run) reads the teams' ranges of
    ix_records_team_cover instead of the whole period on ix_records_date_cover because the
    latter happens to match a GROUP BY order: 5 ms instead of 90 ms for one team and a year.
    """
    status = ServiceRecord.status.concat("") if team_ids is not None else ServiceRecord.status
    conds = [status == APPROVED, ServiceRecord.service_date >= date_from, ServiceRecord.service_date <= date_to]
    if team_ids is not None:
        conds.append(ServiceRecord.team_id.in_(team_ids))
    if category_ids is not None:
        conds.append(ServiceRecord.category_id.in_(category_ids))
    return conds


@lru_cache(maxsize=4096)
def _month(day: date) -> str:
    """'YYYY-MM' of a date (memoised: the grouped rows repeat the same few hundred dates)."""
    return f"{day.year:04d}-{day.month:02d}"


# --------------------------------------------------------------- grouped facts (SQL)
# Each returns aggregated rows only (a few thousand at most for any period), never records.


def _record_facts_by_date_category(date_from, date_to, team_ids, category_ids):
    """[(service_date, category_id, records, minutes)]: one pass over ix_records_date_cover
    (or ix_records_team_cover when scoped to teams)."""
    stmt = (select(ServiceRecord.service_date, ServiceRecord.category_id, func.count(), func.sum(ServiceRecord.minutes))
            .where(*_record_conditions(date_from, date_to, team_ids, category_ids))
            .group_by(ServiceRecord.service_date, ServiceRecord.category_id))
    return db.session.execute(stmt).all()


def _record_facts_by_team(date_from, date_to, team_ids, category_ids, all_team_ids, with_volunteers=True):
    """{team_id: (records, minutes, volunteers)} over ix_records_team_cover (one range per team).

    Unscoped, the team ids are listed anyway so SQLite reads one index range per team instead
    of sorting the period; with a category and no team scope, the category (which only
    ix_records_date_cover holds) narrows the rows first instead.
    """
    team = ServiceRecord.team_id
    conds = _record_conditions(date_from, date_to, team_ids, category_ids)
    if team_ids is None and category_ids is None:
        conds.append(ServiceRecord.team_id.in_(all_team_ids))
    elif team_ids is None:
        team = (ServiceRecord.team_id + 0).label("team_id")  # "+ 0": keep SQLite off ix_records_team_cover
    columns = [team, func.count(), func.sum(ServiceRecord.minutes)]
    if with_volunteers:
        columns.append(func.count(ServiceRecord.volunteer_id.distinct()))
    stmt = select(*columns).where(*conds).group_by(team)
    return {row[0]: (row[1], row[2] or 0, row[3] if with_volunteers else None)
            for row in db.session.execute(stmt)}


def _activity_facts(date_from, date_to, team_ids, category_ids):
    """[(team_id, category_id, service_date, activities)]: activities of the period that have
    at least one approved record (an EXISTS probe per activity on ix_records_activity)."""
    # `status || ''`: without ANALYZE statistics SQLite would otherwise probe ix_records_date_cover
    # (status = ?) for every activity, a scan of the whole table each time.
    has_approved = exists().where(ServiceRecord.activity_id == Activity.id,
                                  ServiceRecord.status.concat("") == APPROVED)
    stmt = select(Activity.team_id, Activity.category_id, Activity.service_date, func.count()).where(
        Activity.service_date >= date_from, Activity.service_date <= date_to, has_approved)
    if team_ids is not None:
        stmt = stmt.where(Activity.team_id.in_(team_ids))
    if category_ids is not None:
        stmt = stmt.where(Activity.category_id.in_(category_ids))
    stmt = stmt.group_by(Activity.team_id, Activity.category_id, Activity.service_date)
    return db.session.execute(stmt).all()


def _in_teams(team_ids):
    return exists().where(TeamMembership.volunteer_id == Volunteer.id, TeamMembership.team_id.in_(team_ids))


def _registrations_by_date(date_from, date_to, team_ids):
    """[(registered_on, count)] over ix_volunteers_registered_on."""
    stmt = select(Volunteer.registered_on, func.count()).where(
        Volunteer.registered_on >= date_from, Volunteer.registered_on <= date_to)
    if team_ids is not None:
        stmt = stmt.where(_in_teams(team_ids))
    return db.session.execute(stmt.group_by(Volunteer.registered_on)).all()


def _teams(team_ids):
    stmt = select(Team.id, Team.name, Team.kind, Team.is_active)
    if team_ids is not None:
        stmt = stmt.where(Team.id.in_(team_ids))
    return db.session.execute(stmt).all()


def _categories(category_ids):
    stmt = select(ServiceCategory.id, ServiceCategory.name, ServiceCategory.sort_order, ServiceCategory.is_active)
    if category_ids is not None:
        stmt = stmt.where(ServiceCategory.id.in_(category_ids))
    return db.session.execute(stmt).all()


# ------------------------------------------------------------------ the four summaries


def summary_by_team(date_from: date, date_to: date, team_ids=None, category_ids=None, *,
                    with_volunteers: bool = True) -> list[dict]:
    """Sheet 按队伍: one row per team.

    Rows: {"team_id", "name", "kind", "activities", "records", "minutes", "hours", "volunteers"}
    (队伍名称 · 队伍类型 · 活动次数 · 参与人次 · 服务时长 · 参与志愿者数). Every active team in
    scope is listed, zeros included; an inactive (停用) team appears only when it has approved
    records in the period, so the rows always add up to the period's totals. Sorted by hours
    descending, then team name by code point. `volunteers` counts distinct volunteers with an
    approved record in the team's activities (not the team's members). `with_volunteers=False`
    skips that distinct count (it is the one costly part) and leaves `volunteers` as None.
    """
    team_ids, category_ids = _ids(team_ids), _ids(category_ids)
    teams = _teams(team_ids)
    facts = _record_facts_by_team(date_from, date_to, team_ids, category_ids, [t.id for t in teams], with_volunteers)
    activities = defaultdict(int)
    for team_id, _cat, _day, n in _activity_facts(date_from, date_to, team_ids, category_ids):
        activities[team_id] += n
    return _team_rows(teams, facts, activities, with_volunteers)


def _team_rows(teams, facts, activities, with_volunteers) -> list[dict]:
    rows = []
    for t in teams:
        records, minutes, volunteers = facts.get(t.id, (0, 0, 0 if with_volunteers else None))
        if not t.is_active and not records:
            continue
        rows.append({"team_id": t.id, "name": t.name, "kind": t.kind, "activities": activities.get(t.id, 0),
                     "records": records, "minutes": minutes, "hours": hours_of(minutes), "volunteers": volunteers})
    rows.sort(key=lambda r: (-r["minutes"], r["name"]))
    return rows


def summary_by_category(date_from: date, date_to: date, team_ids=None, category_ids=None) -> list[dict]:
    """Sheet 按类别: one row per service category.

    Rows: {"category_id", "name", "activities", "records", "minutes", "hours"}
    (服务类别 · 活动次数 · 参与人次 · 服务时长). Every active category in scope is listed, zeros
    included; an inactive category only when it has approved records in the period; records of
    activities without a category appear as a row "未分类" (category_id None) only when there
    are any. Sorted by hours descending, then the category's sort order, then name.
    """
    team_ids, category_ids = _ids(team_ids), _ids(category_ids)
    by_date = _record_facts_by_date_category(date_from, date_to, team_ids, category_ids)
    acts = _activity_facts(date_from, date_to, team_ids, category_ids)
    return _category_rows(_categories(category_ids), by_date, acts)


def _category_rows(categories, by_date, acts) -> list[dict]:
    records, minutes, activities = defaultdict(int), defaultdict(int), defaultdict(int)
    for _day, cat, n, m in by_date:
        records[cat] += n
        minutes[cat] += m or 0
    for _team, cat, _day, n in acts:
        activities[cat] += n
    rows = []
    for c in categories:
        if not c.is_active and not records.get(c.id):
            continue
        rows.append({"category_id": c.id, "name": c.name, "activities": activities.get(c.id, 0),
                     "records": records.get(c.id, 0), "minutes": minutes.get(c.id, 0),
                     "hours": hours_of(minutes.get(c.id, 0)), "_order": c.sort_order})
    if records.get(None):
        rows.append({"category_id": None, "name": UNCATEGORISED, "activities": activities.get(None, 0),
                     "records": records[None], "minutes": minutes[None], "hours": hours_of(minutes[None]),
                     "_order": 1 << 30})
    rows.sort(key=lambda r: (-r["minutes"], r["_order"], r["name"]))
    for r in rows:
        del r["_order"]
    return rows


def summary_by_month(date_from: date, date_to: date, team_ids=None, category_ids=None) -> list[dict]:
    """Sheet 按月份: one row per month of the period that had an activity (an approved record)
    or a registration, ascending.

    Rows: {"month": "YYYY-MM", "activities", "records", "minutes", "hours", "new_volunteers"}
    (月份 · 活动次数 · 参与人次 · 服务时长 · 新注册志愿者). 新注册志愿者 counts volunteers by
    their 注册日期 (`registered_on`), whatever their status now; with a team scope, only
    members of those teams.
    """
    team_ids, category_ids = _ids(team_ids), _ids(category_ids)
    by_date = _record_facts_by_date_category(date_from, date_to, team_ids, category_ids)
    acts = _activity_facts(date_from, date_to, team_ids, category_ids)
    regs = _registrations_by_date(date_from, date_to, team_ids)
    return _month_rows(by_date, acts, regs)


def _month_tallies(by_date, acts, regs):
    tally = defaultdict(lambda: {"activities": 0, "records": 0, "minutes": 0, "new_volunteers": 0})
    for day, _cat, n, m in by_date:
        t = tally[_month(day)]
        t["records"] += n
        t["minutes"] += m or 0
    for _team, _cat, day, n in acts:
        tally[_month(day)]["activities"] += n
    for day, n in regs:
        tally[_month(day)]["new_volunteers"] += n
    return tally


def _month_rows(by_date, acts, regs, tally=None) -> list[dict]:
    tally = tally if tally is not None else _month_tallies(by_date, acts, regs)
    rows = []
    for month in sorted(tally):
        t = tally[month]
        if not (t["records"] or t["new_volunteers"]):
            continue
        rows.append({"month": month, "activities": t["activities"], "records": t["records"],
                     "minutes": t["minutes"], "hours": hours_of(t["minutes"]), "new_volunteers": t["new_volunteers"]})
    return rows


# ------------------------------------------------------------------------- ranking


def _period_totals_subquery(date_from, date_to, team_ids, category_ids):
    conds = _record_conditions(date_from, date_to, team_ids, category_ids)
    if team_ids is None and category_ids is None and _long(date_from, date_to) and _dialect() == "sqlite":
        # Drive the GROUP BY from ix_records_volunteer_cover, one short range per volunteer,
        # instead of sorting a long period in a temporary B-tree (about twice as fast for a year).
        conds.append(ServiceRecord.volunteer_id.in_(select(Volunteer.id)))
    return (select(ServiceRecord.volunteer_id.label("volunteer_id"), func.sum(ServiceRecord.minutes).label("minutes"))
            .where(*conds).group_by(ServiceRecord.volunteer_id).subquery("period_totals"))


def all_time_minutes(volunteer_ids) -> dict[int, int]:
    """{volunteer_id: approved minutes ever} for some volunteers (ix_records_volunteer_cover)."""
    ids = sorted(set(volunteer_ids))
    result = {}
    if len(ids) > 2000:  # most of the registry (the export): one pass over the index beats chunks
        wanted = set(ids)
        rows = db.session.execute(
            select(ServiceRecord.volunteer_id, func.sum(ServiceRecord.minutes))
            .where(ServiceRecord.volunteer_id.in_(select(Volunteer.id)), ServiceRecord.status == APPROVED)
            .group_by(ServiceRecord.volunteer_id))
        return {k: int(v or 0) for k, v in rows if k in wanted}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        result.update(db.session.execute(
            select(ServiceRecord.volunteer_id, func.sum(ServiceRecord.minutes))
            .where(ServiceRecord.volunteer_id.in_(chunk), ServiceRecord.status == APPROVED)
            .group_by(ServiceRecord.volunteer_id)).all())
    return {k: int(v or 0) for k, v in result.items()}


def team_names(volunteer_ids) -> dict[int, str]:
    """{volunteer_id: "队伍甲、队伍乙"}: each volunteer's teams (memberships) by name."""
    ids = sorted(set(volunteer_ids))
    names = defaultdict(list)
    base = select(TeamMembership.volunteer_id, Team.name).join(Team, Team.id == TeamMembership.team_id)
    if len(ids) > 2000:  # most of the registry (the export): every membership in one query
        wanted = set(ids)
        for vid, name in db.session.execute(base):
            if vid in wanted:
                names[vid].append(name)
    for i in range(0, len(ids) if len(ids) <= 2000 else 0, 500):
        for vid, name in db.session.execute(base.where(TeamMembership.volunteer_id.in_(ids[i:i + 500]))):
            names[vid].append(name)
    return {vid: "、".join(sorted(v)) for vid, v in names.items()}


def volunteer_ranking(date_from: date, date_to: date, team_ids=None, category_ids=None, *,
                      limit: int | None = None, offset: int = 0) -> list[dict]:
    """Sheet 志愿者排行: every volunteer with approved hours in the period (and scope).

    Rows: {"rank", "volunteer_id", "name", "teams", "minutes", "hours", "stars", "stars_text"}
    (排名 · 姓名 · 所属队伍 · 服务时长 · 星级). Ordered by hours descending, then 姓名 by Unicode
    code point (then registry id). Equal hours share a rank, competition style: 1, 2, 2, 4
    (SQL RANK(), so a page from `offset` carries the true rank). `teams` is the volunteer's
    teams (memberships) by name joined by 、; `stars` is the all-time level (CONTRACT
    section 6) and `stars_text` that many ★ ("" below the first level). `limit`/`offset`
    page the list; without them it is complete (the export).
    """
    return ranking_page(date_from, date_to, team_ids, category_ids, limit=limit, offset=offset)[0]


def ranking_page(date_from: date, date_to: date, team_ids=None, category_ids=None, *,
                 limit: int | None = None, offset: int = 0) -> tuple[list[dict], int]:
    """(volunteer_ranking rows, how many volunteers the whole ranking has) in one query."""
    team_ids, category_ids = _ids(team_ids), _ids(category_ids)
    totals = _period_totals_subquery(date_from, date_to, team_ids, category_ids)
    rank = func.rank().over(order_by=totals.c.minutes.desc())
    stmt = (select(totals.c.volunteer_id, Volunteer.name, totals.c.minutes, rank, func.count().over())
            .join(Volunteer, Volunteer.id == totals.c.volunteer_id)
            .order_by(totals.c.minutes.desc(), _by_code_point(Volunteer.name), Volunteer.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    rows = db.session.execute(stmt).all()
    ids = [r[0] for r in rows]
    ever, teams = all_time_minutes(ids), team_names(ids)
    result = []
    for vid, name, minutes, rnk, _count in rows:
        level = star_level(ever.get(vid, 0))
        result.append({"rank": rnk, "volunteer_id": vid, "name": name, "teams": teams.get(vid, ""),
                       "minutes": int(minutes), "hours": hours_of(minutes), "stars": level,
                       "stars_text": stars_text(level)})
    if rows:
        total = rows[0][4]
    elif offset:
        total = ranking_count(date_from, date_to, team_ids, category_ids)
    else:
        total = 0
    return result, total


def ranking_count(date_from: date, date_to: date, team_ids=None, category_ids=None) -> int:
    """How many volunteers have approved hours in the period and scope (参与志愿者数 in total)."""
    team_ids, category_ids = _ids(team_ids), _ids(category_ids)
    if team_ids is None and category_ids is None and _long(date_from, date_to):
        # One EXISTS probe per registered volunteer on ix_records_volunteer_cover: no sort.
        served = exists().where(ServiceRecord.volunteer_id == Volunteer.id,
                                *_record_conditions(date_from, date_to))
        return db.session.scalar(select(func.count()).select_from(Volunteer).where(served)) or 0
    stmt = select(func.count(ServiceRecord.volunteer_id.distinct())).where(
        *_record_conditions(date_from, date_to, team_ids, category_ids))
    return db.session.scalar(stmt) or 0


# ------------------------------------------------------------------ the page as a whole


def registered_count(as_of: date, team_ids=None) -> int:
    """Registered volunteers (status 正常) with 注册日期 on or before `as_of`, in the team scope."""
    team_ids = _ids(team_ids)
    conds = (Volunteer.status == "active", Volunteer.registered_on <= as_of)
    if team_ids is None:
        return db.session.scalar(select(func.count()).select_from(Volunteer).where(*conds)) or 0
    members = (select(TeamMembership.volunteer_id).join(Volunteer, Volunteer.id == TeamMembership.volunteer_id)
               .where(TeamMembership.team_id.in_(team_ids), *conds).distinct().subquery())
    return db.session.scalar(select(func.count()).select_from(members)) or 0


def dashboard(date_from: date, date_to: date, team_ids=None, category_ids=None, *,
              with_team_volunteers: bool = True, top: int = 0) -> dict:
    """Everything the reports page shows for a period and scope, each fact queried once.

    {"totals": {"registered", "active_volunteers", "new_volunteers", "activities", "records",
                "minutes", "hours"},
     "by_team": summary_by_team rows, "by_category": summary_by_category rows,
     "by_month": summary_by_month rows, "ranking": the first `top` volunteer_ranking rows (none
     unless asked: the ranking is a GROUP BY per volunteer, the costliest query here),
     "month_series": [{"month", "activities", "records", "minutes", "hours", "new_volunteers"}]
                     for every month of the period (zeros included, for charts)}
    """
    team_ids, category_ids = _ids(team_ids), _ids(category_ids)
    teams = _teams(team_ids)
    by_date = _record_facts_by_date_category(date_from, date_to, team_ids, category_ids)
    acts = _activity_facts(date_from, date_to, team_ids, category_ids)
    regs = _registrations_by_date(date_from, date_to, team_ids)
    team_facts = _record_facts_by_team(date_from, date_to, team_ids, category_ids, [t.id for t in teams],
                                       with_team_volunteers)
    team_acts = defaultdict(int)
    for team_id, _cat, _day, n in acts:
        team_acts[team_id] += n
    tally = _month_tallies(by_date, acts, regs)
    empty = {"activities": 0, "records": 0, "minutes": 0, "new_volunteers": 0}
    series = [dict(tally.get(m, empty), month=m, hours=hours_of(tally.get(m, empty)["minutes"]))
              for m in months_between(date_from, date_to)]
    minutes = sum(m or 0 for *_x, m in by_date)
    if top:
        ranking, served = ranking_page(date_from, date_to, team_ids, category_ids, limit=top)
    else:
        ranking, served = [], ranking_count(date_from, date_to, team_ids, category_ids)
    totals = {
        "registered": registered_count(date_to, team_ids),
        "active_volunteers": served,
        "new_volunteers": sum(n for _d, n in regs),
        "activities": sum(row[3] for row in acts),
        "records": sum(row[2] for row in by_date),
        "minutes": minutes,
        "hours": hours_of(minutes),
    }
    return {"totals": totals, "by_team": _team_rows(teams, team_facts, team_acts, with_team_volunteers),
            "by_category": _category_rows(_categories(category_ids), by_date, acts),
            "by_month": _month_rows(by_date, acts, regs, tally), "month_series": series, "ranking": ranking}


def summary_sheets(date_from: date, date_to: date, team_ids=None) -> list[tuple[str, tuple, list[list]]]:
    """The `export summary` workbook as [(sheet name, header row, data rows)], in order.

    Exactly the four summaries above turned into cells: 服务时长 is the `hours` float,
    月份 the text `YYYY-MM`, 星级 `★★` or "". The Excel writer only has to write them out.
    """
    team_rows = summary_by_team(date_from, date_to, team_ids)
    category_rows = summary_by_category(date_from, date_to, team_ids)
    month_rows = summary_by_month(date_from, date_to, team_ids)
    ranking = volunteer_ranking(date_from, date_to, team_ids)
    data = [
        [[r["name"], r["kind"], r["activities"], r["records"], r["hours"], r["volunteers"]] for r in team_rows],
        [[r["name"], r["activities"], r["records"], r["hours"]] for r in category_rows],
        [[r["month"], r["activities"], r["records"], r["hours"], r["new_volunteers"]] for r in month_rows],
        [[r["rank"], r["name"], r["teams"], r["hours"], r["stars_text"]] for r in ranking],
    ]
    return [(name, header, rows) for (name, header), rows in zip(SUMMARY_SHEETS, data)]


# --------------------------------------------------------------- inactive teams


def inactive_teams(team_ids=None, today: date | None = None, thresholds=INACTIVE_THRESHOLDS) -> list[dict]:
    """Active teams with no service in the last 30/60/90 days (as of `today`, Beijing time).

    A team's last service is its latest activity date, on or before today, with a pending or
    approved record. Rows: {"team_id", "name", "kind", "last_date" (None: never), "days"
    (None: never), "bucket" (90, 60 or 30: the largest threshold reached)}; teams that served
    within the smallest threshold are left out. Never-served first, then the longest idle.
    Two index seeks per team on ix_records_team_cover (MAX over a range), nothing more.
    """
    today = today or today_local()
    team_ids = _ids(team_ids)

    def last(status):
        return (select(func.max(ServiceRecord.service_date))
                .where(ServiceRecord.team_id == Team.id, ServiceRecord.status == status,
                       ServiceRecord.service_date <= today).scalar_subquery())

    stmt = select(Team.id, Team.name, Team.kind, last(APPROVED), last("pending")).where(Team.is_active.is_(True))
    if team_ids is not None:
        stmt = stmt.where(Team.id.in_(team_ids))
    smallest = min(thresholds)
    rows = []
    for team_id, name, kind, approved, pending in db.session.execute(stmt):
        dates = [d for d in (approved, pending) if d]
        last_date = max(dates) if dates else None
        days = (today - last_date).days if last_date else None
        if days is not None and days < smallest:
            continue
        bucket = max(t for t in thresholds if days is None or days >= t)
        rows.append({"team_id": team_id, "name": name, "kind": kind, "last_date": last_date, "days": days,
                     "bucket": bucket})
    rows.sort(key=lambda r: (r["days"] is not None, -(r["days"] or 0), r["name"]))
    return rows


# ------------------------------------------------------------- star promotions (公示)


def _level_case(minutes_expr):
    """SQL CASE giving the star level of an approved-minutes expression (CONTRACT section 6)."""
    return case(*[(minutes_expr >= needed * 60, stars) for needed, stars in STAR_LEVELS], else_=0)


def star_promotions(date_from: date, date_to: date, team_ids=None) -> list[dict]:
    """The 公示 list: volunteers whose star level at the end of the period is higher than at its
    start. Level at the start counts approved records dated before `date_from`; at the end,
    those dated up to `date_to` (so a volunteer can be promoted only by hours served in the
    period). `team_ids` limits the list to members of those teams.

    Rows: {"volunteer_id", "name", "teams", "level_from", "level_to", "stars_from", "stars_to",
    "minutes_from", "minutes_to", "hours_from", "hours_to", "period_minutes", "period_hours"},
    highest new level first, then hours at the end descending, then name by code point.
    """
    team_ids = _ids(team_ids)
    if team_ids is None:
        who = select(Volunteer.id)
    else:
        who = select(TeamMembership.volunteer_id).where(TeamMembership.team_id.in_(team_ids))
    end_total = func.sum(ServiceRecord.minutes)
    start_total = func.sum(case((ServiceRecord.service_date < date_from, ServiceRecord.minutes), else_=0))
    lowest = min(needed for needed, _ in STAR_LEVELS) * 60
    # One pass over ix_records_volunteer_cover, volunteer by volunteer (no sort): the approved
    # minutes up to the period's end, and the part of them before it.
    sums = (select(ServiceRecord.volunteer_id.label("volunteer_id"), start_total.label("start"),
                   end_total.label("end"))
            .where(ServiceRecord.volunteer_id.in_(who), ServiceRecord.status == APPROVED,
                   ServiceRecord.service_date <= date_to)
            .group_by(ServiceRecord.volunteer_id)
            .having(and_(end_total >= lowest, end_total > start_total)).subquery("sums"))
    # The level comparison on the sums' columns, outside the GROUP BY: written in the HAVING,
    # SQLite would compute each SUM once per CASE branch (ten times slower).
    stmt = select(sums.c.volunteer_id, sums.c.start, sums.c.end).where(
        _level_case(sums.c.end) > _level_case(sums.c.start))
    found = db.session.execute(stmt).all()
    ids = [r[0] for r in found]
    names = {}
    for i in range(0, len(ids), 500):
        names.update(db.session.execute(select(Volunteer.id, Volunteer.name).where(Volunteer.id.in_(ids[i:i + 500]))).all())
    teams = team_names(ids)
    rows = []
    for vid, start, end in found:
        start, end = int(start or 0), int(end or 0)
        lf, lt = star_level(start), star_level(end)
        rows.append({"volunteer_id": vid, "name": names.get(vid, ""), "teams": teams.get(vid, ""),
                     "level_from": lf, "level_to": lt, "stars_from": stars_text(lf), "stars_to": stars_text(lt),
                     "minutes_from": start, "minutes_to": end, "hours_from": hours_of(start),
                     "hours_to": hours_of(end), "period_minutes": end - start, "period_hours": hours_of(end - start)})
    rows.sort(key=lambda r: (-r["level_to"], -r["minutes_to"], r["name"], r["volunteer_id"]))
    return rows


def default_period(today: date | None = None) -> tuple[date, date]:
    """The period the page opens on: the current calendar year (Beijing time)."""
    today = today or today_local()
    return period_for(today.year)


__all__ = [
    "SUMMARY_SHEETS", "hours_of", "period_for", "months_between", "summary_by_team", "summary_by_category",
    "summary_by_month", "volunteer_ranking", "ranking_page", "ranking_count", "registered_count", "dashboard", "summary_sheets",
    "inactive_teams", "star_promotions", "all_time_minutes", "team_names", "default_period", "year_choices",
]


def year_choices(today: date | None = None) -> list[int]:
    """Years the page offers: from the first approved record (or registration) to this year."""
    today = today or today_local()
    first = db.session.scalar(select(func.min(ServiceRecord.service_date)).where(ServiceRecord.status == APPROVED))
    registered = db.session.scalar(select(func.min(Volunteer.registered_on)))
    start = min([d.year for d in (first, registered) if d] + [today.year])
    return list(range(today.year, max(start, today.year - 30) - 1, -1))
