"""Sign-ups (报名): a hard quota, an ordered 候补 list, cancellation, promotion, and attendance.

招募人数 (Activity.headcount) is a hard quota: the check "are there places left?" and the
insert run under the app's one write lock (volunteer/database.py), so two concurrent sign-ups
cannot both take the last place. Past the quota people queue as 候补 in queued_at order; a
cancellation or a raised quota moves the first of them up (a lowered quota keeps those in).
A volunteer may cancel until the office's deadline (N hours before the start, a setting).
After the activity a confirmed sign-up with neither a sign-in nor a live record is 未到,
unless a leader marked 请假, or the person was moved up less than 24 hours before the start.
Services flush and audit, never commit.
"""
from flask_babel import gettext as _
from datetime import datetime, time, timedelta

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import selectinload

from ..audit.services import record
from ..checkin.models import Checkin
from ..clock import CHINA_TZ, utcnow
from ..errors import ServiceError
from ..extensions import db
from ..hours.models import ServiceRecord
from .. import workdays
from ..settings import get_setting
from ..volunteers.models import Volunteer
from .models import Activity, ActivitySignup

CANCEL_HOURS_KEY = "signup_cancel_hours"
CANCEL_HOURS_DEFAULT = "2"
LATE_PROMOTION = timedelta(hours=24)  # moved up closer to the start than this: no 未到


def cancel_hours() -> int:
    """Hours before the start until which a volunteer may cancel (office setting)."""
    try:
        return max(0, int(get_setting(CANCEL_HOURS_KEY, CANCEL_HOURS_DEFAULT)))
    except (TypeError, ValueError):
        return int(CANCEL_HOURS_DEFAULT)


def starts_at(activity: Activity) -> datetime:
    """The activity's start in naive UTC (the day's 00:00 Beijing time without a start time)."""
    hh, mm = map(int, (activity.start_time or "00:00").split(":"))
    return datetime.combine(activity.service_date, time(hh, mm)) - CHINA_TZ.utcoffset(None)


def _confirmed_count(activity_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ActivitySignup).where(
        ActivitySignup.activity_id == activity_id, ActivitySignup.status == "confirmed"))


def waitlist_position(signup: ActivitySignup) -> int | None:
    """候补第 N 位 (1-based), or None when not waiting."""
    if signup.status != "waitlist":
        return None
    ahead = db.session.scalar(select(func.count()).select_from(ActivitySignup).where(
        ActivitySignup.activity_id == signup.activity_id, ActivitySignup.status == "waitlist",
        or_(ActivitySignup.queued_at < signup.queued_at,
            and_(ActivitySignup.queued_at == signup.queued_at, ActivitySignup.id < signup.id))))
    return ahead + 1


def sign_up(actor, activity: Activity, volunteer, now: datetime | None = None) -> ActivitySignup:
    """Sign up for a published activity: 已报名 within the quota, else 候补 at the end of the list."""
    now = now or utcnow()
    if activity.cancelled_at is not None:
        raise ServiceError(_("该活动已取消。"))
    if activity.status != "published":
        raise ServiceError(_("该活动未开放报名。"))
    if now >= starts_at(activity):
        raise ServiceError(_("活动已开始，不能再报名。"))
    signup = db.session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity.id,
                                                            ActivitySignup.volunteer_id == volunteer.id))
    if signup is not None and signup.status != "cancelled":
        raise ServiceError(_("您已报名该活动。") if signup.status == "confirmed" else "您已在该活动的候补名单中。")
    full = bool(activity.headcount) and _confirmed_count(activity.id) >= activity.headcount
    status = "waitlist" if full else "confirmed"
    if signup is None:
        signup = ActivitySignup(activity_id=activity.id, volunteer_id=volunteer.id)
        db.session.add(signup)
    signup.status, signup.queued_at, signup.cancelled_at, signup.promoted_at = status, now, None, None
    signup.on_leave = False
    db.session.flush()
    what = "候补" if full else "报名"
    record(actor, "activity.signup", "activity", activity.id, f"{volunteer.name} {what} {activity.title}",
           after={"volunteer_id": volunteer.id, "status": status})
    return signup


