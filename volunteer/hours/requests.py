"""Correction and missing-record requests (民政部令第67号 arts. 12–13).

A volunteer says one of their records is wrong (the hours it should hold, or that it should
not exist) or that a service is missing (the activity, or its name and date; the hours; what
happened). The team's leaders or the office handle it: accepting applies it through the
ordinary audited services of hours/services.py (log_hours, correct_record, void_record), so
every rule of records holds (a leader's change waits for the office; only the office changes
an approved record or one in a locked month); declining needs a reason the volunteer sees.
Requests pending more than 10 working days (workdays.py) are overdue on the start pages.
Services flush and audit, never commit.
"""
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import workdays
from ..activities.models import Activity, ActivitySignup
from ..audit.services import record
from ..clock import CHINA_TZ, today_local, utcnow
from ..errors import ServiceError
from ..extensions import db
from ..fields import FieldError, clean_text, parse_hours_to_minutes
from .models import RecordRequest, ServiceRecord
from .rules import ensure_not_future, is_month_locked, span_exceeded
from .services import correct_record, log_hours, void_record

REASON_MAX = 500


def _reason(text: str | None, field: str = "reason") -> str:
    text = clean_text(text)
    if not text:
        raise ServiceError(_("请说明原因（发生了什么、应当是怎样）。"), field)
    if len(text) > REASON_MAX:
        raise ServiceError(_("说明不能超过 %(n)s 字。", n=REASON_MAX), field)
    return text


def _minutes(hours_text, span: int | None = None) -> int:
    try:
        minutes = parse_hours_to_minutes(hours_text)
    except FieldError as exc:
        raise ServiceError(exc.message + "。", "hours") from None
    limit = span_exceeded(minutes, span)
    if limit:
        raise ServiceError(_("时长不能超过活动时长（%(hours)s 小时）。", hours=format(limit / 60, "g")), "hours")
    return minutes


def _pending_on(**where) -> bool:
    return db.session.scalar(select(func.count()).select_from(RecordRequest).where(
        RecordRequest.status == "pending", *[getattr(RecordRequest, k) == v for k, v in where.items()])) > 0


def _audit(actor, action: str, req: RecordRequest, summary: str, **changes) -> None:
    record(actor, action, "record_request", req.id, summary, **changes)


def ask_correction(actor, volunteer, rec: ServiceRecord, kind: str, hours_text, reason: str) -> RecordRequest:
    """申请更正: the record should hold other hours (kind "correct") or not exist ("void")."""
    if rec.volunteer_id != volunteer.id:
        raise ServiceError(_("只能对自己的记录申请更正。"))
    if rec.status == "void":
        raise ServiceError(_("该记录已作废，不能申请更正。"))
    if kind not in ("correct", "void"):
        raise ServiceError(_("请选择要更正的内容。"), "kind")
    minutes = None
    if kind == "correct":
        minutes = _minutes(hours_text, rec.activity.span_minutes if rec.activity else None)
        if minutes == rec.minutes:
            raise ServiceError(_("填写的时长与现有记录相同，请填写正确的时长。"), "hours")
    reason = _reason(reason)
    if _pending_on(record_id=rec.id):
        raise ServiceError(_("该记录已有一个待处理的更正申请，请等待处理结果。"))
    req = RecordRequest(volunteer_id=volunteer.id, kind=kind, team_id=rec.team_id, record_id=rec.id,
                        activity_id=rec.activity_id, service_date=rec.service_date, minutes=minutes,
                        reason=reason, created_by_id=getattr(actor, "id", None))
    db.session.add(req)
    db.session.flush()
    _audit(actor, "hours.request", req, f"{volunteer.name} 申请{req.kind_label}：{req.title}",
           after={"kind": kind, "record_id": rec.id, "minutes_before": rec.minutes, "minutes": minutes,
                  "reason": reason})
    return req


