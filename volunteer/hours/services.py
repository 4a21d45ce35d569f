"""Logging, approving, voiding and correcting service hours; per-volunteer totals.

Only the office approves. A leader's entries are 待审核; the office's own entries and imports
are 已确认. Records are never deleted: a void keeps the row with its reason, a correction keeps
the old minutes in the audit log. A locked month's records change only by office correction.
"""
from sqlalchemy import case, func, select

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from ..clock import utcnow
from ..periods import month_text
from .models import ServiceRecord
from .rules import (MAX_MINUTES, conflicts_with_recorded, ensure_not_future, ensure_unlocked, initial_status,
                    locked_month_set, minutes_out_of_range, span_exceeded)


def log_hours(actor, activity, entries: dict[int, int], note: str | None = None, *, withdraw=(),
              correction: bool = False) -> dict:
    """Record minutes for volunteers on one activity: {volunteer_id: minutes}.

    New entries are created, changed pending ones updated, equal ones left alone. A changed
    approved record is refused (the office corrects it, with a reason). `withdraw` lists the
    volunteers whose box was cleared: their pending record is voided with the reason 队长撤回
    (分中心撤回 for the office), audited; a cleared approved record is refused, never silently
    kept. Nothing is logged for an activity whose day is still to come. `correction`: an
    office correction (a missing record the office accepts, hours/requests.py), which may
    add to a locked month, as void_record's does. Returns counts.
    """
    if not (correction and actor is not None and actor.role == "office"):
        ensure_unlocked(activity.service_date)
    ensure_not_future(activity.service_date)
    status = initial_status(actor)
    existing = {
        r.volunteer_id: r
        for r in db.session.scalars(select(ServiceRecord).where(
            ServiceRecord.activity_id == activity.id, ServiceRecord.status != "void",
            ServiceRecord.volunteer_id.in_(list(entries) + list(withdraw))))
    }
    withdrawn = _withdraw(actor, [existing[v] for v in withdraw if v in existing and v not in entries])
    created, updated, unchanged = [], [], []
    for volunteer_id, minutes in entries.items():
        if minutes_out_of_range(minutes):
            raise ServiceError("服务时长必须大于 0 且不超过 24 小时。")
        span = span_exceeded(minutes, activity.span_minutes)
        if span:
            raise ServiceError(f"服务时长不能超过活动时长（{span / 60:g} 小时）。")
        rec = existing.get(volunteer_id)
        if rec is None:
            rec = ServiceRecord(
                activity_id=activity.id, volunteer_id=volunteer_id, team_id=activity.team_id,
                category_id=activity.category_id, service_date=activity.service_date, minutes=minutes,
                status=status, note=note, source="web", created_by_id=getattr(actor, "id", None))
            if status == "approved":
                rec.approved_by_id, rec.approved_at = getattr(actor, "id", None), utcnow()
            db.session.add(rec)
            created.append(rec)
        elif not conflicts_with_recorded(rec.minutes, minutes):
            unchanged.append(rec)
        elif rec.status == "pending" or status == "approved":
            updated.append((rec, rec.minutes))
            rec.minutes = minutes
        else:
            raise ServiceError(f"{rec.volunteer.name} 的时长已确认，如需更改请联系分中心办公室更正。")
    db.session.flush()
    if created or updated:
        record(actor, "hours.log", "activity", activity.id, f"登记时长：{activity.title}",
               records=[r.id for r in created] + [r.id for r, _ in updated],
               created={r.volunteer_id: r.minutes for r in created},
               updated={r.volunteer_id: {"before": old, "after": r.minutes} for r, old in updated})
    return {"created": len(created), "updated": len(updated), "unchanged": len(unchanged), "withdrawn": withdrawn}


def _withdraw(actor, records: list[ServiceRecord]) -> int:
    """Void the pending records whose box was cleared on the hours screen (one audit entry each)."""
    approved = [r for r in records if r.status == "approved"]
    if approved:
        names = "、".join(r.volunteer.name for r in approved)
        raise ServiceError(f"{names} 的时长已确认，不能清空撤回；如需作废请联系分中心办公室。")
    reason = "分中心撤回" if actor is not None and actor.role == "office" else "队长撤回"
    for rec in records:
        void_record(actor, rec, reason)
    return len(records)


