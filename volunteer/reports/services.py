"""Statistics: the reports page and the `export summary` workbook (CONTRACT section 5).

Every function here is a plain function over the database that returns plain data (lists of
dicts, ints, floats, strings, dates); none touches the request. The Excel export writes its
workbook from exactly these functions, so the page and the workbook always agree.

Definitions (CONTRACT section 5), shared by every function:

* Only approved (已确认) records count. A record counts for the team and the category of its
  activity and for the month of its activity date (copied onto the record).
* `date_from` and `date_to` are inclusive activity dates. A year or a month is read from the
  pre-aggregated facts (reports/facts.py, volunteer/figures/facts.py); other periods group
  the records.
* `minutes` is the exact sum; `hours` is `round(minutes / 60, 2)`.
* 参与人次 (`records`) counts approved records; 参与志愿者数 (`volunteers`) counts distinct
  volunteers with at least one approved record; 活动次数 (`activities`) counts, per team,
  category and month, the activities with at least one approved record there.
* Scope: `team_ids=None` means every team; a list limits the figures to records of activities
  run by those teams (a leader's view, or one team picked on the page). `category_ids` works
  the same way for categories. An empty list means "nothing" (a leader who leads no team).
  New registrations follow the team scope by membership and ignore the category scope.

The ranking and the 公示 list live in reports/rankings.py and are re-exported here.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select

from ..extensions import db
from ..hours.models import ServiceRecord
from ..clock import today_local
from ..teams.models import Team
from ..volunteers.models import Volunteer
from . import facts
from ..fields import hours_of
from ..periods import months_between
from .facts import APPROVED, registered_count
from .rankings import (all_time_minutes, ranking_count, ranking_page, star_page, star_promotions, team_names,
                       volunteer_ranking)

UNCATEGORISED = "未分类"
INACTIVE_THRESHOLDS = (90, 60, 30)

__all__ = [
    "summary_by_team", "summary_by_category", "summary_by_month",
    "volunteer_ranking", "ranking_page", "ranking_count", "registered_count", "dashboard", "inactive_teams",
    "star_promotions", "star_page", "all_time_minutes", "team_names", "year_choices",
]


# ------------------------------------------------------------------ the three summaries


def summary_by_team(date_from: date, date_to: date, team_ids=None, category_ids=None, *,
                    with_volunteers: bool = True) -> list[dict]:
    """Sheet 按队伍: one row per team.

    Rows: {"team_id", "name", "kind", "activities", "records", "minutes", "hours", "volunteers"}
    (队伍名称 · 队伍类型 · 活动次数 · 参与人次 · 服务时长 · 参与志愿者数). Every active team in
    scope is listed, zeros included; an inactive (停用) team appears only when it has approved
    records in the period, so the rows always add up to the period's totals. Sorted by hours
    descending, then team name by code point. `volunteers` counts distinct volunteers with an
    approved record in the team's activities (not the team's members); `with_volunteers=False`
    leaves it None.
    """
    team_ids, category_ids = facts.ids(team_ids), facts.ids(category_ids)
    teams = facts.teams(team_ids)
    sums = facts.cell_sums(date_from, date_to, team_ids, category_ids)["team"]
    volunteers = facts.volunteers_by_team(date_from, date_to, team_ids, category_ids, [t.id for t in teams]) \
        if with_volunteers else None
    return _team_rows(teams, sums, volunteers)


def _team_rows(teams, sums, volunteers) -> list[dict]:
    rows = []
    for t in teams:
        records, minutes, activities = sums.get(t.id, (0, 0, 0))
        if not t.is_active and not records:
            continue
        rows.append({"team_id": t.id, "name": t.name, "kind": t.kind, "activities": activities, "records": records,
                     "minutes": minutes, "hours": hours_of(minutes),
                     "volunteers": None if volunteers is None else volunteers.get(t.id, 0)})
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
    team_ids, category_ids = facts.ids(team_ids), facts.ids(category_ids)
    return _category_rows(facts.categories(category_ids),
                          facts.cell_sums(date_from, date_to, team_ids, category_ids)["category"])


def _category_rows(categories, sums) -> list[dict]:
    records = {k: v[0] for k, v in sums.items()}
    minutes = {k: v[1] for k, v in sums.items()}
    activities = {k: v[2] for k, v in sums.items()}
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
    team_ids, category_ids = facts.ids(team_ids), facts.ids(category_ids)
    by_month = facts.cell_sums(date_from, date_to, team_ids, category_ids)["month"]
    return _month_rows(_month_tallies(by_month, facts.registrations_by_month(date_from, date_to, team_ids)))


def _month_tallies(by_month, regs):
    tally = defaultdict(lambda: {"activities": 0, "records": 0, "minutes": 0, "new_volunteers": 0})
    for month, (n, m, a) in by_month.items():
        t = tally[month]
        t["records"] += n
        t["minutes"] += m
        t["activities"] += a
    for month, n in regs:
        tally[month]["new_volunteers"] += int(n)
    return tally


def _month_rows(tally) -> list[dict]:
    rows = []
    for month in sorted(tally):
        t = tally[month]
        if not (t["records"] or t["new_volunteers"]):
            continue
        rows.append({"month": month, "activities": t["activities"], "records": t["records"],
                     "minutes": t["minutes"], "hours": hours_of(t["minutes"]), "new_volunteers": t["new_volunteers"]})
    return rows


# ------------------------------------------------------------------ the page as a whole


def dashboard(date_from: date, date_to: date, team_ids=None, category_ids=None, *,
              with_team_volunteers: bool = True, top: int = 0) -> dict:
    """Everything the reports page shows for a period and scope, each fact read once.

    {"totals": {"registered", "active_volunteers", "new_volunteers", "activities", "records",
                "minutes", "hours"},
     "by_team": summary_by_team rows, "by_category": summary_by_category rows,
     "by_month": summary_by_month rows, "ranking": the first `top` volunteer_ranking rows,
     "month_series": [{"month", "activities", "records", "minutes", "hours", "new_volunteers"}]
                     for every month of the period (zeros included, for charts)}
    """
    team_ids, category_ids = facts.ids(team_ids), facts.ids(category_ids)
    teams = facts.teams(team_ids)
    sums = facts.cell_sums(date_from, date_to, team_ids, category_ids)
    regs = facts.registrations_by_month(date_from, date_to, team_ids)
    volunteers = facts.volunteers_by_team(date_from, date_to, team_ids, category_ids, [t.id for t in teams]) \
        if with_team_volunteers else None
    tally = _month_tallies(sums["month"], regs)
    empty = {"activities": 0, "records": 0, "minutes": 0, "new_volunteers": 0}
    series = [dict(tally.get(m, empty), month=m, hours=hours_of(tally.get(m, empty)["minutes"]))
              for m in months_between(date_from, date_to)]
    minutes = sum(v[1] for v in sums["month"].values())
    if top:
        ranking, served = ranking_page(date_from, date_to, team_ids, category_ids, limit=top)
    else:
        ranking, served = [], ranking_count(date_from, date_to, team_ids, category_ids)
    totals = {
        "registered": registered_count(date_to, team_ids),
        "active_volunteers": served,
        "new_volunteers": sum(int(n) for _m, n in regs),
        "activities": sum(v[2] for v in sums["month"].values()),
        "records": sum(v[0] for v in sums["month"].values()),
        "minutes": minutes,
        "hours": hours_of(minutes),
    }
    return {"totals": totals, "by_team": _team_rows(teams, sums["team"], volunteers),
            "by_category": _category_rows(facts.categories(category_ids), sums["category"]),
            "by_month": _month_rows(tally), "month_series": series, "ranking": ranking}


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
    team_ids = facts.ids(team_ids)

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


def year_choices(today: date | None = None) -> list[int]:
    """Years the page offers: from the first approved record (or registration) to this year."""
    today = today or today_local()
    first = db.session.scalar(select(func.min(ServiceRecord.service_date)).where(ServiceRecord.status == APPROVED))
    registered = db.session.scalar(select(func.min(Volunteer.registered_on)))
    start = min([d.year for d in (first, registered) if d] + [today.year])
    return list(range(today.year, max(start, today.year - 30) - 1, -1))
