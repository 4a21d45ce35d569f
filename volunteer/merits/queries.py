"""Reading a volunteer's training, commendations and evaluations, and the trainings list.

Every query is one statement over an indexed column (no per-row look-ups), so the volunteer
page, /me and a certificate cost the same for a volunteer with one training or fifty.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..hours.models import ServiceRecord
from ..teams.models import TeamMembership
from ..volunteers.models import Volunteer
from .models import Commendation, Evaluation, Training, TrainingAttendance


def trainings_of(volunteer_id: int, *, with_void: bool = False, date_from: date | None = None,
                 date_to: date | None = None) -> list[tuple[TrainingAttendance, Training]]:
    """(attendance, training) pairs of one volunteer, newest first; voided ones only on request
    (a voided training voids its attendance too)."""
    stmt = (select(TrainingAttendance, Training).join(Training, Training.id == TrainingAttendance.training_id)
            .where(TrainingAttendance.volunteer_id == volunteer_id)
            .order_by(Training.held_on.desc(), Training.id.desc()))
    if not with_void:
        stmt = stmt.where(TrainingAttendance.status != "void", Training.status != "void")
    if date_from:
        stmt = stmt.where(Training.held_on >= date_from)
    if date_to:
        stmt = stmt.where(Training.held_on <= date_to)
    return list(db.session.execute(stmt).tuples())


def commendations_of(volunteer_id: int, *, with_void: bool = False, date_from: date | None = None,
                     date_to: date | None = None) -> list[Commendation]:
    stmt = (select(Commendation).where(Commendation.volunteer_id == volunteer_id)
            .order_by(Commendation.awarded_on.desc(), Commendation.id.desc()))
    if not with_void:
        stmt = stmt.where(Commendation.status != "void")
    if date_from:
        stmt = stmt.where(Commendation.awarded_on >= date_from)
    if date_to:
        stmt = stmt.where(Commendation.awarded_on <= date_to)
    return list(db.session.scalars(stmt))


def evaluations_of(volunteer_id: int, *, team_ids=None, with_void: bool = False) -> list[Evaluation]:
    """A volunteer's evaluations with their records and activities; `team_ids` narrows them to
    those teams' records (a leader's view), None means all."""
    stmt = (select(Evaluation).options(selectinload(Evaluation.record).selectinload(ServiceRecord.activity),
                                       selectinload(Evaluation.created_by))
            .where(Evaluation.volunteer_id == volunteer_id).order_by(Evaluation.id.desc()))
    if team_ids is not None:
        stmt = stmt.where(Evaluation.team_id.in_(sorted(team_ids) or [-1]))
    if not with_void:
        stmt = stmt.where(Evaluation.status != "void")
    return list(db.session.scalars(stmt))


def evaluable_records(volunteer_id: int, team_ids, limit: int = 50) -> list[ServiceRecord]:
    """The volunteer's live records the user may evaluate (their teams'; all for the office),
    newest first."""
    stmt = (select(ServiceRecord).options(selectinload(ServiceRecord.activity))
            .where(ServiceRecord.volunteer_id == volunteer_id, ServiceRecord.status != "void")
            .order_by(ServiceRecord.service_date.desc(), ServiceRecord.id.desc()).limit(limit))
    if team_ids is not None:
        stmt = stmt.where(ServiceRecord.team_id.in_(sorted(team_ids) or [-1]))
    return list(db.session.scalars(stmt))


def open_trainings(team_ids, limit: int = 50) -> list[Training]:
    """Live trainings the user may add people to (their teams'; all for the office), newest first."""
    stmt = (select(Training).where(Training.status != "void")
            .order_by(Training.held_on.desc(), Training.id.desc()).limit(limit))
    if team_ids is not None:
        stmt = stmt.where(Training.team_id.in_(sorted(team_ids) or [-1]))
    return list(db.session.scalars(stmt))


def trainings_list(team_ids):
    """The trainings a user sees (the office: all; a leader: their teams' and the office's),
    newest first."""
    stmt = select(Training).options(selectinload(Training.team)).order_by(Training.held_on.desc(), Training.id.desc())
    if team_ids is not None:
        stmt = stmt.where(Training.team_id.is_(None) | Training.team_id.in_(sorted(team_ids) or [-1]))
    return stmt


def attendee_counts(training_ids) -> dict[int, int]:
    """Live attendees per training, for one page of the list in one query."""
    rows = db.session.execute(
        select(TrainingAttendance.training_id, func.count()).where(
            TrainingAttendance.training_id.in_(list(training_ids) or [-1]), TrainingAttendance.status != "void")
        .group_by(TrainingAttendance.training_id))
    return {training_id: count for training_id, count in rows}


def attendance_of(training_id: int, *, members_of=None) -> list[TrainingAttendance]:
    """A training's attendance; `members_of` (team ids) keeps only those teams' members: a
    leader looking at the office's training sees their own people, not who else came."""
    stmt = (select(TrainingAttendance).options(selectinload(TrainingAttendance.volunteer))
            .where(TrainingAttendance.training_id == training_id)
            .order_by(TrainingAttendance.status, TrainingAttendance.id))
    if members_of is not None:
        stmt = stmt.where(TrainingAttendance.volunteer_id.in_(
            select(TeamMembership.volunteer_id).where(TeamMembership.team_id.in_(sorted(members_of) or [-1]))))
    return list(db.session.scalars(stmt))


def live_attendee_ids(training_id: int) -> set[int]:
    return set(db.session.scalars(select(TrainingAttendance.volunteer_id).where(
        TrainingAttendance.training_id == training_id, TrainingAttendance.status != "void")))


def team_member_ids(team_ids) -> set[int]:
    return set(db.session.scalars(select(TeamMembership.volunteer_id).where(
        TeamMembership.team_id.in_(sorted(team_ids) or [-1]))))


def activity_records(activity_id: int) -> list[ServiceRecord]:
    """The activity's live service records with their volunteers, by name."""
    return list(db.session.scalars(
        select(ServiceRecord).join(Volunteer, Volunteer.id == ServiceRecord.volunteer_id)
        .options(selectinload(ServiceRecord.volunteer))
        .where(ServiceRecord.activity_id == activity_id, ServiceRecord.status != "void")
        .order_by(Volunteer.name, ServiceRecord.id)))


def live_evaluations(record_ids) -> dict[int, Evaluation]:
    return {e.record_id: e for e in db.session.scalars(select(Evaluation).where(
        Evaluation.record_id.in_(list(record_ids) or [-1]), Evaluation.status != "void"))}
