"""Integrity: settings, the monthly close (月度锁账) and the exception queue (异常核查).

* Settings are key/value rows (`Setting`); `get_settings` reads several with defaults in one
  query, `save_settings` writes the changed ones and audits them.
* Locking a month adds a `MonthLock`; from then on that month's records change only through an
  office correction (hours.services.correct_record / void_record(correction=True)), which
  `hours.services.ensure_unlocked` enforces for everyone else. Editing an activity never moves
  a locked month's records (activities.services.update_activity refuses the edit).
* The exception queue is five rules, each one SQL query over service records that are not void
  and not yet reviewed for that rule. The office confirms a flagged record (it stays as it is,
  with a reason) or voids it (hours.services.void_record, with a reason); either way an
  `IntegrityReview` row takes it out of the queue for that rule, and the audit log keeps it.
"""
from __future__ import annotations

import re
from datetime import date

from flask import current_app
from sqlalchemy import Integer, String, and_, case, cast, exists, func, literal_column, null, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased, selectinload

from ..activities.models import Activity
from ..audit.services import record
from ..auth.models import User
from ..errors import ServiceError
from ..extensions import db
from ..hours.models import MonthLock, ServiceRecord
from ..hours.services import void_record
from ..clock import today_local
from ..volunteers.models import Volunteer
from ..settings import get_setting, save_settings
from .models import IntegrityReview

# ------------------------------------------------------- the daily hours limit

DAILY_LIMIT_KEY = "integrity.daily_hours_limit"


def daily_hours_limit() -> float:
    """Hours in one day above which a volunteer's day is flagged (Setting, default config 12)."""
    default = current_app.config.get("DAILY_HOURS_LIMIT", 12)
    try:
        value = float(get_setting(DAILY_LIMIT_KEY, default))
    except (TypeError, ValueError):
        value = float(default)
    return value if 0 < value <= 24 else float(default)


def set_daily_hours_limit(actor, hours: float, also: dict[str, str] | None = None,
                          labels: dict[str, str] | None = None) -> bool:
    """Save the limit, and `also` other settings of the same page, as one audited change."""
    if not (0 < hours <= 24):
        raise ServiceError("每日时长上限应大于 0 且不超过 24 小时。", "daily_hours_limit")
    text = f"{hours:g}"
    return save_settings(actor, {DAILY_LIMIT_KEY: text} | (also or {}), {DAILY_LIMIT_KEY: "每日时长上限"} | (labels or {}))


# ---------------------------------------------------------------------- month locks

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-03' -> (2026-03-01, 2026-04-01), the half-open range of its dates."""
    match = MONTH_RE.match(month or "")
    if not match:
        raise ServiceError("月份格式应为 YYYY-MM，例如 2026-03。", "month")
    y, m = int(match.group(1)), int(match.group(2))
    if not 1900 <= y <= 2999:  # "9999-12" would end in year 10000, which date() refuses
        raise ServiceError("月份超出范围。", "month")
    return date(y, m, 1), date(y + (m == 12), m % 12 + 1, 1)


def locked_months() -> list[dict]:
    """Every locked month, newest first: {"month", "locked_at", "locked_by"}."""
    rows = db.session.execute(
        select(MonthLock.month, MonthLock.locked_at, User.username, User.display_name)
        .outerjoin(User, User.id == MonthLock.locked_by_id).order_by(MonthLock.month.desc())).all()
    return [{"month": m, "locked_at": at, "locked_by": display or username or "cli"} for m, at, username, display in rows]


def month_status(month: str) -> dict:
    """Counts of a month's records by status (one GROUP BY on ix_records_date_cover)."""
    start, end = month_bounds(month)
    counts = dict(db.session.execute(
        select(ServiceRecord.status, func.count()).where(ServiceRecord.service_date >= start,
                                                         ServiceRecord.service_date < end)
        .group_by(ServiceRecord.status)).all())
    return {s: counts.get(s, 0) for s in ("pending", "approved", "void")}


def lock_month(actor, month: str, today: date | None = None) -> MonthLock:
    """Close a month. Refused for a month not yet over, one already locked, or one that still
    has records awaiting approval (they could never be approved once it is locked)."""
    if actor is not None and actor.role != "office":
        raise ServiceError("只有分中心办公室可以锁账。")
    month = (month or "").strip()
    start, end = month_bounds(month)
    today = today or today_local()
    if end > today:
        raise ServiceError(f"{month} 尚未结束，只能锁定已经结束的月份。", "month")
    if db.session.get(MonthLock, month) is not None:
        raise ServiceError(f"{month} 已经锁账。", "month")
    pending = month_status(month)["pending"]
    if pending:
        raise ServiceError(f"{month} 还有 {pending} 条待审核的时长记录，请先审核或作废后再锁账。", "month")
    lock = MonthLock(month=month, locked_by_id=getattr(actor, "id", None))
    db.session.add(lock)
    db.session.flush()
    record(actor, "month.lock", "month_lock", month, f"月度锁账：{month}", after={"month": month})
    return lock


