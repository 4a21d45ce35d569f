"""The national pack (CONTRACT section 10): one workbook for 全国志愿服务信息系统, a numbered batch.

Sheets: 志愿者 (the people, coded fields by their national names), 服务时长 (one row per approved
record the national form takes: full start and end date-times from the activity, hours to two
decimals, 录入方式 1), 不能导出 (each approved record it would refuse, with the reason, see
``rules``) and 变更 (records the national system received in an earlier batch and that were
voided or corrected since: always with ``since_last``, otherwise only when there are some).

``since_last`` writes only records that are new or changed since the batches before: each
record's last delivered outcome and values live in ``national_exported`` (see its model), and a
record is written again when today's differ.  志愿者 then holds the people of the batch's
records; a pack of everything (no dates, not since-last) also lists every active volunteer.

One pass over the approved records, a block of volunteers per query (each query read whole
before the register is written, so both databases allow the interleaving), streaming into
sheets side by side (excel/side_by_side.py: each sheet's XML to a temporary file, zipped at the
end; less than half XlsxWriter's time): memory stays flat whatever the count.
``create_batch`` never commits; the caller commits once.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy import String, cast, delete, exists, func, or_, select, text, update

from ..activities.models import Activity
from ..audit.services import record
from ..bulk import insert_tuples
from ..clock import CHINA_TZ, utcnow
from ..errors import ServiceError
from ..excel.side_by_side import open_sheets
from ..excel.writer import SheetSpec
from ..extensions import db
from ..fields import hours_of
from ..hours.models import ServiceRecord
from ..volunteers.models import Volunteer
from . import rules
from .models import NationalBatch, NationalBatchFile, NationalExported
from .people import People

VOLUNTEER_HEADER = ["姓名", "证件类型", "证件号码", "性别", "出生日期", "手机号码", "政治面貌", "学历",
                    "个人特长", "全国志愿者编号", "本系统编号"]
HOURS_HEADER = ["证件类型", "证件号码", "姓名", "全国志愿者编号", "项目名称", "开始时间", "结束时间", "时长",
                "录入方式", "备注", "本系统记录号"]
REFUSED_HEADER = ["本系统记录号", "姓名", "项目名称", "活动日期", "开始时间", "结束时间", "时长", "不能导出的原因"]
CHANGES_HEADER = ["变更", "本系统记录号", "姓名", "证件号码", "项目名称", "原开始时间", "原结束时间", "原时长",
                  "现开始时间", "现结束时间", "现时长", "原批次号", "处理办法"]
SHEETS = (
    SheetSpec("志愿者", VOLUNTEER_HEADER, (), {2, 5, 9}, [10, 16, 22, 6, 12, 14, 16, 16, 20, 20, 10]),
    SheetSpec("服务时长", HOURS_HEADER, (), {0, 1, 3, 8}, [16, 22, 10, 20, 28, 17, 17, 8, 8, 20, 12]),
    SheetSpec("不能导出", REFUSED_HEADER, (), (), [12, 10, 28, 12, 10, 10, 8, 60]),
)
CHANGES_SHEET = SheetSpec("变更", CHANGES_HEADER, (), {3}, [8, 12, 10, 22, 28, 17, 17, 8, 17, 17, 8, 8, 50])
ENTRY_MODE = "1"  # 录入方式 of the national hours import: 1, entered by the organisation
BLOCK = 500  # volunteers per query: a few thousand records, read whole
ADVICE = {
    "void": "本系统已作废：请在全国系统中删除这条时长",
    "corrected": "本系统已更正：请在全国系统中删除原时长，更正后的记录在本批“服务时长”表中",
    "refused": "本系统已更正，但更正后的记录不能导出（见“不能导出”表）：请在全国系统中删除原时长",
}
# An activity's records share its day and times: each distinct span is worked out once.
_span = lru_cache(maxsize=16384)(rules.span)
_hours = lru_cache(maxsize=4096)(hours_of)
_LOCK_KEY = 1017  # PostgreSQL advisory lock: one batch at a time, so two never both claim a record


def _label(row, start_at, end_at) -> str:
    """How 不能导出 names the record a refused one overlaps (built only for a refusal)."""
    return f"记录号 {row.id}（{row.title} {start_at:%Y-%m-%d %H:%M}–{end_at:%H:%M}）"


def _dates(column, date_from, date_to) -> list:
    conds = []
    if date_from:
        conds.append(column >= date_from)
    if date_to:
        conds.append(column <= date_to)
    return conds


def _judge(rows: list, now_local: datetime) -> list[list]:
    """[row, start_at, end_at, reason key or None, reason detail] for one volunteer's records.

    What the national system already holds unchanged is placed first (it keeps what came
    first), then the rest in start order; a record overlapping one placed is refused."""
    judged = []
    for row in rows:
        start_at, end_at, why = _span(row.service_date, row.start_time, row.end_time)
        judged.append([row, start_at, end_at, rules.refusal(start_at, end_at, why, row.minutes, now_local), None])
    overlaps = rules.Overlaps()
    held = {j[0].id for j in judged if j[3] is None and j[0].outcome == "sent" and not _changed(j)}
    for j in judged:
        if j[0].id in held:
            overlaps.accept(j[1], j[2], j[0])
    for j in judged:
        if j[3] is not None or j[0].id in held:
            continue
        clash = overlaps.clash(j[1], j[2])
        if clash:
            j[3], j[4] = "overlap", _label(*clash)
        else:
            overlaps.accept(j[1], j[2], j[0])
    return judged


def _changed(j) -> bool:
    """Whether a record's values differ from what the batch that last carried it wrote."""
    row = j[0]
    return row.outcome is not None and (row.e_key != span_key(row.service_date, row.start_time, row.end_time)
                                        or row.e_minutes != row.minutes)


