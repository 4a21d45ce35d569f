"""Activities that a team runs, and volunteers' sign-ups for published ones."""
from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..clock import utcnow

ACTIVITY_STATUS = {"draft": "草稿", "published": "已发布", "closed": "已结束"}


class Activity(db.Model):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_lookup", "team_id", "title", "service_date"),
        Index("ix_activities_service_date", "service_date", "id"),
        Index("ix_activities_status_date", "status", "service_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    title: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("service_categories.id"))
    place: Mapped[str | None] = mapped_column(String(200))
    service_date: Mapped[date]
    start_time: Mapped[str | None] = mapped_column(String(5))  # "HH:MM"
    end_time: Mapped[str | None] = mapped_column(String(5))
    description: Mapped[str | None] = mapped_column(Text)
    headcount: Mapped[int | None]
    # Optional place check for on-site check-in (WGS-84 degrees, radius in metres).
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # 活动已取消: a published activity called off by its leader is closed with these set, so
    # scripts reading `status` see the values they know (CONTRACT section 1).
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    team = relationship("Team")
    category = relationship("ServiceCategory")

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return "已取消" if self.cancelled_at else ACTIVITY_STATUS.get(self.status, self.status)

    @property
    def span_minutes(self) -> int | None:
        """Minutes from start to end, when both are known."""
        if not (self.start_time and self.end_time):
            return None
        sh, sm = map(int, self.start_time.split(":"))
        eh, em = map(int, self.end_time.split(":"))
        return (eh * 60 + em) - (sh * 60 + sm)

    def can_view(self, user) -> bool:
        """Office: all; leader: own teams; volunteer: published ones."""
        if not user or not user.is_authenticated:
            return False
        if user.role == "office":
            return True
        if user.role == "leader" and self.team_id in user.led_team_ids:
            return True
        # A volunteer signed up to a cancelled activity still opens its page (活动已取消).
        return self.status == "published" or self.cancelled_at is not None

    def can_manage(self, user) -> bool:
        if not user or not user.is_authenticated:
            return False
        return user.role == "office" or (user.role == "leader" and self.team_id in user.led_team_ids)


class ActivitySignup(db.Model):
    __tablename__ = "activity_signups"
    __table_args__ = (UniqueConstraint("activity_id", "volunteer_id", name="uq_signup"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # confirmed (within the quota) / waitlist (候补, in queued_at order) / cancelled (取消报名).
    # Server defaults: scripts and the seed insert rows without these columns.
    status: Mapped[str] = mapped_column(String(10), default="confirmed", server_default="confirmed")
    queued_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    promoted_at: Mapped[datetime | None]  # moved up from the 候补 list
    cancelled_at: Mapped[datetime | None]
    on_leave: Mapped[bool] = mapped_column(default=False, server_default=false())  # 请假, marked by a leader

    activity = relationship("Activity")
    volunteer = relationship("Volunteer")

    @property
    def status_label(self) -> str:
        return SIGNUP_STATUS.get(self.status, self.status)


SIGNUP_STATUS = {"confirmed": "已报名", "waitlist": "候补", "cancelled": "已取消"}
