"""Integrity: the exception queue (异常核查) and the office's review of it.

The rules are in integrity/rules.py (and check-in's in checkin/flags.py); here they run as one
UNION ALL for a period. The office confirms a flagged record (it stays as it is, with a
reason) or voids it (hours.services.void_record, with a reason); either way an
`IntegrityReview` row takes it out of the queue for that rule, and the audit log keeps it.
The daily-hours limit is saved here as an office setting; month locks are in hours/months.py.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import selectinload

from ..audit.services import record
from ..auth.models import User
from ..checkin import flags as checkin_flags
from ..clock import today_local
from ..errors import ServiceError
from ..extensions import db
from ..hours.models import MonthLock, ServiceRecord
from ..hours.months import month_bounds
from ..hours.services import void_record
from ..settings import save_settings
from ..volunteers.models import Volunteer
from . import rules
from .models import IntegrityReview
from .rules import DAILY_LIMIT_KEY, busy_days, daily_hours_limit

# Every rule of the queue: integrity's own, then on-site check-in's (device shared, doubtful
# place, edited afterwards).
RULES = rules.RULES | checkin_flags.RULES
RULE_HELP = rules.RULE_HELP | checkin_flags.RULE_HELP
RULE_QUERIES = rules.RULE_QUERIES | checkin_flags.RULE_QUERIES


def set_daily_hours_limit(actor, hours: float, also: dict[str, str] | None = None,
                          labels: dict[str, str] | None = None) -> bool:
    """Save the limit, and `also` other settings of the same page, as one audited change."""
    if not (0 < hours <= 24):
        raise ServiceError("每日时长上限应大于 0 且不超过 24 小时。", "daily_hours_limit")
    text = f"{hours:g}"
    return save_settings(actor, {DAILY_LIMIT_KEY: text} | (also or {}), {DAILY_LIMIT_KEY: "每日时长上限"} | (labels or {}))


def default_window(today: date | None = None) -> date:
    """Where the queue starts unless told otherwise: three calendar months back, or the month
    after the last locked one when that is later (a closed month has been worked through)."""
    today = today or today_local()
    y, m = today.year, today.month - 2
    if m < 1:
        y, m = y - 1, m + 12
    start = date(y, m, 1)
    last = db.session.scalar(select(func.max(MonthLock.month)))
    if last:
        after_lock = month_bounds(last)[1]
        start = max(start, after_lock)
    return min(start, date(today.year, today.month, 1))


def queue(date_from=None, date_to=None, rule: str | None = None, *, limit: int = 50,
          offset: int = 0) -> tuple[dict[str, int], list[dict]]:
    """The exception queue for records dated in the period (the future rule ignores it).

    Returns ({rule: unreviewed flags}, one page of rows for `rule` or for all rules, newest
    activity date first). Rows: {"rule", "rule_label", "record" (ServiceRecord with volunteer,
    activity and team loaded), "detail" (Chinese text saying why)}. The rules run as one
    UNION ALL; only the flagged records come back, and only one page of them is loaded.
    """
    busy = busy_days(date_from, date_to)
    flags = union_all(*[q(date_from, date_to, busy=busy) if rule_name in ("overlap", "daily_hours")
                        else q(date_from, date_to) for rule_name, q in RULE_QUERIES.items()]).subquery("flags")
    found = db.session.execute(
        select(flags.c.rule, flags.c.record_id, flags.c.detail_num, flags.c.detail_ref)
        .order_by(flags.c.service_date.desc(), flags.c.record_id.desc(), flags.c.rule)).all()
    counts = {k: 0 for k in RULE_QUERIES}
    for row in found:
        counts[row.rule] += 1
    chosen = [row for row in found if rule is None or row.rule == rule]
    return counts, _describe(chosen[offset:offset + limit])


def _describe(rows) -> list[dict]:
    """Queue rows for display: the records (one query, relations loaded) and why each is here."""
    ids = {r.record_id for r in rows} | {r.detail_ref for r in rows if r.rule == "overlap" and r.detail_ref}
    records = {rec.id: rec for rec in db.session.scalars(
        select(ServiceRecord).where(ServiceRecord.id.in_(ids or [-1])).options(
            selectinload(ServiceRecord.volunteer), selectinload(ServiceRecord.activity),
            selectinload(ServiceRecord.team), selectinload(ServiceRecord.created_by),
            selectinload(ServiceRecord.approved_by)))}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        [r.detail_ref for r in rows if r.rule == "self_entry" and r.detail_ref] or [-1])))}
    limit = daily_hours_limit()
    result = []
    for r in rows:
        rec = records.get(r.record_id)
        if rec is not None:
            result.append({"rule": r.rule, "rule_label": RULES[r.rule], "record": rec,
                           "detail": _detail(r, rec, records, users, limit)})
    return result


def _hours_text(minutes) -> str:
    return f"{round((minutes or 0) / 60, 2):g}"


def _detail(row, rec, records, users, limit) -> str:
    act = rec.activity
    if row.rule in checkin_flags.RULE_QUERIES:
        return checkin_flags.detail(row, rec)
    if row.rule == "overlap":
        other = records.get(row.detail_ref)
        if other is None:
            return "与同日另一活动时间重叠"
        oa = other.activity
        return f"{act.start_time}–{act.end_time} 与「{oa.title}」{oa.start_time}–{oa.end_time}（{other.team.name}）重叠"
    if row.rule == "daily_hours":
        return f"当日合计 {_hours_text(row.detail_num)} 小时，超过上限 {limit:g} 小时"
    if row.rule == "over_span":
        return (f"记录 {_hours_text(rec.minutes)} 小时，活动 {act.start_time}–{act.end_time} "
                f"仅 {_hours_text(row.detail_num)} 小时")
    if row.rule == "future":
        return f"活动日期 {rec.service_date} 晚于今天"
    user = users.get(row.detail_ref)
    who = user.label if user else "该账号"
    action = {1: "登记", 2: "审核", 3: "登记并审核"}.get(row.detail_num, "登记")
    return f"由关联本人的账号「{who}」{action}"


def _flags_of(rule: str, record_id: int):
    """The rule's query narrowed to one record (and to its date, so no whole-history scan)."""
    day = db.session.scalar(select(ServiceRecord.service_date).where(ServiceRecord.id == record_id))
    if rule not in RULE_QUERIES or day is None:
        return None
    return RULE_QUERIES[rule](day, day, record_id=record_id)