def span_key(day: date, start: str | None, end: str | None) -> str:
    """The record's day and its activity's times as stored ('2025-06-01 09:00-11:30'): what
    ``national_exported.span_key`` keeps, built alike in SQL by ``_span_key_sql``."""
    return f"{day.isoformat()} {start or ''}-{end or ''}"


def _span_key_sql(r, a):
    return (cast(r.service_date, String) + " " + func.coalesce(a.start_time, "") + "-"
            + func.coalesce(a.end_time, ""))


def _volunteers_to_judge(r, a, e, in_range, since_last) -> list[int]:
    """The volunteers whose approved records the pass reads: all of them, or with ``since_last``
    those with a record that is new, changed, or was refused last time (a refusal may lapse:
    its overlapping partner voided, its end now past).  Found in SQL, so a batch after a quiet
    day reads a handful of people, not the year."""
    stmt = select(r.volunteer_id).where(r.status == "approved", *in_range)
    if since_last:
        stmt = (stmt.select_from(ServiceRecord.__table__).join(Activity.__table__, a.id == r.activity_id)
                .outerjoin(NationalExported.__table__, e.record_id == r.id)
                .where(or_(e.record_id.is_(None), e.outcome != "sent", e.minutes != r.minutes,
                           e.span_key != _span_key_sql(r, a))))
    return db.session.scalars(stmt.distinct().order_by(r.volunteer_id)).all()


def _check(actor, date_from, date_to) -> None:
    if actor is not None and actor.role != "office":
        raise ServiceError("只有分中心办公室可以导出全国志愿服务信息系统数据包。")
    if date_from and date_to and date_from > date_to:
        raise ServiceError("开始日期不能晚于结束日期。")


