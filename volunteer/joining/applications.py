"""Join applications (CONTRACT section 9): a volunteer applies to a team at /register or from
/me and may withdraw while it waits; the team's leaders or the office accept (the membership
is added through teams.services.add_member, the one way in) or decline with a reason the
applicant sees. A pending invitation from the same team is the team's consent already, so
applying to it accepts that invitation instead. Every change is audited; services never commit.
"""
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..audit.services import record
from ..clock import utcnow
from ..errors import ServiceError
from ..extensions import db
from ..i18n import marked
from ..teams import services as team_services
from ..teams.models import Team, TeamInvitation, TeamMembership
from .models import TeamApplication

REASON_MAX = 200
GONE = "该申请不存在或已处理。"


def open_teams_stmt():
    """Teams a volunteer may apply to: in use and accepting applications."""
    return select(Team).where(Team.is_active.is_(True), Team.accepts_applications.is_(True)).order_by(Team.name, Team.id)


def open_teams(exclude_volunteer_id: int | None = None) -> list[Team]:
    """The teams to offer, without those the volunteer is in or has a pending application to."""
    stmt = open_teams_stmt()
    if exclude_volunteer_id is not None:
        stmt = stmt.where(
            Team.id.not_in(select(TeamMembership.team_id).where(TeamMembership.volunteer_id == exclude_volunteer_id)),
            Team.id.not_in(select(TeamApplication.team_id).where(TeamApplication.volunteer_id == exclude_volunteer_id,
                                                                 TeamApplication.status == "pending")))
    return list(db.session.scalars(stmt.limit(500)))


def teams_to_apply(team_ids) -> list[Team]:
    """The teams chosen by id, each one open to applications; else ServiceError on team_ids."""
    wanted = list(dict.fromkeys(int(i) for i in team_ids or ()))
    if not wanted:
        return []
    if len(wanted) > 20:
        raise ServiceError(_("一次最多申请加入 20 支队伍。"), "team_ids")
    found = {t.id: t for t in db.session.scalars(open_teams_stmt().where(Team.id.in_(wanted)))}
    if len(found) != len(wanted):
        raise ServiceError(_("所选队伍不存在或暂不接受入队申请，请重新选择。"), "team_ids")
    return [found[i] for i in wanted]


def apply(actor, volunteer, team: Team, today) -> str:
    """Apply to `team`: "applied", or "joined" when the team had invited the person already."""
    if volunteer.status != "active":
        raise ServiceError(_("该志愿者已注销，不能申请入队。"), "team_id")
    if not team.is_active or not team.accepts_applications:
        raise ServiceError(marked(_("“%(team)s”暂不接受入队申请。"), team=team.name), "team_id")
    if db.session.get(TeamMembership, (team.id, volunteer.id)) is not None:
        raise ServiceError(marked(_("您已是“%(team)s”的队员。"), team=team.name), "team_id")
    if pending_application(team.id, volunteer.id) is not None:
        raise ServiceError(marked(_("已申请加入“%(team)s”，请等待队长处理。"), team=team.name), "team_id")
    invitation = db.session.scalar(select(TeamInvitation).where(
        TeamInvitation.team_id == team.id, TeamInvitation.volunteer_id == volunteer.id,
        TeamInvitation.status == "pending"))
    if invitation is not None:
        team_services.accept_invitation(actor, invitation, today)
        return "joined"
    application = TeamApplication(team_id=team.id, volunteer_id=volunteer.id, status="pending")
    db.session.add(application)
    db.session.flush()
    record(actor, "team.application", "team", team.id, f"{volunteer.name} 申请加入 {team.name}",
           after={"status": "pending"}, application_id=application.id, volunteer_id=volunteer.id)
    return "applied"


def pending_application(team_id: int, volunteer_id: int) -> TeamApplication | None:
    return db.session.scalar(select(TeamApplication).where(
        TeamApplication.team_id == team_id, TeamApplication.volunteer_id == volunteer_id,
        TeamApplication.status == "pending"))


def _decide(actor, application: TeamApplication, status: str, action: str, summary: str,
            reason: str | None = None) -> None:
    # Conditional on still pending: of two leaders deciding at once, the second finds it gone
    # (PostgreSQL re-reads the row after the first commits) instead of adding a member twice.
    decided = db.session.execute(
        update(TeamApplication).where(TeamApplication.id == application.id, TeamApplication.status == "pending")
        .values(status=status, decided_at=utcnow(), decided_by_id=getattr(actor, "id", None), reason=reason))
    if decided.rowcount != 1:
        raise ServiceError(GONE)
    db.session.refresh(application)
    record(actor, action, "team", application.team_id, summary, before={"status": "pending"},
           after={"status": status} | ({"reason": reason} if reason else {}),
           application_id=application.id, volunteer_id=application.volunteer_id)


