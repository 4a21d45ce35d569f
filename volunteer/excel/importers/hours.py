"""Importing service hours (CONTRACT section 4, 服务时长).

Each row is one volunteer's hours on one activity.  The activity is found by (所属队伍, 活动名称,
活动日期) or created; the first row of an activity sets its 服务类别 and times (later rows that
disagree get a warning).  The volunteer is found by 证件号码, or by 手机号码 together with 姓名.
A masked 证件号码 (``310104********123X``, as ``export hours`` writes it) does not identify
anyone: such a row is matched by 手机号码 and 姓名, as if the number were absent, so an exported
file can be imported again.  Records already in the system with the same minutes are
``unchanged`` (re-importing a file changes nothing); a different number of minutes is rejected,
since corrections are made in the app where they are audited.  Hours the office (or the
command line) imports are approved; a leader's import waits for the office like any of their
entries.

A row's messages tell whether an ID number or a mobile is registered.  For a leader every
such row that is a miss, or a hit on someone outside the teams they lead, is counted in
``report.lookups``: the caller spends that many units of the leader's look-up budget before
showing any row (CONTRACT section 3).  The office and the command line are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import func, select

from ...activities.models import Activity
from ...audit.services import record
from ...errors import ServiceError
from ...extensions import db
from ...hours.models import RECORD_STATUS, ServiceRecord
from ...hours.rules import conflicts_with_recorded, initial_status, locked_month_set, span_exceeded
from ...clock import utcnow
from ...periods import month_text
from ...teams.models import ServiceCategory, Team
from ...fields import (FieldError, clean_text, minutes_between, parse_date,
                       parse_hours_to_minutes, parse_time)
from ..columns import normalize_header
from ..reader import read_table
from ...bulk import bulk_write, insert_tuples, paused_gc
from . import plan
from .hours_people import find_volunteer, load_volunteers, members_of, read_person
from .common import ImportReport, check_today, chunks, column_length, hours_text, text_value, too_long

TITLE_LIMIT = column_length(Activity.__table__, "title")
CATEGORY_LIMIT = column_length(ServiceCategory.__table__, "name")


@dataclass
class _Row:
    """One row after the field rules (None where empty or invalid)."""

    number: int
    name: str | None = None
    id_number: str | None = None
    id_error: str | None = None  # the resident-ID rule's complaint, if the number breaks it
    id_masked: bool = False  # a masked number (310104********123X): found by 手机号码 and 姓名 instead
    phone: str | None = None
    team: str | None = None
    title: str | None = None
    category: str | None = None
    service_date: date | None = None
    start: time | None = None
    end: time | None = None
    minutes: int | None = None
    note: str | None = None
    activity_ok: bool = True  # team, title, date, category and times all usable


@dataclass
class _Activity:
    """An activity the rows refer to: existing (id set) or to be created."""

    id: int | None
    first_row: int
    category: str | None
    category_row: int | None
    start: time | None
    end: time | None
    time_row: int | None
    accepted: int = 0
    records: dict[int, tuple[int, str]] = field(default_factory=dict)  # volunteer -> (minutes, status)

    @property
    def span(self) -> int | None:
        if self.start and self.end and self.end > self.start:
            return minutes_between(self.start, self.end)
        return None


def import_hours(actor, source, *, file_name: str, dry_run: bool = False, skip_invalid: bool = False,
                 today: date | None = None, remap=None, include_hidden: bool = False) -> ImportReport:
    """Validate and (unless rejected rows stop it) write an hours file; see the module doc.

    A leader (``actor.role == "leader"``) may import rows of the teams they lead only; the
    other rows are rejected on 所属队伍.
    """
    today = check_today(today)
    with paused_gc():
        return _import(actor, source, file_name=file_name, dry_run=dry_run, skip_invalid=skip_invalid, today=today,
                       remap=remap, include_hidden=include_hidden)


def _import(actor, source, *, file_name: str, dry_run: bool, skip_invalid: bool, today: date,
            remap=None, include_hidden: bool = False) -> ImportReport:
    role = getattr(actor, "role", None) if actor is not None else "office"
    if role not in ("office", "leader"):
        raise ServiceError("只有分中心办公室和队长可以导入服务时长。")
    led = actor.led_team_ids if role == "leader" else None
    table = read_table(source, "hours", file_name=file_name, remap=remap,
                       include_hidden=include_hidden)
    report = ImportReport("hours", file_name, table)
    report.lookups = 0
    rows = [_clean(report, row, today) for row in table.rows]

    teams = _by_name(Team, {r.team for r in rows if r.team})
    by_id, by_phone = load_volunteers(rows)
    members = members_of(led, by_id, by_phone) if led is not None else None
    locked = locked_month_set()
    categories = {name: cid for cid, name in db.session.execute(select(ServiceCategory.id, ServiceCategory.name))}
    category_names = {cid: name for name, cid in categories.items()}
    activities = _load_activities(rows, teams, category_names)

    accepted = []  # (row, volunteer id, activity key)
    first_of_pair: dict[tuple, int] = {}
    voided = _voided_rows(table)
    for r in rows:
        n = r.number
        if n in voided:
            # An `export hours` file lists voided records too; importing one again must not revive it.
            report.warning(n, "hours", "状态为“已作废”的记录不导入")
            report["unchanged"] += 1
            continue
        team_id = teams.get(r.team) if r.team else None
        if r.team and team_id is None:
            report.error(n, "team", f"队伍不存在：{r.team}")
        elif team_id is not None and led is not None and team_id not in led:
            report.error(n, "team", f"您不是“{r.team}”的队长，只能导入您负责的队伍的服务时长")
        volunteer = find_volunteer(report, r, by_id, by_phone, members)
        if r.service_date and month_text(r.service_date) in locked:
            report.error(n, "service_date", f"{month_text(r.service_date)} 已锁账，不能导入该月的服务时长")
        if team_id is None or not r.activity_ok:
            continue
        key = (team_id, r.title, r.service_date)
        act = activities.get(key)
        if act is None:
            act = activities[key] = _Activity(None, n, r.category, n if r.category else None,
                                              r.start, r.end, n if (r.start or r.end) else None)
        else:
            _reconcile(report, r, act)
        if r.minutes is not None:
            span = span_exceeded(r.minutes, act.span, _span(r.start, r.end))
            if span:
                report.error(n, "hours", f"服务时长超过活动时间（共{hours_text(span)}小时）")
        if volunteer is None:
            continue
        pair = (key, volunteer)
        if pair in first_of_pair:
            report.error(n, "name", f"同一志愿者在同一活动中重复，与第{first_of_pair[pair]}行重复")
        else:
            first_of_pair[pair] = n
        known = act.records.get(volunteer)
        if known is not None and conflicts_with_recorded(known[0], r.minutes):
            report.error(n, "hours", f"已登记为{hours_text(known[0])}小时，如需更正请在系统中修改")
        if report.is_rejected(n):
            continue
        if known is not None:
            report["unchanged"] += 1
        else:
            report["created"] += 1
            act.accepted += 1
            accepted.append((r, volunteer, key))
            plan.hours_created(report, actor, r)
    report["activities_created"] = sum(1 for a in activities.values() if a.id is None and a.accepted)
    plan.hours_activities(report, activities, {tid: name for name, tid in teams.items()})
    report.finish_validation()

    if report.should_write(dry_run=dry_run, skip_invalid=skip_invalid):
        with bulk_write():
            _write(actor, role, report, accepted, activities, categories)
        report["written"] = True
    return report


def _voided_rows(table) -> set[int]:
    """Row numbers whose 状态 column (written by `export hours`, not part of the template) says 已作废."""
    try:
        index = [normalize_header(h) for h in table.header].index("状态")
    except ValueError:
        return set()
    return {row.number for row in table.rows
            if index < len(row.cells) and str(row.cells[index] or "").strip() == RECORD_STATUS["void"]}


def _clean(report: ImportReport, row, today: date) -> _Row:
    """Apply the field rules to one row; problems go to the report."""
    raw, n = row.values, row.number
    r = _Row(n)

    def attempt(key, func, *args, **kwargs):
        try:
            return func(raw[key], *args, **kwargs)
        except FieldError as exc:
            report.error(n, key, exc.message)
            return None

    read_person(report, row, today, r)

    r.team = text_value(raw["team"])
    if r.team is None:
        report.error(n, "team", "所属队伍不能为空")
    r.title = text_value(raw["activity"])
    if r.title is None:
        report.error(n, "activity", "活动名称不能为空")
    elif too_long(r.title, TITLE_LIMIT):
        report.error(n, "activity", f"活动名称不能超过{TITLE_LIMIT}个字")
        r.title = None
    r.category = text_value(raw["category"])
    category_ok = not too_long(r.category, CATEGORY_LIMIT)
    if not category_ok:
        report.error(n, "category", f"服务类别不能超过{CATEGORY_LIMIT}个字")
    if clean_text(raw["service_date"]) is None:
        report.error(n, "service_date", "活动日期不能为空")
    else:
        r.service_date = attempt("service_date", parse_date, field="活动日期")
        if r.service_date and r.service_date > today:
            report.error(n, "service_date", "活动日期晚于今天，不能登记尚未进行的活动的时长")
            r.service_date = None
    times_ok = True
    for key, label in (("start_time", "开始时间"), ("end_time", "结束时间")):
        if clean_text(raw[key]) is not None:
            value = attempt(key, parse_time, field=label)
            times_ok = times_ok and value is not None
            setattr(r, "start" if key == "start_time" else "end", value)
    if r.start and r.end and r.end <= r.start:
        report.error(n, "end_time", "结束时间必须晚于开始时间")
        times_ok = False
    r.minutes = attempt("hours", parse_hours_to_minutes)
    r.note = text_value(raw["note"])
    r.activity_ok = bool(r.team and r.title and r.service_date and category_ok and times_ok)
    return r


def _span(start: time | None, end: time | None) -> int | None:
    return minutes_between(start, end) if start and end and end > start else None


def _by_name(model, names: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunks(sorted(names)):
        found.update({name: oid for oid, name in db.session.execute(
            select(model.id, model.name).where(model.name.in_(part)))})
    return found


def _load_activities(rows: list[_Row], teams: dict[str, int], category_names: dict[int, str]) -> dict:
    """Existing activities matching the file's (team, title, date), with their live records."""
    keys = {(teams[r.team], r.title, r.service_date) for r in rows
            if r.activity_ok and r.team in teams}
    found: dict[tuple, _Activity] = {}
    if not keys:
        return found
    team_ids = sorted({k[0] for k in keys})
    dates = sorted({k[2] for k in keys})
    cols = (Activity.id, Activity.team_id, Activity.title, Activity.service_date, Activity.category_id,
            Activity.start_time, Activity.end_time)
    for part in chunks(dates):
        stmt = select(*cols).where(Activity.team_id.in_(team_ids), Activity.service_date.in_(part)) \
            .order_by(Activity.id)
        for a in db.session.execute(stmt):
            key = (a.team_id, a.title, a.service_date)
            if key in keys and key not in found:
                found[key] = _Activity(a.id, 0, category_names.get(a.category_id), 0,
                                       _hhmm(a.start_time), _hhmm(a.end_time), 0)
    by_id = {a.id: a for a in found.values()}
    for part in chunks(sorted(by_id)):
        stmt = select(ServiceRecord.activity_id, ServiceRecord.volunteer_id, ServiceRecord.minutes,
                      ServiceRecord.status).where(ServiceRecord.activity_id.in_(part), ServiceRecord.status != "void")
        for aid, vid, minutes, status in db.session.execute(stmt):
            by_id[aid].records[vid] = (minutes, status)
    return found


