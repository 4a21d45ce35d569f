"""Excel exports: the roster, service records, activities, the statistics workbook and the
star-level public list (CONTRACT sections 2 and 5).

Plain services, shared by the command line and the pages: each streams its rows from one SQL
query (fetched in chunks, with lookups per chunk or from small preloaded tables, never a
query per row) into :func:`volunteer.excel.writer.write_workbook`, which writes every text
cell as text and continues past 1,000,000 rows on a second sheet.  They never commit; the
only write is the audit entry of a full-ID export, added after the file is written.

``actor`` is the User (None for the command line, which has office rights): the office sees
everything, a leader the teams they lead, and a volunteer may not export at all.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select

from ..activities.models import ACTIVITY_STATUS, Activity
from ..audit.services import record
from ..auth.models import User
from ..errors import ServiceError
from ..extensions import db
from ..hours.models import RECORD_STATUS, ServiceRecord
from ..clock import CHINA_TZ, today_local
from ..fields import hours_of
from ..teams.models import ServiceCategory, Team, TeamMembership
from ..volunteers.models import Volunteer
from ..periods import period_for
from ..privacy import id_for
from ..views import month_span
from ..volunteers.services import search_volunteers
from .columns import HOURS_COLUMNS, VOLUNTEER_COLUMNS
from .templates import DATA_SHEETS
from .writer import SheetSpec, write_workbook

Target = str | Path | BinaryIO

CHUNK = 5000  # rows fetched per round trip (server-side cursor on PostgreSQL)
TEAM_JOIN = "、"
UTC_OFFSET = CHINA_TZ.utcoffset(None)  # stored times are naive UTC; files show Beijing time

VOLUNTEER_SHEET = DATA_SHEETS["volunteers"]  # 志愿者花名册
VOLUNTEER_HEADER = [c.header for c in VOLUNTEER_COLUMNS]
VOLUNTEER_TEXT = {i for i, c in enumerate(VOLUNTEER_COLUMNS) if c.key in ("id_number", "phone", "guardian_phone",
                                                                                 "national_no")}
VOLUNTEER_WIDTHS = [12, 6, 12, 22, 14, 12, 12, 10, 20, 14, 28, 14, 12, 14, 12, 24, 18]

HOURS_SHEET = DATA_SHEETS["hours"]  # 服务时长
HOURS_EXTRA = ["状态", "记录人", "审核时间"]
HOURS_HEADER = [c.header for c in HOURS_COLUMNS] + HOURS_EXTRA
HOURS_TEXT = {i for i, c in enumerate(HOURS_COLUMNS) if c.key in ("id_number", "phone")}
HOURS_WIDTHS = [12, 22, 14, 26, 26, 12, 12, 10, 10, 10, 24, 10, 14, 17]

ACTIVITY_SHEET = "活动"
ACTIVITY_HEADER = ["活动名称", "所属队伍", "服务类别", "活动日期", "开始时间", "结束时间", "地点", "状态",
                   "计划人数", "时长记录", "已确认时长"]
ACTIVITY_WIDTHS = [26, 26, 12, 12, 10, 10, 20, 10, 10, 10, 12]

# CONTRACT section 5: the statistics workbook, sheets in this order, each with this header row.
SUMMARY_SHEETS = {
    "按队伍": ["队伍名称", "队伍类型", "活动次数", "参与人次", "服务时长", "参与志愿者数"],
    "按类别": ["服务类别", "活动次数", "参与人次", "服务时长"],
    "按月份": ["月份", "活动次数", "参与人次", "服务时长", "新注册志愿者"],
    "志愿者排行": ["排名", "姓名", "所属队伍", "服务时长", "星级"],
}
SUMMARY_WIDTHS = {"按队伍": [28, 10, 10, 10, 10, 12], "按类别": [14, 10, 10, 10],
                  "按月份": [10, 10, 10, 10, 12], "志愿者排行": [8, 12, 36, 10, 10]}
STAR_SHEET = "星级志愿者公示"
STAR_HEADER = ["序号", "姓名", "所属队伍", "原星级", "新星级", "本期服务时长", "累计服务时长"]
STAR_WIDTHS = [8, 12, 36, 10, 10, 14, 14]

RECORDER_BY_SOURCE = {"import": "导入", "seed": "系统", "web": "系统"}


# --- scope and argument helpers ------------------------------------------------------------------

def export_scope(actor) -> set[int] | None:
    """Team ids an actor may export (None: every team); a volunteer may not export."""
    role = getattr(actor, "role", None)
    if actor is None or role == "office":
        return None
    if role == "leader":
        return set(actor.led_team_ids)
    raise ServiceError("只有分中心办公室和队长可以导出数据。")


def team_id_by_name(name: str) -> int:
    """The id of the team called ``name`` (ServiceError when there is none)."""
    team_id = db.session.scalar(select(Team.id).where(Team.name == name.strip()))
    if team_id is None:
        raise ServiceError(f"队伍不存在：{name}")
    return team_id


def _names(model, column) -> dict[int, str]:
    """{id: name} of a small table (teams, categories)."""
    return dict(db.session.execute(select(model.id, column)).all())


def _stream(stmt) -> Iterator[list]:
    """Rows of a SELECT in chunks of CHUNK (server-side cursor where the database has one)."""
    result = db.session.execute(stmt.execution_options(yield_per=CHUNK))
    try:
        yield from result.partitions()
    finally:
        result.close()


def _masker(actor, full_id: bool):
    """The ID number as ``actor`` may see it (privacy.id_for: the office's mask for the office
    and the command line, the last 4 characters for a leader), with a cache: one ID number
    recurs on every record of its volunteer."""
    if full_id:
        return lambda number: number or ""
    cache: dict[str, str] = {}

    def masked(number):
        value = cache.get(number)
        if value is None:
            value = cache[number] = id_for(actor, number)
        return value

    return masked


# --- roster ------------------------------------------------------------------------------------

def export_volunteers(actor, target: Target, *, team_name: str | None = None, full_id: bool = False,
                      filters: Mapping[str, Any] | None = None, today: date | None = None) -> int:
    """Write the roster: one sheet, header on row 1, the import template's columns in order.

    ``filters`` are the roster list's (q, team_id, status, political_status, age_group) so a
    download holds what the list shows; a leader gets the members of their teams only.
    ID numbers are masked for the actor's role and 出生日期 is left empty unless ``full_id``
    (office only; audited with the count): the office's mask hides exactly the birth date, so
    the two together would be the full number (CONTRACT.md section 3).
    Returns the number of volunteers written.
    """
    scope = export_scope(actor)
    if full_id and actor is not None and actor.role != "office":
        raise ServiceError("只有分中心办公室可以导出完整证件号码。")
    args = {k: v for k, v in dict(filters or {}).items()
            if k in ("q", "team_id", "status", "political_status", "age_group") and v not in (None, "")}
    if team_name:
        args["team_id"] = team_id_by_name(team_name)
    stmt = search_volunteers(**args, team_ids=scope, today=today or today_local()).with_only_columns(
        Volunteer.id, Volunteer.name, Volunteer.gender, Volunteer.id_type, Volunteer.id_number, Volunteer.phone,
        Volunteer.birth_date, Volunteer.political_status, Volunteer.education, Volunteer.employer,
        Volunteer.community, Volunteer.skills, Volunteer.guardian_name, Volunteer.guardian_phone,
        Volunteer.registered_on, Volunteer.note, Volunteer.national_no)
    count = 0
    mask = _masker(actor, full_id)
    team_names = _names(Team, Team.name)

    def rows():
        nonlocal count
        for chunk in _stream(stmt):
            ids = [r[0] for r in chunk]
            teams: dict[int, list[str]] = {}
            for vid, tid in db.session.execute(
                    select(TeamMembership.volunteer_id, TeamMembership.team_id)
                    .where(TeamMembership.volunteer_id.in_(ids))):
                teams.setdefault(vid, []).append(team_names.get(tid, ""))
            for (vid, name, gender, id_type, id_number, phone, birth, political, education, employer,
                 community, skills, guardian, guardian_phone, registered, note, national_no) in chunk:
                joined = teams.get(vid)
                yield (name, gender, id_type, mask(id_number), phone, birth if full_id else None, political, education, employer,
                       community, TEAM_JOIN.join(sorted(joined)) if joined else None, skills, guardian,
                       guardian_phone, registered, note, national_no)
            count += len(chunk)

    write_workbook(target, [SheetSpec(VOLUNTEER_SHEET, VOLUNTEER_HEADER, rows(), VOLUNTEER_TEXT,
                                      VOLUNTEER_WIDTHS)])
    if full_id:
        record(actor, "volunteer.export_full_id", "volunteer", None,
               f"导出含完整证件号码的志愿者花名册（{count} 人）", count=count,
               filters={k: v for k, v in args.items()} or None)
    return count


# --- service records ---------------------------------------------------------------------------

def hours_statement(actor, *, date_from: date | None = None, date_to: date | None = None,
                    team_name: str | None = None, filters: Mapping[str, Any] | None = None):
    """The SELECT behind :func:`export_hours` (every status; dates inclusive)."""
    scope = export_scope(actor)
    filters = dict(filters or {})
    r, v, a = ServiceRecord.__table__.c, Volunteer.__table__.c, Activity.__table__.c
    stmt = (select(r.minutes, r.status, r.note, r.service_date, r.team_id, r.category_id, r.created_by_id,
                   r.approved_at, r.source, v.name, v.id_number, v.phone, a.title, a.start_time, a.end_time)
            .select_from(ServiceRecord.__table__)
            .join(Volunteer.__table__, v.id == r.volunteer_id)
            .join(Activity.__table__, a.id == r.activity_id))
    if scope is not None:
        stmt = stmt.where(r.team_id.in_(scope or [-1]))
    if team_name:
        stmt = stmt.where(r.team_id == team_id_by_name(team_name))
    if filters.get("team_id"):
        stmt = stmt.where(r.team_id == int(filters["team_id"]))
    if filters.get("category_id"):
        stmt = stmt.where(r.category_id == int(filters["category_id"]))
    if filters.get("status") in RECORD_STATUS:
        stmt = stmt.where(r.status == filters["status"])
    span = month_span(filters["month"]) if filters.get("month") else None
    if span:
        stmt = stmt.where(r.service_date >= span[0], r.service_date < span[1])
    if date_from:
        stmt = stmt.where(r.service_date >= date_from)
    if date_to:
        stmt = stmt.where(r.service_date <= date_to)
    return stmt.order_by(r.service_date, r.id)


def export_hours(actor, target: Target, *, date_from: date | None = None, date_to: date | None = None,
                 team_name: str | None = None, filters: Mapping[str, Any] | None = None) -> int:
    """Write one row per service record, every status: the hours template's columns, then
    状态 · 记录人 · 审核时间.  ``date_from``/``date_to`` are inclusive activity dates;
    ``filters`` may add team_id, category_id, month ('YYYY-MM') and status.  服务时长 is hours,
    审核时间 Beijing time.  Past 1,000,000 rows the writer continues on a second sheet.
    Returns the number of records written.
    """
    spec, counted = hours_sheet(actor, date_from=date_from, date_to=date_to, team_name=team_name, filters=filters)
    write_workbook(target, [spec])
    return counted()


def hours_sheet(actor, *, date_from: date | None = None, date_to: date | None = None,
                team_name: str | None = None, filters: Mapping[str, Any] | None = None):
    """:func:`export_hours`' sheet, its rows read as they are written (the web streams it:
    excel/streaming.py), and a function giving how many records have been read so far."""
    if date_from and date_to and date_from > date_to:
        raise ServiceError("开始日期不能晚于结束日期。")
    stmt = hours_statement(actor, date_from=date_from, date_to=date_to, team_name=team_name, filters=filters)
    teams, categories = _names(Team, Team.name), _names(ServiceCategory, ServiceCategory.name)
    users = {uid: display or username for uid, display, username in
             db.session.execute(select(User.id, User.display_name, User.username))}
    labels, by_source, offset = RECORD_STATUS, RECORDER_BY_SOURCE, UTC_OFFSET
    mask = _masker(actor, False)
    hours_cache: dict[int, float] = {}
    count = 0

    def rows():
        nonlocal count
        for chunk in _stream(stmt):
            for (minutes, status, note, day, team_id, category_id, by_id, approved_at, source,
                 name, id_number, phone, title, start, end) in chunk:
                hours = hours_cache.get(minutes)
                if hours is None:
                    hours = hours_cache[minutes] = hours_of(minutes)
                yield (name, mask(id_number), phone, teams.get(team_id), title, categories.get(category_id), day,
                       start, end, hours, note, labels.get(status, status),
                       users.get(by_id) if by_id else by_source.get(source, "系统"),
                       approved_at + offset if approved_at else None)
            count += len(chunk)

    return SheetSpec(HOURS_SHEET, HOURS_HEADER, rows(), HOURS_TEXT, HOURS_WIDTHS), lambda: count


# --- activities --------------------------------------------------------------------------------

def activities_statement(actor, filters: Mapping[str, Any] | None = None):
    """The SELECT behind :func:`export_activities`: the activities list's filters and order."""
    scope = export_scope(actor)
    filters = dict(filters or {})
    a = Activity.__table__.c
    stmt = select(a.id, a.title, a.team_id, a.category_id, a.service_date, a.start_time, a.end_time, a.place,
                  a.status, a.headcount)
    if scope is not None:
        stmt = stmt.where(a.team_id.in_(scope or [-1]))
    if filters.get("team_id"):
        stmt = stmt.where(a.team_id == int(filters["team_id"]))
    if filters.get("status") in ACTIVITY_STATUS:
        stmt = stmt.where(a.status == filters["status"])
    span = month_span(filters["month"]) if filters.get("month") else None
    if span:
        stmt = stmt.where(a.service_date >= span[0], a.service_date < span[1])
    return stmt.order_by(a.service_date.desc(), a.id.desc())


