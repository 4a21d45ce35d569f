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