def _hhmm(text: str | None) -> time | None:
    try:
        hour, minute = (int(x) for x in (text or "").split(":"))
        return time(hour, minute)
    except ValueError:
        return None


def _reconcile(report: ImportReport, r: _Row, act: _Activity) -> None:
    """A later row of a known activity: the first row (or the system) wins; warn on a difference.

    For an activity to be created, a value the first rows left empty is taken from the first
    row that gives it.
    """
    n = r.number
    where = "系统中已有该活动，以系统中的为准" if act.id else None
    if r.category:
        if act.category and act.category != r.category:
            report.warning(n, "category", f"与同一活动的服务类别“{act.category}”不一致，" +
                           (where or f"以第{act.category_row}行为准"))
        elif act.category is None and act.id is None:
            act.category, act.category_row = r.category, n
        elif act.category is None:
            report.warning(n, "category", f"服务类别“{r.category}”未采用，{where}（未设类别）")
    if act.id is None:  # to be created: the first row giving a time sets it
        if r.start and act.start is None or r.end and act.end is None:
            act.time_row = act.time_row or n
        act.start, act.end = act.start or r.start, act.end or r.end
    differs = [key for key, mine, theirs in (("start_time", r.start, act.start), ("end_time", r.end, act.end))
               if mine and mine != theirs]
    if differs:
        shown = f"{_fmt(act.start)}–{_fmt(act.end)}"
        report.warning(n, differs[0], f"与同一活动的时间（{shown}）不一致，" + (where or f"以第{act.time_row}行为准"))