def export_activities(actor, target: Target, *, filters: Mapping[str, Any] | None = None) -> int:
    """Write the activities list under its filters (team_id, status, month), newest first, with
    each activity's count of live hour records (时长记录, as the list shows) and approved hours.
    Returns the number of activities written."""
    stmt = activities_statement(actor, filters)
    teams, categories = _names(Team, Team.name), _names(ServiceCategory, ServiceCategory.name)
    r = ServiceRecord.__table__.c
    count = 0

    def rows():
        nonlocal count
        for chunk in _stream(stmt):
            ids = [row[0] for row in chunk]
            totals = {aid: (live, approved) for aid, live, approved in db.session.execute(
                select(r.activity_id, func.count(),
                       func.coalesce(func.sum(r.minutes).filter(r.status == "approved"), 0))
                .where(r.activity_id.in_(ids), r.status != "void").group_by(r.activity_id))}
            for aid, title, team_id, category_id, day, start, end, place, status, headcount in chunk:
                live, approved = totals.get(aid, (0, 0))
                yield (title, teams.get(team_id), categories.get(category_id), day, start, end, place,
                       ACTIVITY_STATUS.get(status, status), headcount, live, hours_of(int(approved)))
            count += len(chunk)

    write_workbook(target, [SheetSpec(ACTIVITY_SHEET, ACTIVITY_HEADER, rows(), (), ACTIVITY_WIDTHS)])
    return count


