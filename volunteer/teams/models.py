"""Teams (志愿服务队), their members and leaders, and service categories."""
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow

TEAM_KINDS = ("居委", "职能部门", "社会组织")

team_leaders = Table(
    "team_leaders",
    db.metadata,
    Column("team_id", ForeignKey("teams.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)


class ServiceCategory(db.Model):
    __tablename__ = "service_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    sort_order: Mapped[int] = mapped_column(default=100)
    is_active: Mapped[bool] = mapped_column(default=True)


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"))
    leader_name: Mapped[str | None] = mapped_column(String(50))
    leader_phone: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(100))
    founded_on: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    position = relationship("Position")
    leaders = relationship("User", secondary=team_leaders, back_populates="led_teams")

    def can_manage(self, user) -> bool:
        """Office manages every team; a leader only the teams they lead."""
        if not user or not user.is_authenticated:
            return False
        if user.role == "office":
            return True
        return user.role == "leader" and self.id in user.led_team_ids


class TeamMembership(db.Model):
    __tablename__ = "team_memberships"
    __table_args__ = (Index("ix_team_memberships_volunteer", "volunteer_id", "team_id"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), primary_key=True)
    joined_on: Mapped[date | None]

    team = relationship("Team")
    volunteer = relationship("Volunteer", back_populates="memberships")