# ------------------------------------------------------------------ exception queue

RULES = {
    "overlap": "同日活动时间重叠",
    "daily_hours": "单日时长超过上限",
    "over_span": "时长超过活动时长",
    "future": "活动日期在未来",
    "self_entry": "本人登记或审核自己的时长",
}
RULE_HELP = {
    "overlap": "同一志愿者在同一天参加的两个活动，开始和结束时间有重叠。",
    "daily_hours": "同一志愿者一天内的时长合计超过设置的上限。",
    "over_span": "记录的时长超过了活动从开始到结束的时长。",
    "future": "活动日期晚于今天，却已有时长记录。",
    "self_entry": "登记或审核这条时长的账号，正是关联到该志愿者本人的账号。",
}
LIVE = ("pending", "approved")


def _rule_name(rule: str):
    """The rule's name as an SQL string constant (not a bound parameter: PostgreSQL must know
    the column's type in a UNION)."""
    return literal_column(f"'{rule}'", String).label("rule")


def _minutes_of(hhmm):
    """SQL: 'HH:MM' text -> minutes after midnight (SQLite and PostgreSQL alike)."""
    return cast(func.substr(hhmm, 1, 2), Integer) * 60 + cast(func.substr(hhmm, 4, 2), Integer)


def _not_reviewed(rule: str, record_id):
    return ~exists().where(IntegrityReview.rule == rule, IntegrityReview.record_id == record_id)


def _live(r, date_from=None, date_to=None, *, status_index=True):
    """Not void, dated in the period. `status_index=False` writes `status || ''` so that SQLite
    (no statistics unless ANALYZE ran) cannot pick ix_records_date_cover for the status and
    scan a whole period when a narrower index is at hand."""
    status = r.status if status_index else r.status.concat("")
    conds = [status.in_(LIVE)]
    if date_from is not None:
        conds.append(r.service_date >= date_from)
    if date_to is not None:
        conds.append(r.service_date <= date_to)
    return conds


def _busy_days(date_from, date_to):
    """CTE of the volunteer-days that could break a per-day rule: two or more live records (an
    overlap needs two) or more minutes than the daily limit. One GROUP BY over the period's
    live records (ix_records_date_cover), shared by the overlap and daily-hours rules."""
    limit_minutes = int(round(daily_hours_limit() * 60))
    n, total = func.count(), func.sum(ServiceRecord.minutes)
    return (select(ServiceRecord.volunteer_id, ServiceRecord.service_date, n.label("n"), total.label("total"))
            .where(*_live(ServiceRecord, date_from, date_to))
            .group_by(ServiceRecord.volunteer_id, ServiceRecord.service_date)
            .having(or_(n > 1, total > limit_minutes)).cte("busy_days"))


def _rule_overlap(date_from, date_to, record_id=None, busy=None):
    busy = busy if busy is not None else _busy_days(date_from, date_to)
    r1, r2 = aliased(ServiceRecord), aliased(ServiceRecord)
    a1, a2 = aliased(Activity), aliased(Activity)
    # Only volunteer-days with two or more live records can overlap; they are found first, so
    # the self-join touches a handful of rows (ix_records_volunteer_cover).
    pairs = select(busy.c.volunteer_id, busy.c.service_date).where(busy.c.n > 1)
    stmt = (select(_rule_name("overlap"), r1.id.label("record_id"), r1.service_date.label("service_date"),
                   cast(null(), Integer).label("detail_num"), func.min(r2.id).label("detail_ref"))
            .join(a1, a1.id == r1.activity_id)
            .join(r2, and_(r2.volunteer_id == r1.volunteer_id, r2.service_date == r1.service_date,
                           r2.id != r1.id, r2.status.in_(LIVE)))
            .join(a2, a2.id == r2.activity_id)
            .where(*_live(r1), tuple_(r1.volunteer_id, r1.service_date).in_(pairs),
                   a1.start_time.is_not(None), a1.end_time.is_not(None),
                   a2.start_time.is_not(None), a2.end_time.is_not(None),
                   a1.start_time < a2.end_time, a2.start_time < a1.end_time,
                   _not_reviewed("overlap", r1.id))
            .group_by(r1.id, r1.service_date))
    if record_id is not None:
        stmt = stmt.where(r1.id == record_id)
    return stmt