def withdraw(actor, application: TeamApplication) -> None:
    """The applicant withdraws a pending application."""
    if getattr(actor, "volunteer_id", None) != application.volunteer_id:
        raise ServiceError(GONE)
    _decide(actor, application, "withdrawn", "team.application_withdraw",
            f"{application.volunteer.name} 撤回加入 {application.team.name} 的申请")


def accept(actor, application: TeamApplication, today) -> None:
    """同意: a leader of the team (or the office) adds the applicant as a member."""
    team, volunteer = application.team, application.volunteer
    if actor is not None and not team.can_manage(actor):  # None: the command line
        raise ServiceError(GONE)
    if volunteer.status != "active":
        raise ServiceError(_("该志愿者已注销，不能加入队伍。"))
    _decide(actor, application, "accepted", "team.application_accept", f"同意 {volunteer.name} 加入 {team.name}")
    team_services.add_member(actor, team, volunteer, today)


def decline(actor, application: TeamApplication, reason: str | None) -> None:
    """拒绝, with a reason the applicant reads on /me."""
    if actor is not None and not application.team.can_manage(actor):
        raise ServiceError(GONE)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(_("请填写拒绝的理由，申请人会看到它。"), "reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_("理由不能超过 %(n)s 个字。", n=REASON_MAX), "reason")
    _decide(actor, application, "declined", "team.application_decline",
            f"拒绝 {application.volunteer.name} 加入 {application.team.name}", reason=reason)


def pending_for_team(team_id: int, limit: int = 200) -> list[TeamApplication]:
    """A team's pending applications, oldest first."""
    return list(db.session.scalars(
        select(TeamApplication).options(selectinload(TeamApplication.volunteer))
        .where(TeamApplication.team_id == team_id, TeamApplication.status == "pending")
        .order_by(TeamApplication.created_at, TeamApplication.id).limit(limit)))


def pending_counts(team_ids) -> list[tuple[Team, int]]:
    """(team, pending applications) for the given teams (None: every team), teams with any only."""
    stmt = (select(Team, func.count(TeamApplication.id)).join(TeamApplication, TeamApplication.team_id == Team.id)
            .where(TeamApplication.status == "pending").group_by(Team.id).order_by(Team.name))
    if team_ids is not None:
        stmt = stmt.where(Team.id.in_(list(team_ids) or [-1]))
    return [(team, n) for team, n in db.session.execute(stmt.limit(100))]


def for_volunteer(volunteer_id: int, limit: int = 20) -> list[TeamApplication]:
    """The volunteer's applications, newest first: pending ones and how the others ended."""
    return list(db.session.scalars(
        select(TeamApplication).options(selectinload(TeamApplication.team))
        .where(TeamApplication.volunteer_id == volunteer_id)
        .order_by(TeamApplication.created_at.desc(), TeamApplication.id.desc()).limit(limit)))


def me_panel(volunteer) -> dict:
    """What /me shows of joining: the person's teams and their applications (any state)."""
    teams = list(db.session.scalars(
        select(Team).join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(TeamMembership.volunteer_id == volunteer.id).order_by(Team.name)))
    return {"teams": teams, "applications": for_volunteer(volunteer.id)}


def add_or_invite(actor, team: Team, volunteer, today) -> str:
    """A found person joins the team: the office adds them directly, and so does a leader who
    already leads a team of theirs; anyone else gets an invitation, and the membership waits
    for their consent on /me. Returns "added" or "invited"; raises ServiceError otherwise."""
    if db.session.get(TeamMembership, (team.id, volunteer.id)) is not None:
        raise ServiceError(f"{volunteer.name} 已是本队队员。", "key")
    waiting = pending_application(team.id, volunteer.id)
    if waiting is not None:  # the person asked to join: adding them is the leader's 同意
        accept(actor, waiting, today)
        return "added"
    led = getattr(actor, "led_team_ids", set()) or set()
    if actor is None or getattr(actor, "role", None) == "office" or volunteer.team_ids & led:
        team_services.add_member(actor, team, volunteer, today)
        return "added"
    team_services.invite(actor, team, volunteer)
    return "invited"
