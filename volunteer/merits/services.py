"""Writing training records, commendations and evaluations; every change audited.

Plain functions in the house style (hours/services.py): they check the writer's scope,
validate through merits.rules, add and flush, audit with `record` in the same transaction and
raise ServiceError with a Chinese message. They never commit. Nothing is deleted: a mistake is
voided with a reason and stays as history. `actor` is the User, or None for the CLI (office
rights).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..audit.services import record, snapshot
from ..clock import utcnow
from ..errors import ServiceError
from ..extensions import db
from ..hours.models import ServiceRecord
from ..volunteers.models import Volunteer
from . import queries, rules
from .models import Commendation, Evaluation, Training, TrainingAttendance

TRAINING_FIELDS = ("title", "held_on", "minutes", "kind", "mode", "organiser", "note", "team_id")
COMMENDATION_FIELDS = ("volunteer_id", "title", "level", "awarded_on", "awarded_by", "note", "team_id")
EVALUATION_FIELDS = ("record_id", "punctuality", "attitude", "skill", "comment")


def _is_office(actor) -> bool:
    return actor is None or actor.role == "office"


def _ensure(allowed: bool, message: str) -> None:
    if not allowed:
        raise ServiceError(message)


def _void(actor, row, reason: str, action: str, object_type: str, summary: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("作废必须填写原因。", "reason")
    if row.status == "void":
        raise ServiceError("该记录已作废。")
    row.status, row.void_reason, row.voided_at = "void", reason[:200], utcnow()
    row.voided_by_id = getattr(actor, "id", None)
    record(actor, action, object_type, row.id, f"{summary}：{reason}",
           before={"status": "active"}, after={"status": "void", "reason": reason})


# --------------------------------------------------------------------------------- training

def create_training(actor, values: dict, *, team_id: int | None, today: date) -> Training:
    """A training session of `team_id` (None: the office's own). A leader records trainings of
    the teams they lead only."""
    if not _is_office(actor):
        _ensure(team_id is not None and team_id in actor.led_team_ids, "只能为您负责的队伍登记培训。")
    clean = rules.clean_training(values, today=today)
    training = Training(**clean, team_id=team_id, created_by_id=getattr(actor, "id", None))
    db.session.add(training)
    db.session.flush()
    record(actor, "training.create", "training", training.id, f"登记培训：{training.title}",
           after=snapshot(training, TRAINING_FIELDS))
    return training


def void_training(actor, training: Training, reason: str) -> None:
    """Void a training (entered by mistake): it and its attendance stop counting anywhere."""
    _ensure(_is_office(actor) or training.can_manage(actor), "只能作废您负责的队伍的培训。")
    _void(actor, training, reason, "training.void", "training", f"作废培训 {training.title}")


def add_attendees(actor, training: Training, volunteer_ids) -> dict:
    """Add people to a training's attendance; people already on it are left alone. The caller
    decides whom the actor may add (their teams' members and people found by name and key).
    One audit entry lists everyone added."""
    _ensure(_is_office(actor) or training.can_manage(actor), "只能为您负责的队伍的培训登记参训人员。")
    if training.status == "void":
        raise ServiceError("该培训已作废，不能再登记参训人员。")
    wanted = list(dict.fromkeys(int(v) for v in volunteer_ids))
    existing = queries.live_attendee_ids(training.id)
    known = set(db.session.scalars(select(Volunteer.id).where(Volunteer.id.in_(wanted or [-1]))))
    added = [v for v in wanted if v in known and v not in existing]
    for volunteer_id in added:
        db.session.add(TrainingAttendance(training_id=training.id, volunteer_id=volunteer_id,
                                          created_by_id=getattr(actor, "id", None)))
    db.session.flush()
    if added:
        record(actor, "training.attend", "training", training.id,
               f"登记参训人员 {len(added)} 人：{training.title}", volunteers=added)
    return {"added": len(added), "unchanged": len(wanted) - len(added)}


def void_attendance(actor, attendance: TrainingAttendance, reason: str) -> None:
    training = attendance.training
    _ensure(_is_office(actor) or training.can_manage(actor), "只能修改您负责的队伍的培训。")
    _void(actor, attendance, reason, "training.attendance_void", "training",
          f"作废参训记录（{attendance.volunteer.name}，{training.title}）")


# ----------------------------------------------------------------------------- commendation

def commendation_team(actor, volunteer: Volunteer) -> int | None:
    """The team a leader records a commendation under: one they lead that the person is in.
    None for the office. Raises when a leader leads none of the person's teams."""
    if _is_office(actor):
        return None
    shared = sorted(volunteer.team_ids & actor.led_team_ids)
    _ensure(bool(shared), "只能为您负责的队伍的队员登记表彰。")
    return shared[0]


def add_commendation(actor, volunteer: Volunteer, values: dict, *, today: date) -> Commendation:
    team_id = commendation_team(actor, volunteer)
    clean = rules.clean_commendation(values, today=today)
    item = Commendation(**clean, volunteer_id=volunteer.id, team_id=team_id, created_by_id=getattr(actor, "id", None))
    db.session.add(item)
    db.session.flush()
    record(actor, "commendation.create", "volunteer", volunteer.id, f"登记表彰：{volunteer.name}，{item.title}",
           after=snapshot(item, COMMENDATION_FIELDS), commendation_id=item.id)
    return item


def void_commendation(actor, item: Commendation, reason: str) -> None:
    _ensure(_is_office(actor) or item.can_manage(actor), "只能作废您所在队伍登记的表彰。")
    _void(actor, item, reason, "commendation.void", "commendation",
          f"作废表彰（{item.volunteer.name}，{item.title}）")


# ------------------------------------------------------------------------------- evaluation

def evaluate_record(actor, rec: ServiceRecord, values: dict) -> Evaluation:
    """Evaluate one service record (its team's leader or the office). A record evaluated
    before gets the new evaluation and the old one is voided as 重新评价 (both audited)."""
    item, before = _evaluate(actor, rec, rules.clean_evaluation(values))
    record(actor, "evaluation.create", "service_record", rec.id,
           f"评价服务记录（{rec.volunteer.name}，{rec.activity.title}）",
           before=before, after=snapshot(item, EVALUATION_FIELDS), evaluation_id=item.id)
    return item


def evaluate_many(actor, activity, entries: dict) -> dict:
    """Evaluate several records of one activity at once ({record: values}); a record whose
    scores and comment are what it already has is left alone. One audit entry lists them."""
    done, unchanged = [], 0
    for rec, values in entries.items():
        if rec.activity_id != activity.id:
            raise ServiceError("只能评价本活动的服务记录。")
        clean = rules.clean_evaluation(values)
        old = _live_evaluation(rec.id)
        if old is not None and all(getattr(old, k) == v for k, v in clean.items()):
            unchanged += 1
            continue
        item, before = _evaluate(actor, rec, clean)
        done.append({"record_id": rec.id, "volunteer": rec.volunteer.name, "before": before,
                     "after": snapshot(item, EVALUATION_FIELDS)})
    if done:
        record(actor, "evaluation.many", "activity", activity.id,
               f"评价活动「{activity.title}」的服务记录 {len(done)} 条", records=[d["record_id"] for d in done],
               items=done)
    return {"evaluated": len(done), "unchanged": unchanged}


def _live_evaluation(record_id: int) -> Evaluation | None:
    return db.session.scalar(select(Evaluation).where(Evaluation.record_id == record_id, Evaluation.status != "void"))


def _evaluate(actor, rec: ServiceRecord, clean: dict) -> tuple[Evaluation, dict | None]:
    """Write one evaluation (replacing a live one, voided as 重新评价); the caller audits."""
    _ensure(_is_office(actor) or rec.can_manage(actor), "只能评价您负责的队伍的服务记录。")
    if rec.status == "void":
        raise ServiceError("已作废的服务记录不能评价。", "record_id")
    old = _live_evaluation(rec.id)
    before = None
    if old is not None:
        before = snapshot(old, EVALUATION_FIELDS)
        old.status, old.void_reason, old.voided_at = "void", "重新评价", utcnow()
        old.voided_by_id = getattr(actor, "id", None)
        db.session.flush()  # the old row leaves the one-live-evaluation index first
    item = Evaluation(**clean, record_id=rec.id, volunteer_id=rec.volunteer_id, team_id=rec.team_id,
                      created_by_id=getattr(actor, "id", None))
    db.session.add(item)
    db.session.flush()
    return item, before


def void_evaluation(actor, item: Evaluation, reason: str) -> None:
    _ensure(_is_office(actor) or item.can_manage(actor), "只能作废您负责的队伍的评价。")
    _void(actor, item, reason, "evaluation.void", "evaluation",
          f"作废评价（{item.volunteer.name}，{item.record.activity.title}）")
