"""Creating, editing and publishing activities (sign-ups live in signups.py)."""
from sqlalchemy import select, update

from ..audit.services import diff, record, snapshot
from ..errors import ServiceError, StaleError
from ..extensions import db
from ..fields import FieldError, time_text
from ..hours.models import MonthLock, ServiceRecord
from ..hours.rules import ensure_unlocked
from ..periods import month_text
from ..clock import utcnow
from .models import Activity, ActivitySignup
from .signups import promote

FIELDS = ("team_id", "title", "category_id", "place", "service_date", "start_time", "end_time",
          "description", "headcount", "status", "latitude", "longitude", "radius_m")


def _check(values: dict) -> None:
    """Refuse a nameless activity; store times as 'HH:MM' (fields.time_text) so that they
    compare as times everywhere (text '9:00' sorts after '11:00')."""
    if not (values.get("title") or "").strip():
        raise ServiceError("活动名称不能为空。", "title")
    for key, label in (("start_time", "开始时间"), ("end_time", "结束时间")):
        if key in values:
            try:
                values[key] = time_text(values[key], field=label)
            except FieldError as exc:
                raise ServiceError(exc.message, key) from None
    start, end = values.get("start_time"), values.get("end_time")
    if start and end and end <= start:
        raise ServiceError("结束时间必须晚于开始时间。", "end_time")


def create_activity(actor, values: dict) -> Activity:
    _check(values)
    activity = Activity(**{k: values.get(k) for k in FIELDS if k in values},
                        created_by_id=getattr(actor, "id", None))
    activity.status = values.get("status") or "draft"
    db.session.add(activity)
    db.session.flush()
    record(actor, "activity.create", "activity", activity.id, f"新建活动 {activity.title}",
           after=snapshot(activity, FIELDS))
    return activity


# Records copy these from their activity (hours.models), so an edit of any of them moves records.
RECORD_COPY = ("team_id", "category_id", "service_date")


def update_activity(actor, activity: Activity, values: dict, *, version=None) -> None:
    """Save edits; a form loaded before someone else's save is refused as stale.

    Records copy the activity's team, category and date, so a change of those moves the
    activity's records, within the month lock's rule: records in a locked month never move
    (refused for everyone: the office corrects such a record by itself); approved records move
    only by an office edit, which is then a correction listing every record it touched in
    the one audit entry. A leader's edit that would move approved records is refused, and
    nothing changes; pending (and void) records in open months follow the activity.
    """
    if version is not None:
        try:
            stale = int(version) != activity.version
        except (TypeError, ValueError):  # a tampered hidden field: not this form's version
            stale = True
        if stale:
            raise StaleError("该活动已被他人修改，请刷新页面查看最新内容后再保存。")
    _check(values)
    before = snapshot(activity, FIELDS)
    moving = [k for k in RECORD_COPY if k in values and values[k] != getattr(activity, k)]
    if "service_date" in moving:
        ensure_unlocked(activity.service_date)
        ensure_unlocked(values["service_date"])
    records = _records_that_move(actor, activity, values, moving) if moving else []
    for key in FIELDS:
        if key in values:
            setattr(activity, key, values[key])
    b, a = diff(before, snapshot(activity, FIELDS))
    if not b:
        return
    db.session.flush()  # version check happens here (UPDATE ... WHERE version = ?)
    touched = []
    if records:
        after = {"service_date": activity.service_date.isoformat(), "team_id": activity.team_id,
                 "category_id": activity.category_id}
        db.session.execute(update(ServiceRecord).where(ServiceRecord.id.in_([r.id for r in records])).values(
            team_id=activity.team_id, category_id=activity.category_id, service_date=activity.service_date))
        touched = [{"id": r.id, "status": r.status,
                    "before": {"service_date": r.service_date.isoformat(), "team_id": r.team_id,
                               "category_id": r.category_id},
                    "after": after} for r in records]
    extra = {"records": touched} if touched else {}
    record(actor, "activity.update", "activity", activity.id, f"修改活动 {activity.title}"
           + (f"（{len(touched)} 条时长记录随之更正）" if touched else ""), before=b, after=a, **extra)
    if "headcount" in b or "status" in b:  # a raised quota (or re-opened activity) moves 候补 people up
        promote(actor, activity)


def _records_that_move(actor, activity: Activity, values: dict, moving: list[str]) -> list:
    """The activity's records an edit of `moving` fields would change, after the checks that
    refuse the edit as a whole (raising ServiceError, so nothing is changed)."""
    field = "service_date" if "service_date" in moving else moving[0]
    rows = db.session.execute(
        select(ServiceRecord.id, ServiceRecord.status, ServiceRecord.service_date, ServiceRecord.team_id,
               ServiceRecord.category_id).where(ServiceRecord.activity_id == activity.id)
        .order_by(ServiceRecord.id)).all()
    months = sorted({month_text(r.service_date) for r in rows})
    locked = set(db.session.scalars(select(MonthLock.month).where(MonthLock.month.in_(months)))) if months else set()
    if locked:
        first = min(locked)
        raise ServiceError(f"{first} 已锁账：该月的时长记录不能随活动修改，活动的日期、队伍和服务类别因此不能更改"
                           "（单条记录如需更正，请由分中心办公室在时长记录上操作）。", field)
    approved = sum(1 for r in rows if r.status == "approved")
    if approved and not (actor is None or actor.role == "office"):
        raise ServiceError(f"该活动已有 {approved} 条已确认的时长记录，修改活动的日期、队伍或服务类别"
                           "会一并更改这些记录，只能由分中心办公室更正。请联系分中心办公室。", field)
    return rows


def set_status(actor, activity: Activity, status: str) -> None:
    if activity.cancelled_at is not None:
        raise ServiceError("该活动已取消，不能再发布或更改状态；如需举办，请新建活动。")
    before = activity.status
    activity.status = status
    record(actor, "activity.status", "activity", activity.id, f"活动 {activity.title} 状态：{activity.status_label}",
           before={"status": before}, after={"status": status})
    if status == "published":
        promote(actor, activity)


def cancel_activity(actor, activity: Activity, reason: str) -> list[int]:
    """活动已取消: a published activity is called off with a reason. It is closed (no sign-up,
    no promotion), its sign-ups stay as they were, so the people signed up and waiting see
    活动已取消 on /me and on its page; nobody is counted 未到. An activity with hours
    recorded was held: it is not cancelled. Returns the volunteers told."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写取消原因，报名的志愿者会看到。", "reason")
    if activity.cancelled_at is not None:
        raise ServiceError("该活动已取消。")
    if activity.status != "published":
        raise ServiceError("只能取消已发布的活动（草稿无需取消，已结束的活动不能取消）。")
    if db.session.scalar(select(ServiceRecord.id).where(ServiceRecord.activity_id == activity.id,
                                                        ServiceRecord.status != "void").limit(1)):
        raise ServiceError("该活动已登记时长，说明已经举办，不能取消。")
    told = list(db.session.scalars(select(ActivitySignup.volunteer_id).where(
        ActivitySignup.activity_id == activity.id, ActivitySignup.status != "cancelled")))
    activity.status, activity.cancelled_at, activity.cancel_reason = "closed", utcnow(), reason[:200]
    db.session.flush()
    record(actor, "activity.cancel", "activity", activity.id, f"取消活动 {activity.title}：{reason}",
           before={"status": "published"}, after={"status": "closed", "cancelled": True, "reason": reason},
           volunteers=told)
    return told