# --- statistics workbook and star list (built from volunteer.reports.services) -------------------

def export_summary(target: Target, *, year: int, month: int | None = None,
                   team_ids=None, note: str | None = None) -> dict[str, int]:
    """Write the office's statistics workbook for a year or one month of it: sheets 按队伍,
    按类别, 按月份, 志愿者排行 with CONTRACT section 5's header rows, each built from the
    reports functions the /reports/ page shows, so the two never disagree.
    A ``note`` (a period not yet locked: 未锁账 …) goes on a last sheet 说明, after the
    contract's sheets. Returns {sheet name: data rows}."""
    from ..reports import services as reports

    try:
        date_from, date_to = period_for(year, month)
    except (ValueError, TypeError, OverflowError):
        raise ServiceError("年份或月份无效。") from None
    by_team = reports.summary_by_team(date_from, date_to, team_ids)
    by_category = reports.summary_by_category(date_from, date_to, team_ids)
    by_month = reports.summary_by_month(date_from, date_to, team_ids)
    ranking = reports.volunteer_ranking(date_from, date_to, team_ids)
    data = {
        "按队伍": [(r["name"], r["kind"], r["activities"], r["records"], r["hours"], r["volunteers"])
                for r in by_team],
        "按类别": [(r["name"], r["activities"], r["records"], r["hours"]) for r in by_category],
        "按月份": [(r["month"], r["activities"], r["records"], r["hours"], r["new_volunteers"]) for r in by_month],
        "志愿者排行": [(r["rank"], r["name"], r["teams"] or None, r["hours"], r["stars_text"] or None)
                  for r in ranking],
    }
    sheets = [SheetSpec(name, list(header), data[name], (), SUMMARY_WIDTHS[name])
              for name, header in SUMMARY_SHEETS.items()]
    if note:
        sheets.append(SheetSpec("说明", ["说明"], [(note,)], (), [80]))
    write_workbook(target, sheets)
    return {name: len(rows) for name, rows in data.items()}


def export_star_promotions(target: Target, *, date_from: date, date_to: date, team_ids=None) -> int:
    """Write the star-level public list (公示): volunteers whose star level rose in the period
    (reports.star_promotions), highest new level first. Returns the number of volunteers."""
    from ..reports import services as reports

    if date_from > date_to:
        raise ServiceError("开始日期不能晚于结束日期。")
    rows = [(i, r["name"], r["teams"] or None, r["stars_from"] or None, r["stars_to"], r["period_hours"],
             r["hours_to"])
            for i, r in enumerate(reports.star_promotions(date_from, date_to, team_ids), start=1)]
    write_workbook(target, [SheetSpec(STAR_SHEET, STAR_HEADER, rows, (), STAR_WIDTHS)])
    return len(rows)


def download_name(stem: str, when: date | datetime | None = None) -> str:
    """A Chinese download file name: '<stem>_<YYYYMMDD>.xlsx'."""
    when = when or today_local()
    return f"{stem}_{when:%Y%m%d}.xlsx"

