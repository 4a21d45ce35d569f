"""Importing training, commendations and evaluations (CONTRACT section 10), one row per person.

The same rules as every import (section 4): the reader finds the header, each row is checked
(the field rules are merits.rules', as on the pages), nothing is written when a row is
rejected unless --skip-invalid, and a dry run writes nothing. The person is found as the hours
import finds them (hours_people: by 证件号码, or by 手机号码 with 姓名; a masked number from an
export is matched by mobile and name). Imports of these are the office's (and the command
line's), so no look-up budget is spent. Each written import is one audit entry listing what it
added.

- Training: the training is found by (所属队伍 or none, 培训主题, 培训日期) or created; its first
  row sets 学时, 类型, 方式 and 组织者 (later rows that differ get a warning). A person already on
  the training is ``unchanged``.
- Commendations: the same person, 表彰名称 and 表彰日期 already recorded is ``unchanged`` when
  级别 and 授予单位 agree, else rejected (correct it in the app, where it is audited).
- Evaluations: the service record is the person's live record of the activity (所属队伍,
  活动名称, 活动日期). The same scores and comment are ``unchanged``; different ones replace the
  evaluation (``updated``: the old one is voided as 重新评价).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ...activities.models import Activity
from ...audit.services import record
from ...clock import utcnow
from ...errors import ValidationFailed
from ...extensions import db
from ...fields import FieldError, clean_text, parse_date
from ...hours.models import ServiceRecord
from ...merits import rules
from ...merits.models import Commendation, Evaluation, Training, TrainingAttendance
from ...teams.models import Team
from ...bulk import insert_tuples
from ..reader import read_table
from .common import ImportReport, check_today, chunks, require_office, text_value
from .hours_people import find_volunteer, load_volunteers, read_person

@dataclass
class _Person:
    """What find_volunteer reads of a row."""

    number: int
    name: str | None = None
    id_number: str | None = None
    id_error: str | None = None
    id_masked: bool = False
    phone: str | None = None


def _person(report: ImportReport, row, today: date) -> _Person:
    return read_person(report, row, today, _Person(row.number))


def _start(actor, kind: str, what: str, source, file_name, today, remap, include_hidden):
    today = check_today(today)
    require_office(actor, what)
    table = read_table(source, kind, file_name=file_name, remap=remap, include_hidden=include_hidden)
    report = ImportReport(kind, file_name, table)
    report.lookups = 0  # office only: nothing to spend, but callers read it
    people = [_person(report, row, today) for row in table.rows]
    by_id, by_phone = load_volunteers(people)
    found = {p.number: find_volunteer(report, p, by_id, by_phone, None) for p in people}
    return today, table, report, found


def _clean(report: ImportReport, n: int, func, values: dict, keys: dict | None = None, **kwargs) -> dict | None:
    """merits.rules' cleaning of a row; its errors land on the row's columns."""
    try:
        return func(values, **kwargs)
    except ValidationFailed as exc:
        for field, message in exc.errors:
            report.error(n, (keys or {}).get(field, field), message)
        return None


def _teams(names) -> dict[str, int]:
    names = sorted({n for n in names if n})
    out: dict[str, int] = {}
    for part in chunks(names):
        rows = db.session.execute(select(Team.id, Team.name).where(Team.name.in_(part)))
        out.update({name: tid for tid, name in rows})
    return out


def _finish(report, dry_run, skip_invalid, write) -> ImportReport:
    report.finish_validation()
    if report.should_write(dry_run=dry_run, skip_invalid=skip_invalid):
        write()
        report["written"] = True
    return report


# ----------------------------------------------------------------------------------- training

TRAINING_KEYS = {"kind": "training_kind", "mode": "training_mode"}
ATTENDANCE_COLUMNS = ("training_id", "volunteer_id", "status", "created_by_id", "created_at")


def import_training(actor, source, *, file_name: str, dry_run: bool = False, skip_invalid: bool = False,
                    today: date | None = None, remap=None, include_hidden: bool = False) -> ImportReport:
    today, table, report, found = _start(actor, "training", "培训记录", source, file_name, today, remap, include_hidden)
    teams = _teams(text_value(r.values["team"]) for r in table.rows)
    trainings: dict[tuple, dict] = {}  # key -> {"id", "row", "values", "attending": set}
    for t in db.session.scalars(select(Training).where(Training.status != "void")):
        key = (t.team_id, t.title, t.held_on)
        trainings.setdefault(key, {"id": t.id, "row": 0, "values": None, "attending": set()})
    by_id = {t["id"]: t for t in trainings.values()}
    for part in chunks(sorted(by_id)):
        stmt = select(TrainingAttendance.training_id, TrainingAttendance.volunteer_id).where(
            TrainingAttendance.training_id.in_(part), TrainingAttendance.status != "void")
        for tid, vid in db.session.execute(stmt):
            by_id[tid]["attending"].add(vid)
    accepted, seen = [], {}
    for row in table.rows:
        n, raw = row.number, row.values
        values = _clean(report, n, rules.clean_training, {
            "title": raw["title"], "held_on": raw["held_on"], "hours": raw["hours"], "kind": raw["training_kind"],
            "mode": raw["training_mode"], "organiser": raw["organiser"], "note": raw["note"]}, TRAINING_KEYS,
            today=today)
        team_name = text_value(raw["team"])
        if team_name and team_name not in teams:
            report.error(n, "team", f"队伍不存在：{team_name}")
            continue
        volunteer = found[n]
        if values is None or volunteer is None or report.is_rejected(n):
            continue
        key = (teams.get(team_name), values["title"], values["held_on"])
        entry = trainings.setdefault(key, {"id": None, "row": n, "values": values, "attending": set()})
        first = entry["values"]
        if first is not None and entry["row"] != n:
            differ = [label for field, label in (("minutes", "学时"), ("kind", "培训类型"), ("mode", "培训方式"),
                                                 ("organiser", "组织者")) if values[field] != first[field]]
            if differ:
                report.warning(n, "hours", f"{'、'.join(differ)}与第{entry['row']}行的同一培训不同，以第{entry['row']}行为准")
        if (key, volunteer) in seen:
            report.error(n, "name", f"同一人在同一培训中重复，与第{seen[key, volunteer]}行重复")
            continue
        seen[key, volunteer] = n
        if volunteer in entry["attending"]:
            report["unchanged"] += 1
        else:
            report["created"] += 1
            accepted.append((key, volunteer))

    def write():
        created, added, actor_id, now = [], [], getattr(actor, "id", None), utcnow()
        for key, volunteer in accepted:
            entry = trainings[key]
            if entry["id"] is None:  # a few trainings per file: ORM rows
                t = Training(**entry["values"], team_id=key[0], created_by_id=actor_id)
                db.session.add(t)
                db.session.flush()
                entry["id"] = t.id
                created.append(t.id)
            added.append((entry["id"], volunteer))
        # Attendance can be tens of thousands of rows: the one bulk engine (volunteer.bulk).
        insert_tuples(TrainingAttendance.__table__, ATTENDANCE_COLUMNS,
                      [(tid, vid, "active", actor_id, now) for tid, vid in added])
        if added:
            report.audit = record(actor, "import.training", "import", None,
                                  f"导入培训记录：{report['file']}，新建培训 {len(created)} 次，登记参训 {len(added)} 人次",
                                  trainings_created=created, attendances=[list(pair) for pair in added])
    return _finish(report, dry_run, skip_invalid, write)


# ------------------------------------------------------------------------------ commendations

def import_commendations(actor, source, *, file_name: str, dry_run: bool = False, skip_invalid: bool = False,
                         today: date | None = None, remap=None, include_hidden: bool = False) -> ImportReport:
    today, table, report, found = _start(actor, "commendations", "表彰记录", source, file_name, today, remap,
                                         include_hidden)
    ids = sorted({v for v in found.values() if v})
    existing = {}
    for part in chunks(ids):
        for c in db.session.scalars(select(Commendation).where(Commendation.volunteer_id.in_(part),
                                                               Commendation.status != "void")):
            existing[(c.volunteer_id, c.title, c.awarded_on)] = c
    accepted, seen = [], {}
    for row in table.rows:
        n, raw = row.number, row.values
        values = _clean(report, n, rules.clean_commendation, {k: raw[k] for k in (
            "title", "level", "awarded_on", "awarded_by", "note")}, today=today)
        volunteer = found[n]
        if values is None or volunteer is None or report.is_rejected(n):
            continue
        key = (volunteer, values["title"], values["awarded_on"])
        if key in seen:
            report.error(n, "title", f"同一人同一日期的同名表彰重复，与第{seen[key]}行重复")
            continue
        seen[key] = n
        old = existing.get(key)
        if old is None:
            report["created"] += 1
            accepted.append((volunteer, values))
        elif (old.level, old.awarded_by) == (values["level"], values["awarded_by"]):
            report["unchanged"] += 1
        else:
            report.error(n, "level", f"已登记该表彰（{old.level}，{old.awarded_by or '未填授予单位'}），"
                                     "如需更正请在系统中作废后重新登记")

    def write():
        added = []
        for volunteer, values in accepted:
            item = Commendation(**values, volunteer_id=volunteer, created_by_id=getattr(actor, "id", None))
            db.session.add(item)
            added.append(item)
        db.session.flush()
        if added:
            report.audit = record(actor, "import.commendations", "import", None,
                                  f"导入表彰记录：{report['file']}，新增 {len(added)} 条",
                                  commendations=[c.id for c in added])
    return _finish(report, dry_run, skip_invalid, write)


# -------------------------------------------------------------------------------- evaluations

def import_evaluations(actor, source, *, file_name: str, dry_run: bool = False, skip_invalid: bool = False,
                       today: date | None = None, remap=None, include_hidden: bool = False) -> ImportReport:
    today, table, report, found = _start(actor, "evaluations", "服务评价", source, file_name, today, remap,
                                         include_hidden)
    teams = _teams(text_value(r.values["team"]) for r in table.rows)
    wanted = []  # (row, volunteer, team id, title, date, values)
    for row in table.rows:
        n, raw = row.number, row.values
        values = _clean(report, n, rules.clean_evaluation, {k: raw[k] for k in (
            "punctuality", "attitude", "skill", "comment")})
        team_name, title = text_value(raw["team"]), text_value(raw["activity"])
        if not team_name:
            report.error(n, "team", "所属队伍不能为空")
        elif team_name not in teams:
            report.error(n, "team", f"队伍不存在：{team_name}")
        if not title:
            report.error(n, "activity", "活动名称不能为空")
        day = None
        try:
            day = parse_date(raw["service_date"], field="活动日期") if clean_text(raw["service_date"]) else None
            if day is None:
                report.error(n, "service_date", "活动日期不能为空")
        except FieldError as exc:
            report.error(n, "service_date", exc.message)
        if not report.is_rejected(n) and values is not None and found[n] is not None:
            wanted.append((n, found[n], teams[team_name], title, day, values))
    records = _records(wanted)
    live = {}
    for part in chunks(sorted(r.id for r in records.values())):
        stmt = select(Evaluation).where(Evaluation.record_id.in_(part), Evaluation.status != "void")
        for e in db.session.scalars(stmt):
            live[e.record_id] = e
    accepted, seen = [], {}
    for n, volunteer, team_id, title, day, values in wanted:
        rec = records.get((volunteer, team_id, title, day))
        if rec is None:
            report.error(n, "activity", "未找到该志愿者在该队伍、该日期、该活动的服务记录")
            continue
        if rec.id in seen:
            report.error(n, "activity", f"同一服务记录重复评价，与第{seen[rec.id]}行重复")
            continue
        seen[rec.id] = n
        old = live.get(rec.id)
        if old is not None and all(getattr(old, k) == v for k, v in values.items()):
            report["unchanged"] += 1
            continue
        report["updated" if old is not None else "created"] += 1
        accepted.append((rec, old, values))

    def write():
        now, written = utcnow(), []
        for rec, old, values in accepted:
            if old is not None:
                old.status, old.void_reason, old.voided_at = "void", "重新评价", now
                old.voided_by_id = getattr(actor, "id", None)
        db.session.flush()  # the replaced ones leave the one-live-evaluation index first
        for rec, old, values in accepted:
            item = Evaluation(**values, record_id=rec.id, volunteer_id=rec.volunteer_id, team_id=rec.team_id,
                              created_by_id=getattr(actor, "id", None))
            db.session.add(item)
            written.append((rec.id, old.id if old else None))
        db.session.flush()
        if written:
            report.audit = record(actor, "import.evaluations", "import", None,
                                  f"导入服务评价：{report['file']}，新增 {report['created']} 条，更新 {report['updated']} 条",
                                  records=[r for r, _ in written], replaced=[o for _, o in written if o])
    return _finish(report, dry_run, skip_invalid, write)


def _records(wanted) -> dict[tuple, ServiceRecord]:
    """Live service records of the rows' (volunteer, team, activity title, date)."""
    keys = {(v, t, title, day) for _n, v, t, title, day, _ in wanted}
    out: dict[tuple, ServiceRecord] = {}
    for part in chunks(sorted({k[0] for k in keys})):
        stmt = (select(ServiceRecord, Activity.title).join(Activity, Activity.id == ServiceRecord.activity_id)
                .where(ServiceRecord.volunteer_id.in_(part), ServiceRecord.status != "void"))
        for rec, title in db.session.execute(stmt):
            key = (rec.volunteer_id, rec.team_id, title, rec.service_date)
            if key in keys:
                out[key] = rec
    return out