def create_batch(actor, out: BinaryIO, *, date_from: date | None = None, date_to: date | None = None,
                 since_last: bool = False, now_local: datetime | None = None) -> NationalBatch:
    """Write the next numbered batch into ``out`` (a binary file opened for writing and reading),
    keep the file in the register and audit it.  ``actor`` None is the command line."""
    _check(actor, date_from, date_to)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    batch = NationalBatch(created_by_id=getattr(actor, "id", None),
                          created_by_name=getattr(actor, "username", None) or "cli",
                          date_from=date_from, date_to=date_to, since_last=since_last)
    db.session.add(batch)
    db.session.flush()
    now_local = now_local or utcnow() + CHINA_TZ.utcoffset(None)
    people = People()
    with open_sheets(out, SHEETS) as book:
        changes = _write_records(book, batch, people, date_from, date_to, since_last, now_local)
        changes += _voided(batch, date_from, date_to)
        if not (since_last or date_from or date_to):
            _write_other_volunteers(book, batch, people)
        if since_last or changes:
            sheet = book.add(CHANGES_SHEET)
            for row in changes:
                sheet.append(row)
        batch.changes = len(changes)
    out.flush()
    out.seek(0)
    content = out.read()
    batch.size, batch.digest = len(content), hashlib.sha256(content).hexdigest()
    db.session.add(NationalBatchFile(batch_id=batch.id, content=content))
    record(actor, "national.export", "national_batch", batch.id,
           f"生成全国系统数据包第 {batch.id} 批（{batch.period_text}{'，仅上批以来' if since_last else ''}）："
           f"志愿者 {batch.volunteers} 人，时长 {batch.records} 条，不能导出 {batch.refused} 条，变更 {batch.changes} 条",
           date_from=date_from, date_to=date_to, since_last=since_last, volunteers=batch.volunteers,
           records=batch.records, refused=batch.refused, changes=batch.changes, digest=batch.digest)
    db.session.flush()
    return batch


def _write_records(book, batch, people: People, date_from, date_to, since_last, now_local) -> list[tuple]:
    """The one pass over approved records; returns the 变更 rows of corrected records."""
    r, a, e = ServiceRecord.__table__.c, Activity.__table__.c, NationalExported.__table__.c
    v = Volunteer.__table__.c
    in_range = _dates(r.service_date, date_from, date_to)
    volunteer_ids = _volunteers_to_judge(r, a, e, in_range, since_last)
    volunteers_sheet, hours_sheet, refused_sheet = book[0], book[1], book[2]
    changes: list[tuple] = []
    counts = [0, 0, 0]  # records, refused, volunteers: plain ints (an ORM attribute per row costs)
    for start in range(0, len(volunteer_ids), BLOCK):
        block = volunteer_ids[start:start + BLOCK]
        rows = db.session.execute(
            select(r.id, r.volunteer_id, r.service_date, r.minutes, r.note, a.title, a.start_time, a.end_time,
                   e.outcome, e.start_at.label("e_start"), e.end_at.label("e_end"), e.minutes.label("e_minutes"),
                   e.span_key.label("e_key"), e.batch_id.label("e_batch"))
            .select_from(ServiceRecord.__table__).join(Activity.__table__, a.id == r.activity_id)
            .outerjoin(NationalExported.__table__, e.record_id == r.id)
            .where(r.status == "approved", r.volunteer_id.in_(block), *in_range)
            .order_by(r.volunteer_id, r.service_date, a.start_time, r.id)).all()
        persons = {p.id: p for p in db.session.execute(
            select(v.id, v.name, v.gender, v.id_type, v.id_number, v.phone, v.birth_date, v.political_status,
                   v.education, v.skills, v.national_no).where(v.id.in_(block)))}
        stale, fresh = [], []
        group: list = []
        for row in rows + [None]:
            if group and (row is None or row.volunteer_id != group[0].volunteer_id):
                person = persons[group[0].volunteer_id]
                written = False
                for j in _judge(group, now_local):
                    rec, start_at, end_at, key, detail = j
                    outcome = "sent" if key is None else "refused"
                    changed = _changed(j)
                    if rec.outcome is not None and (changed or rec.outcome != outcome):
                        stale.append(rec.id)
                    if rec.outcome is None or changed or rec.outcome != outcome:
                        fresh.append((rec.id, batch.id, outcome, start_at, end_at, rec.minutes,
                                      span_key(rec.service_date, rec.start_time, rec.end_time)))
                    if rec.outcome == "sent" and (changed or outcome != "sent"):
                        changes.append(("更正", rec.id, person.name, person.id_number, rec.title, rec.e_start,
                                        rec.e_end, hours_of(rec.e_minutes), start_at, end_at, hours_of(rec.minutes),
                                        rec.e_batch, ADVICE["corrected" if outcome == "sent" else "refused"]))
                    if since_last and not (rec.outcome is None or changed or rec.outcome != outcome):
                        continue
                    written = True
                    if key is None:
                        counts[0] += 1
                        hours_sheet.append((people.name("id_type", person.id_type), person.id_number, person.name,
                                            person.national_no, rec.title, start_at, end_at, _hours(rec.minutes),
                                            ENTRY_MODE, rec.note, rec.id))
                    else:
                        counts[1] += 1
                        refused_sheet.append((rec.id, person.name, rec.title, rec.service_date, rec.start_time,
                                              rec.end_time, hours_of(rec.minutes), rules.reason_text(key, detail)))
                if written:
                    counts[2] += 1
                    volunteers_sheet.append(people.row(person))
                group = []
            if row is not None:
                group.append(row)
        if stale:
            db.session.execute(delete(NationalExported).where(NationalExported.record_id.in_(stale)))
        if fresh:
            insert_tuples(NationalExported.__table__,
                          ("record_id", "batch_id", "outcome", "start_at", "end_at", "minutes", "span_key"), fresh)
    batch.records, batch.refused, batch.volunteers = counts
    return changes