def _rule_daily_hours(date_from, date_to, record_id=None, busy=None):
    busy = busy if busy is not None else _busy_days(date_from, date_to)
    limit_minutes = int(round(daily_hours_limit() * 60))
    r = aliased(ServiceRecord)
    stmt = (select(_rule_name("daily_hours"), r.id.label("record_id"), r.service_date.label("service_date"),
                   busy.c.total.label("detail_num"), cast(null(), Integer).label("detail_ref"))
            .join(busy, and_(busy.c.volunteer_id == r.volunteer_id, busy.c.service_date == r.service_date))
            .where(busy.c.total > limit_minutes, r.status.in_(LIVE), _not_reviewed("daily_hours", r.id)))
    if record_id is not None:
        stmt = stmt.where(r.id == record_id)
    return stmt


def _rule_over_span(date_from, date_to, record_id=None):
    """Minutes above the activity's start-to-end span.

    First the activities of the period that have such a record, by a correlated EXISTS on
    ix_records_team_cover (team, status, date, minutes > span: all in the index); then those
    few activities' records. "activity_id + 0" keeps SQLite off ix_records_activity inside
    the EXISTS, `status || ''` off ix_records_date_cover outside it.
    """
    a, inner = aliased(Activity), aliased(ServiceRecord)
    span = _minutes_of(a.end_time) - _minutes_of(a.start_time)
    acts = select(a.id).where(
        a.start_time.is_not(None), a.end_time.is_not(None),
        exists().where(inner.team_id == a.team_id, inner.status.in_(LIVE), inner.service_date == a.service_date,
                       inner.minutes > span, inner.activity_id + 0 == a.id))
    if date_from is not None:
        acts = acts.where(a.service_date >= date_from)
    if date_to is not None:
        acts = acts.where(a.service_date <= date_to)
    r, act = aliased(ServiceRecord), aliased(Activity)
    act_span = _minutes_of(act.end_time) - _minutes_of(act.start_time)
    stmt = (select(_rule_name("over_span"), r.id.label("record_id"), r.service_date.label("service_date"),
                   act_span.label("detail_num"), cast(null(), Integer).label("detail_ref"))
            .join(act, act.id == r.activity_id)
            .where(r.activity_id.in_(acts), *_live(r, status_index=False), r.minutes > act_span,
                   _not_reviewed("over_span", r.id)))
    if record_id is not None:
        stmt = stmt.where(r.id == record_id)
    return stmt


def _rule_future(date_from, date_to, record_id=None, today=None):
    """Records of activities dated after today; shown whatever the period filter says."""
    r = aliased(ServiceRecord)
    stmt = (select(_rule_name("future"), r.id.label("record_id"), r.service_date.label("service_date"),
                   cast(null(), Integer).label("detail_num"), cast(null(), Integer).label("detail_ref"))
            .where(r.status.in_(LIVE), r.service_date > (today or today_local()), _not_reviewed("future", r.id)))
    if record_id is not None:
        stmt = stmt.where(r.id == record_id)
    return stmt


def _rule_self_entry(date_from, date_to, record_id=None):
    """Entered (created_by) or approved (approved_by) by the login linked to the volunteer.

    Driven from the logins that can enter or approve hours (office and leaders) and are linked
    to a volunteer record, then that volunteer's records on ix_records_volunteer_cover.
    """
    r, u = aliased(ServiceRecord), aliased(User)
    entered = r.created_by_id == u.id
    approved = r.approved_by_id == u.id
    how = case((and_(entered, approved), 3), (approved, 2), else_=1)
    linked = select(User.volunteer_id).where(User.role.in_(HOURS_ROLES), User.volunteer_id.is_not(None))
    stmt = (select(_rule_name("self_entry"), r.id.label("record_id"), r.service_date.label("service_date"),
                   how.label("detail_num"), u.id.label("detail_ref"))
            .join(u, u.volunteer_id == r.volunteer_id)
            .where(r.volunteer_id.in_(linked), u.role.in_(HOURS_ROLES), *_live(r, date_from, date_to),
                   or_(entered, approved), _not_reviewed("self_entry", r.id)))
    if record_id is not None:
        stmt = stmt.where(r.id == record_id)
    return stmt


HOURS_ROLES = ("office", "leader")  # the roles that can enter or approve hours
RULE_QUERIES = {
    "overlap": _rule_overlap,
    "daily_hours": _rule_daily_hours,
    "over_span": _rule_over_span,
    "future": _rule_future,
    "self_entry": _rule_self_entry,
}
# On-site check-in's rules (device shared, doubtful place, edited afterwards) join the queue.
from ..checkin import flags as _checkin_flags  # noqa: E402  (after the helpers it uses)

RULES.update(_checkin_flags.RULES)
RULE_HELP.update(_checkin_flags.RULE_HELP)
RULE_QUERIES.update(_checkin_flags.RULE_QUERIES)


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
    busy = _busy_days(date_from, date_to)
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
    if row.rule in _checkin_flags.RULE_QUERIES:
        return _checkin_flags.detail(row, rec)
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