def cancel(actor, activity: Activity, volunteer, now: datetime | None = None) -> list[ActivitySignup]:
    """取消报名 up to the office's deadline; the first 候补 moves up. Returns those moved up."""
    now = now or utcnow()
    signup = db.session.scalar(select(ActivitySignup).where(
        ActivitySignup.activity_id == activity.id, ActivitySignup.volunteer_id == volunteer.id,
        ActivitySignup.status != "cancelled"))
    if signup is None:
        raise ServiceError(_("您没有报名该活动。"))
    hours = cancel_hours()
    if now > starts_at(activity) - timedelta(hours=hours):
        raise ServiceError(_("活动开始前 %(n)s 小时内不能取消报名，如不能参加请联系队长请假。", n=hours) if hours
                           else _("活动已开始，不能取消报名，如不能参加请联系队长请假。"))
    before = signup.status
    signup.status, signup.cancelled_at = "cancelled", now
    db.session.flush()
    record(actor, "activity.signup_cancel", "activity", activity.id, f"{volunteer.name} 取消报名 {activity.title}",
           before={"volunteer_id": volunteer.id, "status": before}, after={"status": "cancelled"})
    return promote(actor, activity, now)


def promote(actor, activity: Activity, now: datetime | None = None) -> list[ActivitySignup]:
    """Move 候补 people up, first come first, while places are free; each move audited."""
    now = now or utcnow()
    if activity.status != "published" or now >= starts_at(activity):
        return []
    free = activity.headcount - _confirmed_count(activity.id) if activity.headcount else None
    if free is not None and free <= 0:
        return []
    stmt = select(ActivitySignup).where(ActivitySignup.activity_id == activity.id,
                                        ActivitySignup.status == "waitlist") \
        .order_by(ActivitySignup.queued_at, ActivitySignup.id)
    if free is not None:
        stmt = stmt.limit(free)
    moved = db.session.scalars(stmt).all()
    for signup in moved:
        signup.status, signup.promoted_at = "confirmed", now
        record(actor, "activity.signup_promote", "activity", activity.id,
               f"{signup.volunteer.name} 由候补转为已报名：{activity.title}",
               before={"volunteer_id": signup.volunteer_id, "status": "waitlist"}, after={"status": "confirmed"})
    db.session.flush()
    return moved


def set_leave(actor, signup: ActivitySignup, on_leave: bool) -> None:
    """A leader marks (or unmarks) 请假 for a confirmed sign-up, so it is not counted 未到."""
    if signup.status != "confirmed":
        raise ServiceError(_("只能为已报名的人员登记请假。"))
    if signup.on_leave == on_leave:
        return
    signup.on_leave = on_leave
    db.session.flush()
    record(actor, "activity.signup_leave", "activity", signup.activity_id,
           f"{signup.volunteer.name} {'请假' if on_leave else '取消请假'}：{signup.activity.title}",
           before={"volunteer_id": signup.volunteer_id, "on_leave": not on_leave}, after={"on_leave": on_leave})


def _came():
    """SQL: the sign-up's person signed in or has a live record on the activity."""
    return or_(
        exists().where(Checkin.activity_id == ActivitySignup.activity_id,
                       Checkin.volunteer_id == ActivitySignup.volunteer_id),
        exists().where(ServiceRecord.activity_id == ActivitySignup.activity_id,
                       ServiceRecord.volunteer_id == ActivitySignup.volunteer_id, ServiceRecord.status != "void"))


def attendance(signup: ActivitySignup, now: datetime | None = None) -> str | None:
    """After the activity: 已到场 / 请假 / 未到 / 临近递补 (moved up late, not counted); before it None."""
    now = now or utcnow()
    activity = signup.activity
    if signup.status != "confirmed" or now < starts_at(activity) or activity.cancelled_at is not None:
        return None
    came = db.session.scalar(select(_came()).select_from(ActivitySignup).where(ActivitySignup.id == signup.id))
    if came:
        return "已到场"
    if signup.on_leave:
        return "请假"
    if signup.promoted_at and signup.promoted_at > starts_at(activity) - LATE_PROMOTION:
        return "临近递补"
    return "未到"


def no_show_counts(volunteer_ids, today) -> dict[int, int]:
    """{volunteer id: times 未到} over activities before `today` (Beijing date), for leaders.

    The count is one GROUP BY; the few sign-ups moved up from 候补 are read one by one, since
    "moved up less than 24 hours before the start" needs the start time.
    """
    ids = list(volunteer_ids)
    if not ids:
        return {}
    missed = (ActivitySignup.volunteer_id.in_(ids), ActivitySignup.status == "confirmed",
              Activity.service_date < today, Activity.cancelled_at.is_(None),  # 活动已取消: nobody missed it
              not_(ActivitySignup.on_leave), not_(_came()))
    base = select(ActivitySignup.volunteer_id).join(Activity, Activity.id == ActivitySignup.activity_id)
    counts = dict(db.session.execute(
        base.add_columns(func.count()).where(*missed, ActivitySignup.promoted_at.is_(None))
        .group_by(ActivitySignup.volunteer_id)).all())
    for signup in db.session.scalars(select(ActivitySignup).join(Activity, Activity.id == ActivitySignup.activity_id)
                                     .where(*missed, ActivitySignup.promoted_at.is_not(None))):
        if signup.promoted_at <= starts_at(signup.activity) - LATE_PROMOTION:
            counts[signup.volunteer_id] = counts.get(signup.volunteer_id, 0) + 1
    return counts