def ask_missing(actor, volunteer, *, activity=None, team_id: int | None = None, title: str | None = None,
                service_date: date | None = None, hours_text=None, reason: str | None = None,
                today: date | None = None) -> RecordRequest:
    """申请补录: a service with no record, on an activity picked from the volunteer's list
    (their teams' and their sign-ups') or, when it is not there, named with its date and team."""
    today = today or today_local()
    if activity is not None:
        team_id, service_date, title = activity.team_id, activity.service_date, None
        span = activity.span_minutes
    else:
        if team_id not in {m.team_id for m in volunteer.memberships}:
            raise ServiceError(_("请选择所在的队伍。"), "team_id")
        title = clean_text(title)
        if not title:
            raise ServiceError(_("请填写活动名称（列表中没有时）。"), "title")
        if service_date is None:
            raise ServiceError(_("请填写服务日期。"), "service_date")
        span = None
    if service_date > today:
        raise ServiceError(_("服务日期还没到，只能为已经完成的服务申请补录。"),
                           "service_date" if activity is None else "activity_id")
    minutes = _minutes(hours_text, span)
    reason = _reason(reason)
    if activity is not None:
        if db.session.scalar(select(ServiceRecord.id).where(
                ServiceRecord.activity_id == activity.id, ServiceRecord.volunteer_id == volunteer.id,
                ServiceRecord.status != "void")):
            raise ServiceError(_("该活动已有您的时长记录；如有错误，请在服务记录中对该记录申请更正。"), "activity_id")
        if _pending_on(activity_id=activity.id, volunteer_id=volunteer.id, kind="missing"):
            raise ServiceError(_("该活动已有您待处理的补录申请，请等待处理结果。"), "activity_id")
    req = RecordRequest(volunteer_id=volunteer.id, kind="missing", team_id=team_id,
                        activity_id=activity.id if activity is not None else None, activity_title=title,
                        service_date=service_date, minutes=minutes, reason=reason,
                        created_by_id=getattr(actor, "id", None))
    db.session.add(req)
    db.session.flush()
    _audit(actor, "hours.request", req, f"{volunteer.name} 申请补录：{req.title} {service_date}",
           after={"kind": "missing", "activity_id": req.activity_id, "title": title, "team_id": team_id,
                  "service_date": service_date, "minutes": minutes, "reason": reason})
    return req


def withdraw(actor, req: RecordRequest, volunteer) -> None:
    """The volunteer takes back a request nobody has handled yet."""
    if req.volunteer_id != volunteer.id:
        raise ServiceError(_("该申请不存在。"))
    if req.status != "pending":
        raise ServiceError(_("该申请已处理，不能撤回。"))
    req.status, req.decided_at = "withdrawn", utcnow()
    db.session.flush()
    _audit(actor, "hours.request_withdraw", req, f"{volunteer.name} 撤回{req.kind_label}申请：{req.title}",
           before={"status": "pending"}, after={"status": "withdrawn"})


def _check_handler(actor, req: RecordRequest) -> None:
    if not req.can_manage(actor):
        raise ServiceError(_("您不能处理该申请。"))
    if req.status != "pending":
        raise ServiceError(f"该申请已{req.status_label.removeprefix('已')}，不能再处理。"
                           if req.status != "declined" else "该申请已处理（未采纳），不能再处理。")


def accept(actor, req: RecordRequest, activity=None) -> ServiceRecord:
    """采纳: apply the request through the ordinary record services; returns the record.

    `activity` is the handler's pick for a missing record named only by its title and date
    (an activity of the request's team). In a locked month only the office accepts.
    """
    _check_handler(actor, req)
    office = actor.role == "office"
    day = req.record.service_date if req.record is not None else (activity or req.activity or req).service_date
    if day is not None and is_month_locked(day) and not office:
        raise ServiceError(f"{day:%Y-%m} 已锁账，该申请只能由分中心办公室采纳。")
    note = f"志愿者申请{req.kind_label}：{req.reason}"[:200]
    if req.kind == "correct":
        rec = _live_record(req)
        if office:
            correct_record(actor, rec, req.minutes, note)
        elif rec.status != "pending":
            raise ServiceError(_("该记录已确认，只能由分中心办公室更正。请转交分中心办公室处理。"))
        else:
            log_hours(actor, rec.activity, {rec.volunteer_id: req.minutes})
    elif req.kind == "void":
        rec = _live_record(req)
        void_record(actor, rec, note, correction=office)
    else:
        rec = _add_missing(actor, req, activity or req.activity, note)
    req.status, req.decided_by_id, req.decided_at, req.result_record_id = "accepted", actor.id, utcnow(), rec.id
    if req.activity_id is None:
        req.activity_id = rec.activity_id
    db.session.flush()
    _audit(actor, "hours.request_accept", req, f"采纳 {req.volunteer.name} 的{req.kind_label}申请：{req.title}",
           before={"status": "pending"}, after={"status": "accepted", "record_id": rec.id,
                                                "minutes": rec.minutes, "record_status": rec.status})
    return rec


def _live_record(req: RecordRequest) -> ServiceRecord:
    rec = req.record
    if rec is None or rec.status == "void":
        raise ServiceError(_("该记录已作废，申请无需处理；请选择“不采纳”并说明。"))
    return rec


def _add_missing(actor, req: RecordRequest, activity, note: str) -> ServiceRecord:
    if activity is None:
        raise ServiceError(_("请选择要补录到哪个活动（如没有，请先为该日期新建活动）。"), "activity_id")
    if activity.team_id != req.team_id:
        raise ServiceError(_("只能补录到申请所在队伍的活动。"), "activity_id")
    ensure_not_future(activity.service_date)
    counts = log_hours(actor, activity, {req.volunteer_id: req.minutes}, note=note, correction=True)
    rec = db.session.scalar(select(ServiceRecord).where(
        ServiceRecord.activity_id == activity.id, ServiceRecord.volunteer_id == req.volunteer_id,
        ServiceRecord.status != "void"))
    if not counts["created"]:
        raise ServiceError(f"{req.volunteer.name} 在该活动已有时长记录（{rec.minutes / 60:g} 小时），"
                           "无需补录；如需更正请不采纳并说明。", "activity_id")
    return rec


