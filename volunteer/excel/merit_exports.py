"""Exporting training, commendations and evaluations (CONTRACT section 10), one row per person.

Each sheet has its import template's columns in their order (so an export, corrected, imports
again: a masked 证件号码 is matched by 手机号码 and 姓名), voided rows left out. ID numbers are
masked for the actor's role (privacy.id_for). Rows stream from one query each.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..activities.models import Activity
from ..errors import ServiceError
from ..fields import hours_of
from ..hours.models import ServiceRecord
from ..merits.models import Commendation, Evaluation, Training, TrainingAttendance
from ..teams.models import Team
from ..volunteers.models import Volunteer
from .columns import get_kind
from .exporters import _masker, _names, _stream
from .templates import DATA_SHEETS
from .writer import SheetSpec, write_workbook

TEXT_KEYS = {"id_number", "phone"}


def _spec(kind: str, rows) -> SheetSpec:
    columns = get_kind(kind).columns
    text = {i for i, c in enumerate(columns) if c.key in TEXT_KEYS}
    return SheetSpec(DATA_SHEETS[kind], [c.header for c in columns], rows, text)


def _period(stmt, column, date_from: date | None, date_to: date | None):
    if date_from and date_to and date_from > date_to:
        raise ServiceError("开始日期不能晚于结束日期。")
    if date_from:
        stmt = stmt.where(column >= date_from)
    if date_to:
        stmt = stmt.where(column <= date_to)
    return stmt


def export_training(actor, target, *, date_from: date | None = None, date_to: date | None = None) -> int:
    """One row per person per live training; returns the number of rows."""
    stmt = _period(select(Volunteer.name, Volunteer.id_number, Volunteer.phone, Training.title, Training.held_on,
                          Training.minutes, Training.kind, Training.mode, Training.organiser, Training.team_id,
                          Training.note)
                   .join(TrainingAttendance, TrainingAttendance.training_id == Training.id)
                   .join(Volunteer, Volunteer.id == TrainingAttendance.volunteer_id)
                   .where(Training.status != "void", TrainingAttendance.status != "void")
                   .order_by(Training.held_on, Training.id, TrainingAttendance.id),
                   Training.held_on, date_from, date_to)
    teams, mask, count = _names(Team, Team.name), _masker(actor, False), 0

    def rows():
        nonlocal count
        for chunk in _stream(stmt):
            for name, id_number, phone, title, day, minutes, kind, mode, organiser, team_id, note in chunk:
                yield (name, mask(id_number), phone, title, day, hours_of(minutes), kind, mode, organiser,
                       teams.get(team_id), note)
            count += len(chunk)

    write_workbook(target, [_spec("training", rows())])
    return count


def export_commendations(actor, target, *, date_from: date | None = None, date_to: date | None = None) -> int:
    stmt = _period(select(Volunteer.name, Volunteer.id_number, Volunteer.phone, Commendation.title, Commendation.level,
                          Commendation.awarded_on, Commendation.awarded_by, Commendation.note)
                   .join(Volunteer, Volunteer.id == Commendation.volunteer_id)
                   .where(Commendation.status != "void").order_by(Commendation.awarded_on, Commendation.id),
                   Commendation.awarded_on, date_from, date_to)
    mask, count = _masker(actor, False), 0

    def rows():
        nonlocal count
        for chunk in _stream(stmt):
            for name, id_number, phone, *rest in chunk:
                yield (name, mask(id_number), phone, *rest)
            count += len(chunk)

    write_workbook(target, [_spec("commendations", rows())])
    return count


def export_evaluations(actor, target, *, date_from: date | None = None, date_to: date | None = None) -> int:
    stmt = _period(select(Volunteer.name, Volunteer.id_number, Volunteer.phone, ServiceRecord.team_id, Activity.title,
                          ServiceRecord.service_date, Evaluation.punctuality, Evaluation.attitude, Evaluation.skill,
                          Evaluation.comment)
                   .join(ServiceRecord, ServiceRecord.id == Evaluation.record_id)
                   .join(Activity, Activity.id == ServiceRecord.activity_id)
                   .join(Volunteer, Volunteer.id == Evaluation.volunteer_id)
                   .where(Evaluation.status != "void").order_by(ServiceRecord.service_date, Evaluation.id),
                   ServiceRecord.service_date, date_from, date_to)
    teams, mask, count = _names(Team, Team.name), _masker(actor, False), 0

    def rows():
        nonlocal count
        for chunk in _stream(stmt):
            for name, id_number, phone, team_id, *rest in chunk:
                yield (name, mask(id_number), phone, teams.get(team_id), *rest)
            count += len(chunk)

    write_workbook(target, [_spec("evaluations", rows())])
    return count


EXPORTERS = {"training": export_training, "commendations": export_commendations, "evaluations": export_evaluations}