def _voided(batch, date_from, date_to) -> list[tuple]:
    """变更 rows of records an earlier batch sent that are void now; they are marked reported."""
    r, a, e, v = (ServiceRecord.__table__.c, Activity.__table__.c, NationalExported.__table__.c,
                  Volunteer.__table__.c)
    rows = db.session.execute(
        select(e.record_id, e.start_at, e.end_at, e.minutes, e.batch_id, v.name, v.id_number, a.title)
        .select_from(NationalExported.__table__).join(ServiceRecord.__table__, r.id == e.record_id)
        .join(Activity.__table__, a.id == r.activity_id).join(Volunteer.__table__, v.id == r.volunteer_id)
        .where(e.outcome == "sent", r.status == "void", *_dates(r.service_date, date_from, date_to))
        .order_by(e.record_id)).all()
    ids = [row.record_id for row in rows]
    for start in range(0, len(ids), 5000):
        db.session.execute(update(NationalExported).where(NationalExported.record_id.in_(ids[start:start + 5000]))
                           .values(outcome="void", batch_id=batch.id))
    return [("作废", row.record_id, row.name, row.id_number, row.title, row.start_at, row.end_at,
             hours_of(row.minutes), None, None, None, row.batch_id, ADVICE["void"]) for row in rows]


def _write_other_volunteers(book, batch, people: People) -> None:
    """A pack of everything also lists the active volunteers without an approved record."""
    r, v = ServiceRecord.__table__.c, Volunteer.__table__.c
    stmt = (select(v.id, v.name, v.gender, v.id_type, v.id_number, v.phone, v.birth_date, v.political_status,
                   v.education, v.skills, v.national_no)
            .where(v.status == "active", ~exists().where(r.volunteer_id == v.id, r.status == "approved"))
            .order_by(v.id))
    result = db.session.execute(stmt.execution_options(yield_per=5000))
    try:
        for chunk in result.partitions():
            for person in chunk:
                book[0].append(people.row(person))
            batch.volunteers += len(chunk)
    finally:
        result.close()


def batch_file(actor, batch: NationalBatch) -> bytes:
    """A batch's workbook again, for the office (audited: it holds full ID numbers)."""
    _check(actor, None, None)
    content = db.session.scalar(select(NationalBatchFile.content).where(NationalBatchFile.batch_id == batch.id))
    if content is None:
        raise ServiceError(f"第 {batch.id} 批的文件不存在。")
    record(actor, "national.download", "national_batch", batch.id, f"下载全国系统数据包第 {batch.id} 批",
           digest=batch.digest)
    return content


def download_name(batch: NationalBatch) -> str:
    return f"全国志愿服务信息系统数据包_第{batch.id}批_{batch.created_at + CHINA_TZ.utcoffset(None):%Y%m%d}.xlsx"
