"""Training sessions and who attended them, commendations, and evaluations of service records.

None of these rows is ever deleted: a mistake is voided with a reason (status `void`), so the
record the law asks for keeps its history, and every change is audited by merits.services.
Stored values are the Chinese names people type and see (类型 通用/岗位/专业, 方式 面授/远程,
级别 国家级 …), as the volunteers table does for 证件类型: scripts read them as they are.
"""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db
from ..fields import hours_of
from ..i18n import N_

# Marked for the catalogue: the certificate's English translation shows them in English.
TRAINING_KINDS = (N_("通用"), N_("岗位"), N_("专业"))
TRAINING_MODES = (N_("面授"), N_("远程"))
COMMENDATION_LEVELS = (N_("国家级"), N_("省部级"), N_("市级"), N_("区级"), N_("街镇级"), N_("其他"))
# 守时, 服务态度, 专业水平: the three scores of an evaluation, 1 (poor) to 5 (excellent).
SCORES = {"punctuality": "守时", "attitude": "服务态度", "skill": "专业水平"}
STATUS_LABELS = {"active": "有效", "void": "已作废"}


def _live_unique(name: str, *columns: str) -> Index:
    """One live row per key; voided rows stay beside it as history."""
    return Index(name, *columns, unique=True, sqlite_where=text("status != 'void'"),
                 postgresql_where=text("status != 'void'"))


class _Voidable:
    """Status, void reason and who wrote or voided the row: the same on every table here."""

    status: Mapped[str] = mapped_column(String(10), default="active", server_default="active")
    void_reason: Mapped[str | None] = mapped_column(String(200))
    voided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.current_timestamp())

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_void(self) -> bool:
        return self.status == "void"


def _leads(user, team_id) -> bool:
    return user.role == "leader" and team_id is not None and team_id in user.led_team_ids


class Training(_Voidable, db.Model):
    """One training session (培训): 主题, 日期, 学时, 类型, 方式, 组织者; its team (None: the office's)."""

    __tablename__ = "trainings"
    __table_args__ = (Index("ix_trainings_team_date", "team_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    held_on: Mapped[date]
    minutes: Mapped[int]  # 学时, stored as whole minutes like service hours
    kind: Mapped[str] = mapped_column(String(10), default="通用", server_default="通用")
    mode: Mapped[str] = mapped_column(String(10), default="面授", server_default="面授")
    organiser: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    team = relationship("Team")

    @property
    def hours(self) -> float:
        return hours_of(self.minutes)

    def can_view(self, user) -> bool:
        """The office; a leader sees their teams' trainings and the office's (people take part in both)."""
        if not user or not user.is_authenticated:
            return False
        return user.role == "office" or (user.role == "leader" and (self.team_id is None or _leads(user, self.team_id)))

    def can_manage(self, user) -> bool:
        if not user or not user.is_authenticated:
            return False
        return user.role == "office" or _leads(user, self.team_id)


class TrainingAttendance(_Voidable, db.Model):
    """A volunteer took part in a training (参训人员)."""

    __tablename__ = "training_attendances"
    __table_args__ = (_live_unique("uq_training_attendances_live", "training_id", "volunteer_id"),
                      Index("ix_training_attendances_volunteer", "volunteer_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    training = relationship("Training")
    volunteer = relationship("Volunteer")


class Commendation(_Voidable, db.Model):
    """A commendation (表彰): 名称, 级别, 日期, 授予单位; entered by the office or by a leader of
    `team_id` (the team whose leader recorded it, for the write scope)."""

    __tablename__ = "commendations"
    __table_args__ = (Index("ix_commendations_volunteer", "volunteer_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    title: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10), default="其他", server_default="其他")
    awarded_on: Mapped[date]
    awarded_by: Mapped[str | None] = mapped_column(String(100))  # 授予单位
    note: Mapped[str | None] = mapped_column(Text)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    volunteer = relationship("Volunteer")
    team = relationship("Team")

    def can_manage(self, user) -> bool:
        if not user or not user.is_authenticated:
            return False
        return user.role == "office" or _leads(user, self.team_id)


class Evaluation(_Voidable, db.Model):
    """An evaluation (评价) of one service record by its team's leader or the office: 守时,
    服务态度, 专业水平 on 1–5 and a comment. One live evaluation per record."""

    __tablename__ = "evaluations"
    __table_args__ = (_live_unique("uq_evaluations_live", "record_id"),
                      Index("ix_evaluations_volunteer", "volunteer_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("service_records.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))  # the record's, copied
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))  # the record's, copied
    punctuality: Mapped[int] = mapped_column(SmallInteger)
    attitude: Mapped[int] = mapped_column(SmallInteger)
    skill: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    record = relationship("ServiceRecord")
    volunteer = relationship("Volunteer")
    team = relationship("Team")
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def average(self) -> float:
        return round((self.punctuality + self.attitude + self.skill) / 3, 1)

    def can_manage(self, user) -> bool:
        if not user or not user.is_authenticated:
            return False
        return user.role == "office" or _leads(user, self.team_id)