def activity_signups(activity: Activity) -> list[ActivitySignup]:
    """Confirmed then 候补 (in order) sign-ups of an activity, people loaded in one query."""
    return db.session.scalars(
        select(ActivitySignup).options(selectinload(ActivitySignup.volunteer).lazyload(Volunteer.memberships))
        .where(ActivitySignup.activity_id == activity.id, ActivitySignup.status != "cancelled")
        .order_by(ActivitySignup.status, ActivitySignup.queued_at, ActivitySignup.id)).all()


def panel_rows(activity: Activity, listed: list[ActivitySignup], now: datetime | None = None) -> list[tuple]:
    """(sign-up, 候补 position or None, attendance or None) for the leaders' list, in a
    constant number of queries (attendance() per row would be one query a person)."""
    now = now or utcnow()
    start = starts_at(activity)
    if activity.cancelled_at is not None:  # 活动已取消: no attendance to show
        start = datetime.max
    came = set()
    if now >= start:
        came = set(db.session.scalars(select(ActivitySignup.volunteer_id).where(
            ActivitySignup.activity_id == activity.id, _came())))
    rows, waiting = [], 0
    for s in listed:
        if s.status == "waitlist":
            waiting += 1
            rows.append((s, waiting, None))
            continue
        seen = None
        if now >= start:
            seen = ("已到场" if s.volunteer_id in came else "请假" if s.on_leave else
                    "临近递补" if s.promoted_at and s.promoted_at > start - LATE_PROMOTION else "未到")
        rows.append((s, None, seen))
    return rows


def confirmed_counts(activity_ids) -> dict[int, int]:
    """{activity id: confirmed sign-ups} in one GROUP BY: places left count only these."""
    return dict(db.session.execute(
        select(ActivitySignup.activity_id, func.count()).where(
            ActivitySignup.activity_id.in_(list(activity_ids) or [-1]), ActivitySignup.status == "confirmed")
        .group_by(ActivitySignup.activity_id)).all())


def states_for(volunteer_id: int, activity_ids) -> dict[int, int | None]:
    """{activity id: None when 已报名, N when 候补第 N 位} for one volunteer's live sign-ups
    among the activities (a list page); cancelled ones are left out (not signed up)."""
    rows = db.session.scalars(select(ActivitySignup).where(
        ActivitySignup.volunteer_id == volunteer_id, ActivitySignup.status != "cancelled",
        ActivitySignup.activity_id.in_(list(activity_ids) or [-1]))).all()
    return {s.activity_id: waitlist_position(s) for s in rows}


def upcoming_for(volunteer_id: int, now: datetime | None = None) -> list[tuple[ActivitySignup, int | None]]:
    """A volunteer's sign-ups for activities not yet started: (sign-up, 候补 position or None)."""
    now = now or utcnow()
    today = (now + timedelta(hours=8)).date()
    rows = db.session.scalars(
        select(ActivitySignup).join(Activity, Activity.id == ActivitySignup.activity_id)
        .where(ActivitySignup.volunteer_id == volunteer_id, ActivitySignup.status != "cancelled",
               Activity.service_date >= today)
        .order_by(Activity.service_date, Activity.start_time, Activity.id)).all()
    return [(s, waitlist_position(s)) for s in rows]


def overdue_activities(team_ids, today, *, look_back_days: int = 120, limit: int = 50) -> list[Activity]:
    """逾期未记录: activities more than 10 working days past (Chinese holidays counted, see
    volunteer/workdays.py) with sign-ups or sign-ins but no live record, newest first.
    `team_ids` None means every team (the office)."""
    cutoff = today
    while workdays.deadline(cutoff) >= today:  # the last day whose 10 working days have passed
        cutoff -= timedelta(days=1)
    came = or_(
        exists().where(ActivitySignup.activity_id == Activity.id, ActivitySignup.status == "confirmed"),
        exists().where(Checkin.activity_id == Activity.id))
    stmt = select(Activity).where(
        Activity.service_date <= cutoff, Activity.service_date >= today - timedelta(days=look_back_days),
        Activity.status != "draft", Activity.cancelled_at.is_(None), came,
        not_(exists().where(ServiceRecord.activity_id == Activity.id, ServiceRecord.status != "void")))
    if team_ids is not None:
        stmt = stmt.where(Activity.team_id.in_(list(team_ids) or [-1]))
    return db.session.scalars(stmt.order_by(Activity.service_date.desc(), Activity.id.desc()).limit(limit)).all()