def _fmt(value: time | None) -> str:
    return value.strftime("%H:%M") if value else "未填"


ACTIVITY_COLUMNS = ("team_id", "title", "service_date", "category_id", "start_time", "end_time", "status",
                    "created_by_id", "created_at", "updated_at", "version")
RECORD_COLUMNS = ("activity_id", "volunteer_id", "team_id", "category_id", "service_date", "minutes", "status", "note",
                  "source", "created_by_id", "created_at", "approved_by_id", "approved_at", "version")


def _write(actor, role: str, report: ImportReport, accepted, activities: dict, categories: dict[str, int]) -> None:
    now = utcnow()
    actor_id = getattr(actor, "id", None)
    used = [key for key, act in activities.items() if act.id is None and act.accepted]
    new_categories = []
    order = db.session.scalar(select(func.max(ServiceCategory.sort_order))) or 0
    for key in used:
        name = activities[key].category
        if name and name not in categories:
            order += 10
            category = ServiceCategory(name=name, sort_order=order, is_active=True)
            db.session.add(category)
            db.session.flush()
            categories[name] = category.id
            new_categories.append(category.id)
    rows = [(team_id, title, day, categories.get(activities[(team_id, title, day)].category),
             _hhmm_text(activities[(team_id, title, day)].start), _hhmm_text(activities[(team_id, title, day)].end),
             "closed", actor_id, now, now, 1)
            for team_id, title, day in used]
    created = insert_tuples(Activity.__table__, ACTIVITY_COLUMNS, rows, "team_id", "title", "service_date")
    new_ids = list(created.values())  # in the order of ``used``
    for key, aid in zip(used, new_ids):
        activities[key].id = aid
    # The record copies the activity's team, category and date (aggregates read them directly).
    activity_category = {act.id: categories.get(act.category) for act in activities.values() if act.id}
    status = initial_status(actor)
    approved = status == "approved"
    approved_by, approved_at = (actor_id, now) if approved else (None, None)
    records = [(activities[key].id, vid, key[0], activity_category[activities[key].id], key[2], r.minutes, status,
                r.note, "import", actor_id, now, approved_by, approved_at, 1)
               for r, vid, key in accepted]
    record_ids = sorted(insert_tuples(ServiceRecord.__table__, RECORD_COLUMNS, records,
                                      "activity_id", "volunteer_id").values())
    if record_ids or new_ids:
        report.audit = record(
            actor, "import.hours", "import", None,
            f"导入服务时长（{report['file']}）：新增 {len(record_ids)} 条记录、{len(new_ids)} 个活动",
            file=report["file"], records=record_ids, activities_created=new_ids,
            categories_created=new_categories, status="approved" if approved else "pending")


def _hhmm_text(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None
