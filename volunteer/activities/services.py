"""Creating, editing and publishing activities; volunteers' sign-ups."""
from sqlalchemy import select, update

from ..audit.services import diff, record, snapshot
from ..errors import ServiceError, StaleError
from ..extensions import db
from ..hours.models import ServiceRecord
from ..hours.services import ensure_unlocked
from .models import Activity, ActivitySignup

FIELDS = ("team_id", "title", "category_id", "place", "service_date", "start_time", "end_time",
          "description", "headcount", "status", "latitude", "longitude", "radius_m")


def _check(values: dict) -> None:
    if not (values.get("title") or "").strip():
        raise ServiceError("活动名称不能为空。", "title")
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


def update_activity(actor, activity: Activity, values: dict, *, version: int | None = None) -> None:
    """Save edits; a form loaded before someone else's save is refused as stale.

    Records copy the activity's team, category and date, so those are updated with it.
    """
    if version is not None and int(version) != activity.version:
        raise StaleError("该活动已被他人修改，请刷新页面查看最新内容后再保存。")
    _check(values)
    before = snapshot(activity, FIELDS)
    if values.get("service_date") and values["service_date"] != activity.service_date:
        ensure_unlocked(activity.service_date)
        ensure_unlocked(values["service_date"])
    for key in FIELDS:
        if key in values:
            setattr(activity, key, values[key])
    b, a = diff(before, snapshot(activity, FIELDS))
    if not b:
        return
    db.session.flush()  # version check happens here (UPDATE ... WHERE version = ?)
    if {"team_id", "category_id", "service_date"} & set(b):
        db.session.execute(update(ServiceRecord).where(ServiceRecord.activity_id == activity.id).values(
            team_id=activity.team_id, category_id=activity.category_id, service_date=activity.service_date))
    record(actor, "activity.update", "activity", activity.id, f"修改活动 {activity.title}", before=b, after=a)


def set_status(actor, activity: Activity, status: str) -> None:
    before = activity.status
    activity.status = status
    record(actor, "activity.status", "activity", activity.id, f"活动 {activity.title} 状态：{activity.status_label}",
           before={"status": before}, after={"status": status})


def sign_up(actor, activity: Activity, volunteer) -> ActivitySignup:
    """A volunteer signs up for a published activity, within its headcount."""
    if activity.status != "published":
        raise ServiceError("该活动未开放报名。")
    if db.session.scalar(select(ActivitySignup.id).where(ActivitySignup.activity_id == activity.id,
                                                         ActivitySignup.volunteer_id == volunteer.id)):
        raise ServiceError("您已报名该活动。")
    if activity.headcount:
        taken = db.session.query(ActivitySignup).filter_by(activity_id=activity.id).count()
        if taken >= activity.headcount:
            raise ServiceError("报名人数已满。")
    signup = ActivitySignup(activity_id=activity.id, volunteer_id=volunteer.id)
    db.session.add(signup)
    db.session.flush()
    record(actor, "activity.signup", "activity", activity.id, f"{volunteer.name} 报名 {activity.title}",
           after={"volunteer_id": volunteer.id})
    return signup
