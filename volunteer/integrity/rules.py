"""The exception rules of the integrity queue (异常核查): each one SQL query over service records.

A rule gives the queue's columns (rule, record_id, service_date, detail_num, detail_ref) for
the records that are live (not void), dated in the period and not yet reviewed for that rule.
The helpers (rule_name, live, not_reviewed) are shared with check-in's own rules
(checkin/flags.py); integrity/services.py runs them all as one UNION ALL. The daily-hours
threshold is an office setting read here (volunteer.settings), written by the services.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import Integer, String, and_, case, cast, exists, func, literal_column, null, or_, select, tuple_
from sqlalchemy.orm import aliased

from ..activities.models import Activity
from ..auth.models import User
from ..clock import today_local
from ..hours.models import ServiceRecord
from ..settings import get_setting
from .models import IntegrityReview

DAILY_LIMIT_KEY = "integrity.daily_hours_limit"


def daily_hours_limit() -> float:
    """Hours in one day above which a volunteer's day is flagged (Setting, default config 12)."""
    default = current_app.config.get("DAILY_HOURS_LIMIT", 12)
    try:
        value = float(get_setting(DAILY_LIMIT_KEY, default))
    except (TypeError, ValueError):
        value = float(default)
    return value if 0 < value <= 24 else float(default)


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


def rule_name(rule: str):
    """The rule's name as an SQL string constant (not a bound parameter: PostgreSQL must know
    the column's type in a UNION)."""
    return literal_column(f"'{rule}'", String).label("rule")


def minutes_of(hhmm):
    """SQL: 'HH:MM' text -> minutes after midnight (SQLite and PostgreSQL alike)."""
    return cast(func.substr(hhmm, 1, 2), Integer) * 60 + cast(func.substr(hhmm, 4, 2), Integer)


def not_reviewed(rule: str, record_id):
    return ~exists().where(IntegrityReview.rule == rule, IntegrityReview.record_id == record_id)


def live(r, date_from=None, date_to=None, *, status_index=True):
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


def busy_days(date_from, date_to):
    """CTE of the volunteer-days that could break a per-day rule: two or more live records (an
    overlap needs two) or more minutes than the daily limit. One GROUP BY over the period's
    live records (ix_records_date_cover), shared by the overlap and daily-hours rules."""
    limit_minutes = int(round(daily_hours_limit() * 60))
    n, total = func.count(), func.sum(ServiceRecord.minutes)
    return (select(ServiceRecord.volunteer_id, ServiceRecord.service_date, n.label("n"), total.label("total"))
            .where(*live(ServiceRecord, date_from, date_to))
            .group_by(ServiceRecord.volunteer_id, ServiceRecord.service_date)
            .having(or_(n > 1, total > limit_minutes)).cte("busy_days"))


def _rule_overlap(date_from, date_to, record_id=None, busy=None):
    busy = busy if busy is not None else busy_days(date_from, date_to)
    r1, r2 = aliased(ServiceRecord), aliased(ServiceRecord)
    a1, a2 = aliased(Activity), aliased(Activity)
    # Only volunteer-days with two or more live records can overlap; they are found first, so
    # the self-join touches a handful of rows (ix_records_volunteer_cover).
    pairs = select(busy.c.volunteer_id, busy.c.service_date).where(busy.c.n > 1)
    stmt = (select(rule_name("overlap"), r1.id.label("record_id"), r1.service_date.label("service_date"),
                   cast(null(), Integer).label("detail_num"), func.min(r2.id).label("detail_ref"))
            .join(a1, a1.id == r1.activity_id)
            .join(r2, and_(r2.volunteer_id == r1.volunteer_id, r2.service_date == r1.service_date,
                           r2.id != r1.id, r2.status.in_(LIVE)))
            .join(a2, a2.id == r2.activity_id)
            .where(*live(r1), tuple_(r1.volunteer_id, r1.service_date).in_(pairs),
                   a1.start_time.is_not(None), a1.end_time.is_not(None),
                   a2.start_time.is_not(None), a2.end_time.is_not(None),
                   a1.start_time < a2.end_time, a2.start_time < a1.end_time,
                   not_reviewed("overlap", r1.id))
            .group_by(r1.id, r1.service_date))
    if record_id is not None:
        stmt = stmt.where(r1.id == record_id)
    return stmt


def _rule_daily_hours(date_from, date_to, record_id=None, busy=None):
    busy = busy if busy is not None else busy_days(date_from, date_to)
    limit_minutes = int(round(daily_hours_limit() * 60))
    r = aliased(ServiceRecord)
    stmt = (select(rule_name("daily_hours"), r.id.label("record_id"), r.service_date.label("service_date"),
                   busy.c.total.label("detail_num"), cast(null(), Integer).label("detail_ref"))
            .join(busy, and_(busy.c.volunteer_id == r.volunteer_id, busy.c.service_date == r.service_date))
            .where(busy.c.total > limit_minutes, r.status.in_(LIVE), not_reviewed("daily_hours", r.id)))
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
    span = minutes_of(a.end_time) - minutes_of(a.start_time)
    acts = select(a.id).where(
        a.start_time.is_not(None), a.end_time.is_not(None),
        exists().where(inner.team_id == a.team_id, inner.status.in_(LIVE), inner.service_date == a.service_date,
                       inner.minutes > span, inner.activity_id + 0 == a.id))
    if date_from is not None:
        acts = acts.where(a.service_date >= date_from)
    if date_to is not None:
        acts = acts.where(a.service_date <= date_to)
    r, act = aliased(ServiceRecord), aliased(Activity)
    act_span = minutes_of(act.end_time) - minutes_of(act.start_time)
    stmt = (select(rule_name("over_span"), r.id.label("record_id"), r.service_date.label("service_date"),
                   act_span.label("detail_num"), cast(null(), Integer).label("detail_ref"))
            .join(act, act.id == r.activity_id)
            .where(r.activity_id.in_(acts), *live(r, status_index=False), r.minutes > act_span,
                   not_reviewed("over_span", r.id)))
    if record_id is not None:
        stmt = stmt.where(r.id == record_id)
    return stmt


def _rule_future(date_from, date_to, record_id=None, today=None):
    """Records of activities dated after today; shown whatever the period filter says."""
    r = aliased(ServiceRecord)
    stmt = (select(rule_name("future"), r.id.label("record_id"), r.service_date.label("service_date"),
                   cast(null(), Integer).label("detail_num"), cast(null(), Integer).label("detail_ref"))
            .where(r.status.in_(LIVE), r.service_date > (today or today_local()), not_reviewed("future", r.id)))
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
    stmt = (select(rule_name("self_entry"), r.id.label("record_id"), r.service_date.label("service_date"),
                   how.label("detail_num"), u.id.label("detail_ref"))
            .join(u, u.volunteer_id == r.volunteer_id)
            .where(r.volunteer_id.in_(linked), u.role.in_(HOURS_ROLES), *live(r, date_from, date_to),
                   or_(entered, approved), not_reviewed("self_entry", r.id)))
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
