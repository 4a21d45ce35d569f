"""Join applications (入队申请): a volunteer asks to join a team; its leaders or the office
accept (the membership is added) or decline with a reason the applicant sees on /me.

The other way in, a leader's invitation the volunteer accepts, is teams.models.TeamInvitation;
both lead to the one membership service (teams.services.add_member)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..extensions import db

APPLICATION_STATUS = {"pending": "待处理", "accepted": "已同意", "declined": "已拒绝", "withdrawn": "已撤回"}


class TeamApplication(db.Model):
    __tablename__ = "team_applications"
    __table_args__ = (
        Index("ix_team_applications_team", "team_id", "status"),
        Index("ix_team_applications_volunteer", "volunteer_id", "status"),
        # One pending application per (team, volunteer): a double click or two tabs at once
        # cannot queue the same request twice.
        Index("uq_team_applications_pending", "team_id", "volunteer_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    reason: Mapped[str | None] = mapped_column(Text)  # why it was declined, shown to the applicant
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    team = relationship("Team")
    volunteer = relationship("Volunteer")

    @property
    def status_label(self) -> str:
        return APPLICATION_STATUS.get(self.status, self.status)