def is_flagged(rule: str, record_id: int) -> bool:
    """Whether the record is in the queue for that rule right now (flagged and unreviewed)."""
    stmt = _flags_of(rule, record_id)
    return stmt is not None and db.session.execute(stmt.limit(1)).first() is not None


def flag_detail(rule: str, record_id: int) -> dict | None:
    """The queue row of one flagged record (for the review page), or None."""
    stmt = _flags_of(rule, record_id)
    if stmt is None:
        return None
    described = _describe(db.session.execute(select(*stmt.subquery().c)).all())
    return described[0] if described else None


def review(actor, rule: str, rec: ServiceRecord, decision: str, reason: str) -> IntegrityReview:
    """Confirm (the record stands) or void (hours.services.void_record) one flagged record.

    Either way an IntegrityReview takes it out of the queue for that rule; both are audited.
    """
    if actor is not None and actor.role != "office":
        raise ServiceError("只有分中心办公室可以处理异常。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写处理原因。", "reason")
    if decision not in ("confirmed", "voided"):
        raise ServiceError("处理方式不正确。")
    if db.session.execute(select(IntegrityReview.id).where(IntegrityReview.rule == rule,
                                                           IntegrityReview.record_id == rec.id)).first():
        raise ServiceError("该异常已经处理过了。")
    if not is_flagged(rule, rec.id):
        raise ServiceError("该记录已不在异常队列中（可能已被更正或作废）。")
    if decision == "voided":
        void_record(actor, rec, f"异常核查（{RULES[rule]}）：{reason}", correction=True)
    item = IntegrityReview(rule=rule, record_id=rec.id, decision=decision, reason=reason[:200],
                           decided_by_id=getattr(actor, "id", None))
    db.session.add(item)
    db.session.flush()
    label = "确认无误" if decision == "confirmed" else "作废"
    record(actor, f"integrity.{'confirm' if decision == 'confirmed' else 'void'}", "service_record", rec.id,
           f"异常核查{label}（{RULES[rule]}）：{reason}", rule=rule, decision=decision, reason=reason)
    return item


def confirm_many(actor, items: list[tuple[str, int]], reason: str) -> int:
    """Confirm many flagged records at once with one reason (the queue's most common item, a
    leader logging their own hours, arrives by the dozen). Items no longer flagged or already
    reviewed are skipped; one audit entry lists each confirmed record. Returns how many."""
    if actor is not None and actor.role != "office":
        raise ServiceError("只有分中心办公室可以处理异常。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写处理原因。", "reason")
    if not items:
        raise ServiceError("请先勾选要确认的异常。")
    done_keys = set(db.session.execute(select(IntegrityReview.rule, IntegrityReview.record_id).where(
        IntegrityReview.record_id.in_({rid for _, rid in items}))).all())
    done = []
    for rule, record_id in dict.fromkeys(items):
        if rule not in RULES or (rule, record_id) in done_keys or not is_flagged(rule, record_id):
            continue
        db.session.add(IntegrityReview(rule=rule, record_id=record_id, decision="confirmed", reason=reason[:200],
                                       decided_by_id=getattr(actor, "id", None)))
        done.append({"rule": rule, "record": record_id})
    if not done:
        raise ServiceError("所选异常都已处理过或已不在队列中。")
    db.session.flush()
    record(actor, "integrity.confirm_many", "service_record", None,
           f"异常核查批量确认无误 {len(done)} 条：{reason}", items=done, records=[d["record"] for d in done],
           reason=reason)
    return len(done)


def recent_reviews(limit: int = 50, offset: int = 0):
    """Decisions already taken, newest first: (IntegrityReview, ServiceRecord, Volunteer, decider)."""
    return db.session.execute(
        select(IntegrityReview, ServiceRecord, Volunteer.name, User.username)
        .join(ServiceRecord, ServiceRecord.id == IntegrityReview.record_id)
        .join(Volunteer, Volunteer.id == ServiceRecord.volunteer_id)
        .outerjoin(User, User.id == IntegrityReview.decided_by_id)
        .order_by(IntegrityReview.decided_at.desc(), IntegrityReview.id.desc()).limit(limit).offset(offset)).all()


def review_count() -> int:
    return db.session.scalar(select(func.count()).select_from(IntegrityReview)) or 0
