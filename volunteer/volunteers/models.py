"""Registered volunteers (注册志愿者)."""
from datetime import date, datetime

from sqlalchemy import Index, String, Text, UniqueConstraint, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..clock import utcnow

STATUS_LABELS = {"active": "正常", "cancelled": "注销"}


class Volunteer(db.Model):
    __tablename__ = "volunteers"
    __table_args__ = (
        UniqueConstraint("id_type", "id_number", name="uq_volunteers_identity"),
        Index("ix_volunteers_name", "name", "id"),
        # Prefix searches (name LIKE '王%', phone LIKE '1391234%'): PostgreSQL uses a B-tree for
        # LIKE only with the pattern operator class (or the C collation), hence this second index
        # on name there (migration 0002). SQLite ranges on ix_volunteers_name
        # (volunteers.services.search_volunteers), so it has no copy to keep up (migration 0003).
        Index("ix_volunteers_name_prefix", "name",
              postgresql_ops={"name": "varchar_pattern_ops"}).ddl_if(dialect="postgresql"),
        Index("ix_volunteers_phone", "phone", postgresql_ops={"phone": "varchar_pattern_ops"}),
        Index("ix_volunteers_id_last4", "id_last4"),
        Index("ix_volunteers_registered_on", "registered_on"),
        Index("ix_volunteers_status_id", "status", "id"),
        Index("ix_volunteers_national_no", "national_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str | None] = mapped_column(String(2))
    id_type: Mapped[str] = mapped_column(String(20), default="居民身份证")
    id_number: Mapped[str] = mapped_column(String(30))
    # Last four characters, indexed, so "search by the end of the ID" needs no table scan.
    id_last4: Mapped[str] = mapped_column(String(4))
    phone: Mapped[str] = mapped_column(String(20))
    birth_date: Mapped[date | None]
    political_status: Mapped[str | None] = mapped_column(String(20))
    education: Mapped[str | None] = mapped_column(String(50))
    employer: Mapped[str | None] = mapped_column(String(200))
    community: Mapped[str | None] = mapped_column(String(100))
    skills: Mapped[str | None] = mapped_column(String(200))
    guardian_name: Mapped[str | None] = mapped_column(String(50))
    guardian_phone: Mapped[str | None] = mapped_column(String(20))
    registered_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(Text)
    # 全国志愿者编号: the national system's number for this person (CONTRACT section 10), typed by
    # the office; searchable.
    national_no: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(10), default="active")
    # False for a self-registered person (/register) until a leader of their team or the office
    # has seen them in person; certificates need it. Entered by the office: verified.
    verified: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    memberships = relationship("TeamMembership", back_populates="volunteer", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    @property
    def volunteer_no(self) -> str:
        """The number printed on certificates: stable, derived from the registry id."""
        return f"HQ{self.id:08d}"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def team_ids(self) -> set[int]:
        return {m.team_id for m in self.memberships}

    def can_view(self, user) -> bool:
        """Office sees everyone; a leader their teams' members; a volunteer themself."""
        if not user or not user.is_authenticated:
            return False
        if user.role == "office":
            return True
        if user.volunteer_id == self.id:
            return True
        if user.role == "leader":
            from ..teams.models import TeamMembership

            team_ids = user.led_team_ids
            if not team_ids:
                return False
            stmt = select(TeamMembership.team_id).where(
                TeamMembership.volunteer_id == self.id, TeamMembership.team_id.in_(team_ids)
            )
            return db.session.execute(stmt.limit(1)).first() is not None
        return False

    def can_edit(self, user) -> bool:
        return self.can_view(user) and user.role in ("office", "leader")