def approve_records(actor, record_ids: list[int]) -> int:
    """Approve pending records (office only); one audit entry lists every record touched."""
    if actor is not None and actor.role != "office":
        raise ServiceError("只有分中心办公室可以审核时长。")
    rows = db.session.scalars(select(ServiceRecord).where(
        ServiceRecord.id.in_(record_ids), ServiceRecord.status == "pending").with_for_update()).all()
    locked = locked_month_set()
    now, done = utcnow(), []
    for rec in rows:
        if month_text(rec.service_date) in locked:
            continue
        rec.status, rec.approved_by_id, rec.approved_at = "approved", getattr(actor, "id", None), now
        done.append(rec.id)
    if done:
        record(actor, "hours.approve", "service_record", None, f"审核通过 {len(done)} 条时长记录", records=done)
    return len(done)


def void_record(actor, rec: ServiceRecord, reason: str, *, correction: bool = False) -> None:
    """Void a record with a reason; it stays in the database and stops counting."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("作废必须填写原因。", "reason")
    if rec.status == "void":
        raise ServiceError("该记录已作废。")
    if not (correction and actor is not None and actor.role == "office") and actor is not None:
        ensure_unlocked(rec.service_date)
    if actor is not None and actor.role == "leader" and rec.status != "pending":
        raise ServiceError("已确认的时长只能由分中心办公室作废。")
    before = rec.status
    rec.status, rec.void_reason, rec.voided_by_id, rec.voided_at = "void", reason[:200], getattr(actor, "id", None), utcnow()
    record(actor, "hours.void", "service_record", rec.id, f"作废时长记录：{reason}",
           before={"status": before}, after={"status": "void", "reason": reason})


def correct_record(actor, rec: ServiceRecord, minutes: int, reason: str) -> None:
    """Office correction of minutes (also in a locked month); the old value is audited."""
    if actor is not None and actor.role != "office":
        raise ServiceError("只有分中心办公室可以更正时长。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("更正必须填写原因。", "reason")
    if minutes_out_of_range(minutes):
        raise ServiceError("服务时长必须大于 0 且不超过 24 小时。", "hours")
    before = rec.minutes
    rec.minutes = minutes
    record(actor, "hours.correct", "service_record", rec.id, f"更正时长：{reason}",
           before={"minutes": before}, after={"minutes": minutes}, reason=reason)


def volunteer_totals(volunteer_id: int) -> dict:
    """Approved and pending minutes of one volunteer, in one indexed query."""
    approved = func.coalesce(func.sum(case((ServiceRecord.status == "approved", ServiceRecord.minutes), else_=0)), 0)
    pending = func.coalesce(func.sum(case((ServiceRecord.status == "pending", ServiceRecord.minutes), else_=0)), 0)
    row = db.session.execute(select(approved, pending).where(ServiceRecord.volunteer_id == volunteer_id)).one()
    return {"approved": int(row[0]), "pending": int(row[1])}


def record_checkin_minutes(actor, activity, volunteer_id: int, minutes: int, *, approve: bool,
                           previous: int | None = None, note: str = "现场签到") -> ServiceRecord | None:
    """Write the minutes that on-site check-in computed (source `checkin`) for one volunteer.

    The usual rules hold: a locked month is refused, one live record per volunteer and
    activity, 24 hours at most, audited. A record someone typed in (another source), or a
    check-in record changed since check-in last wrote it (`previous` differs), is left as it
    is: the leader settles it, and the exception queue shows the difference. Returns the
    record written, or None when nothing was written.
    """
    ensure_unlocked(activity.service_date)
    minutes = min(int(minutes), MAX_MINUTES)
    rec = db.session.scalar(select(ServiceRecord).where(
        ServiceRecord.activity_id == activity.id, ServiceRecord.volunteer_id == volunteer_id,
        ServiceRecord.status != "void"))
    actor_id = getattr(actor, "id", None)
    if rec is None:
        if minutes <= 0:
            return None
        rec = ServiceRecord(
            activity_id=activity.id, volunteer_id=volunteer_id, team_id=activity.team_id,
            category_id=activity.category_id, service_date=activity.service_date, minutes=minutes,
            status="approved" if approve else "pending", note=note, source="checkin",
            created_by_id=actor_id)
        if approve:
            rec.approved_at = utcnow()  # approved by the office's setting, not by a person
        db.session.add(rec)
        db.session.flush()
        record(actor, "hours.checkin", "service_record", rec.id, f"现场签到时长：{activity.title}",
               after={"volunteer_id": volunteer_id, "minutes": minutes, "status": rec.status})
        return rec
    if rec.source != "checkin" or (previous is not None and rec.minutes != previous):
        return None
    if rec.minutes == minutes or minutes <= 0 or (rec.status == "approved" and not approve):
        return rec if rec.minutes == minutes else None
    before = rec.minutes
    rec.minutes = minutes
    record(actor, "hours.checkin", "service_record", rec.id, f"现场签到时长：{activity.title}",
           before={"minutes": before}, after={"minutes": minutes})
    return rec
