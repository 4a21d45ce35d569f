"""Teams (志愿服务队), their members and leaders, and service categories."""
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..clock import utcnow

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
    # The national 服务类别 (0001-0099, volunteer/national/codes.py) this category is reported as.
    national_code: Mapped[str] = mapped_column(String(4), default="0099", server_default="0099")


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
    # Whether volunteers may apply to join from /register and /me (joining.applications).
    accepts_applications: Mapped[bool] = mapped_column(default=True, server_default=true())
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


INVITATION_STATUS = {"pending": "待回复", "accepted": "已接受", "declined": "已拒绝", "withdrawn": "已撤回"}


class TeamInvitation(db.Model):
    """A leader's invitation to a volunteer registered elsewhere: the membership is added only
    when the volunteer accepts it on /me (consent, CONTRACT.md section 3)."""

    __tablename__ = "team_invitations"
    __table_args__ = (Index("ix_team_invitations_volunteer", "volunteer_id", "status"),
                      Index("ix_team_invitations_team", "team_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    team = relationship("Team")
    volunteer = relationship("Volunteer")
    invited_by = relationship("User")

    @property
    def status_label(self) -> str:
        return INVITATION_STATUS.get(self.status, self.status)

    def can_decide(self, user) -> bool:
        """Only a login linked to the invited volunteer accepts or declines."""
        return bool(user and user.is_authenticated and user.volunteer_id == self.volunteer_id)
