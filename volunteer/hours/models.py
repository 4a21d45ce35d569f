"""Service records: the minutes a volunteer served on an activity, and month locks.

team_id, category_id and service_date copy the activity's so that aggregates read one
covering index instead of joining a million rows; activities.services keeps them in step.
"""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..clock import utcnow
from ..fields import hours_of

RECORD_STATUS = {"pending": "待审核", "approved": "已确认", "void": "已作废"}


class ServiceRecord(db.Model):
    __tablename__ = "service_records"
    __table_args__ = (
        Index("ix_records_volunteer_cover", "volunteer_id", "status", "service_date", "minutes"),
        Index("ix_records_team_cover", "team_id", "status", "service_date", "minutes", "volunteer_id"),
        Index("ix_records_date_cover", "status", "service_date", "category_id", "minutes", "volunteer_id"),
        Index("ix_records_activity", "activity_id", "volunteer_id"),
        # One live record per volunteer and activity; voided ones stay as history.
        Index(
            "uq_records_live",
            "activity_id",
            "volunteer_id",
            unique=True,
            sqlite_where=text("status != 'void'"),
            postgresql_where=text("status != 'void'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("service_categories.id"))
    service_date: Mapped[date]
    minutes: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="pending")
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default="web")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    void_reason: Mapped[str | None] = mapped_column(String(200))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    activity = relationship("Activity")
    volunteer = relationship("Volunteer")
    team = relationship("Team")
    category = relationship("ServiceCategory")
    created_by = relationship("User", foreign_keys=[created_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def hours(self) -> float:
        return hours_of(self.minutes)

    @property
    def status_label(self) -> str:
        return RECORD_STATUS.get(self.status, self.status)

    def can_view(self, user) -> bool:
        if not user or not user.is_authenticated:
            return False
        if user.role == "office" or user.volunteer_id == self.volunteer_id:
            return True
        return user.role == "leader" and self.team_id in user.led_team_ids

    def can_manage(self, user) -> bool:
        """May write to this record (void it, enter its hours): the office, or a leader of the
        record's team. Being the record's volunteer is not enough (can_view is for reading)."""
        if not user or not user.is_authenticated:
            return False
        return user.role == "office" or (user.role == "leader" and self.team_id in user.led_team_ids)


class MonthLock(db.Model):
    """A closed month (月度锁账): its records change only through an office correction."""

    __tablename__ = "month_locks"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "YYYY-MM"
    locked_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


REQUEST_KIND = {"correct": "更正时长", "void": "作废记录", "missing": "补录记录"}
REQUEST_STATUS = {"pending": "待处理", "accepted": "已采纳", "declined": "未采纳", "withdrawn": "已撤回"}


class RecordRequest(db.Model):
    """A volunteer's request (民政部令第67号 arts. 12–13) to correct or void one of their
    records, or to add a missing one; the team's leaders or the office accept it through the
    ordinary hours services, or decline it with a reason (hours/requests.py)."""

    __tablename__ = "record_requests"
    __table_args__ = (
        Index("ix_record_requests_queue", "status", "team_id", "created_at"),
        Index("ix_record_requests_volunteer", "volunteer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    kind: Mapped[str] = mapped_column(String(10))  # REQUEST_KIND
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))  # whose leaders handle it
    record_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))  # correct / void
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    # A missing record on an activity the volunteer could not pick: what they typed.
    activity_title: Mapped[str | None] = mapped_column(String(200))
    service_date: Mapped[date | None]
    minutes: Mapped[int | None]  # what the record should hold (none for a void)
    reason: Mapped[str] = mapped_column(Text)  # why, what happened
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(String(200))
    result_record_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    volunteer = relationship("Volunteer")
    team = relationship("Team")
    record = relationship("ServiceRecord", foreign_keys=[record_id])
    activity = relationship("Activity")
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return REQUEST_KIND.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return REQUEST_STATUS.get(self.status, self.status)

    @property
    def title(self) -> str:
        """The activity the request is about, as the volunteer knows it."""
        if self.activity is not None:
            return self.activity.title
        return self.activity_title or "—"

    def can_manage(self, user) -> bool:
        """Handled by the office or a leader of the request's team."""
        if not user or not user.is_authenticated:
            return False
        return user.role == "office" or (user.role == "leader" and self.team_id in user.led_team_ids)

    def can_view(self, user) -> bool:
        return self.can_manage(user)