def decline(actor, req: RecordRequest, reason: str) -> None:
    """不采纳, with a reason the volunteer sees on /me."""
    _check_handler(actor, req)
    reason = _reason(reason, "decline_reason")[:200]
    req.status, req.decided_by_id, req.decided_at, req.decline_reason = "declined", actor.id, utcnow(), reason
    db.session.flush()
    _audit(actor, "hours.request_decline", req, f"不采纳 {req.volunteer.name} 的{req.kind_label}申请：{reason}",
           before={"status": "pending"}, after={"status": "declined", "reason": reason})


# ----------------------------------------------------------------------------- queries


def overdue_before(today: date) -> datetime:
    """Requests made (Beijing time) before this naive-UTC instant are past 10 working days."""
    cutoff = today
    while workdays.deadline(cutoff) >= today:  # the last day whose 10 working days have passed
        cutoff -= timedelta(days=1)
    return datetime.combine(cutoff + timedelta(days=1), time()) - CHINA_TZ.utcoffset(None)


def is_overdue(req: RecordRequest, today: date | None = None) -> bool:
    return req.status == "pending" and req.created_at < overdue_before(today or today_local())


def queue(user, status: str = "pending"):
    """The requests the user handles (their teams'; every team for the office), oldest first."""
    stmt = select(RecordRequest).options(selectinload(RecordRequest.volunteer), selectinload(RecordRequest.team),
                                         selectinload(RecordRequest.activity), selectinload(RecordRequest.record))
    if status in ("pending", "accepted", "declined", "withdrawn"):
        stmt = stmt.where(RecordRequest.status == status)
    scope = user.team_scope
    if scope is not None:
        stmt = stmt.where(RecordRequest.team_id.in_(sorted(scope) or [-1]))
    return stmt.order_by(RecordRequest.created_at if status == "pending" else RecordRequest.created_at.desc(),
                         RecordRequest.id)


def start_page_summary(user, today: date) -> dict:
    """For the start page: how many requests wait on the user, and the overdue ones by name."""
    base = queue(user)
    pending = db.session.scalar(select(func.count()).select_from(base.order_by(None).subquery()))
    overdue = db.session.scalars(base.where(RecordRequest.created_at < overdue_before(today)).limit(20)).all() \
        if pending else []
    return {"pending": pending, "overdue": overdue}


def for_volunteer(volunteer_id: int, limit: int = 50) -> list[RecordRequest]:
    """A volunteer's requests, newest first, for /me."""
    return db.session.scalars(
        select(RecordRequest).options(selectinload(RecordRequest.activity))
        .where(RecordRequest.volunteer_id == volunteer_id)
        .order_by(RecordRequest.created_at.desc(), RecordRequest.id.desc()).limit(limit)).all()


def pending_record_ids(volunteer_id: int) -> set[int]:
    """The volunteer's records with a request awaiting an answer (no second 申请更正 beside them)."""
    return set(db.session.scalars(select(RecordRequest.record_id).where(
        RecordRequest.volunteer_id == volunteer_id, RecordRequest.status == "pending",
        RecordRequest.record_id.is_not(None))))


def missing_choices(volunteer, today: date, days: int = 366) -> list[Activity]:
    """Activities a volunteer may say they served on without a record: their teams' and the
    ones they signed up for, held in the past year (not drafts), newest first."""
    teams = [m.team_id for m in volunteer.memberships]
    signed = select(ActivitySignup.activity_id).where(ActivitySignup.volunteer_id == volunteer.id,
                                                      ActivitySignup.status == "confirmed")
    recorded = select(ServiceRecord.activity_id).where(ServiceRecord.volunteer_id == volunteer.id,
                                                       ServiceRecord.status != "void")
    return db.session.scalars(
        select(Activity).where(Activity.service_date <= today, Activity.service_date > today - timedelta(days=days),
                               Activity.status != "draft", Activity.cancelled_at.is_(None),
                               Activity.team_id.in_(teams or [-1]) | Activity.id.in_(signed),
                               Activity.id.not_in(recorded))
        .order_by(Activity.service_date.desc(), Activity.id.desc()).limit(200)).all()


def team_activities_near(req: RecordRequest, days: int = 7) -> list[Activity]:
    """For a missing record named only by title and date: the team's activities within a week
    of that date, for the handler to pick the one it belongs to."""
    day = req.service_date
    return db.session.scalars(
        select(Activity).where(Activity.team_id == req.team_id, Activity.status != "draft",
                               Activity.service_date.between(day - timedelta(days=days), day + timedelta(days=days)))
        .order_by(Activity.service_date, Activity.id)).all()
