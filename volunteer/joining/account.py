"""A volunteer's own account: leaving a team, closing the account, and the one-time password a
leader of their team or the office gives someone who forgot theirs (CONTRACT section 9).

Leaving removes only the membership: the service records keep their team, since they are what
the team did. Closing disables the login and ends every session, withdraws what still waits
(applications, invitations, upcoming sign-ups) and marks the registry record 注销; records and
certificates stay for the office, as 民政部令第67号 asks. A one-time password is shown once
to whoever set it, ends the person's sessions and must be replaced at the next login.
Every change is audited; services never commit.
"""
from flask_babel import gettext as _

from sqlalchemy import select

from ..activities import signups
from ..activities.models import Activity
from ..audit.services import record
from ..auth.models import User
from ..auth.services import end_sessions, issue_one_time_password
from ..errors import ServiceError
from ..extensions import db
from ..teams import services as team_services
from ..teams.models import Team
from ..volunteers.services import remove_membership, set_status
from . import applications
from .services import can_verify

def leave_team(user: User, team_id: int) -> Team:
    """The volunteer leaves one of their teams (audited on the team); their records stay."""
    volunteer = user.volunteer
    team = db.session.get(Team, team_id) if volunteer is not None else None
    if team is None or not remove_membership(volunteer, team.id):
        raise ServiceError(_("您不是该队伍的队员。"))
    db.session.flush()
    record(user, "team.leave", "team", team.id, f"{volunteer.name} 退出 {team.name}",
           before={"volunteer_id": volunteer.id, "member": True}, after={"member": False})
    return team


def close_account(user: User, password: str, *, erase_request: bool = False) -> None:
    """注销账号: the current password first (the caller throttles wrong ones)."""
    if not user.check_password(password or ""):
        raise ServiceError(_("密码不正确。"), "password")
    volunteer = user.volunteer
    if volunteer is None or not user.is_enabled:
        raise ServiceError(_("该账号已注销。"))
    if user.role != "volunteer":  # a leader's or the office's login is not closed from /me
        raise ServiceError(_("队长和分中心办公室的账号请由分中心办公室停用。"), "confirm")
    for application in applications.for_volunteer(volunteer.id, limit=100):
        if application.status == "pending":
            applications.withdraw(user, application)
    for invitation in team_services.pending_invitations(volunteer_id=volunteer.id):
        team_services.decline_invitation(user, invitation)
    cancelled = 0
    for signup, _position in signups.upcoming_for(volunteer.id):
        try:  # past the cancellation deadline the sign-up stays for the leader to mark
            with db.session.begin_nested():
                signups.cancel(user, db.session.get(Activity, signup.activity_id), volunteer)
                cancelled += 1
        except ServiceError:
            pass
    if volunteer.status == "active":
        set_status(user, volunteer, "cancelled")
    user.is_enabled = False
    ended = end_sessions(user.id)
    record(user, "user.close", "user", user.id, f"{volunteer.name} 注销账号",
           before={"is_enabled": True}, after={"is_enabled": False}, volunteer_id=volunteer.id,
           signups_cancelled=cancelled, sessions_ended=ended, erase_requested=bool(erase_request))
    if erase_request:  # on the person's own log too, where the office sees it beside 清除个人信息
        record(user, "volunteer.erase_request", "volunteer", volunteer.id,
               f"{volunteer.name} 注销时申请清除其他个人信息")


def login_of(volunteer) -> User | None:
    return db.session.scalar(select(User).where(User.volunteer_id == volunteer.id))


def one_time_password(actor, volunteer) -> str:
    """Give the volunteer's login a one-time password (auth.services.issue_one_time_password):
    a leader of one of their teams, for a volunteer's login, or the office."""
    if not can_verify(actor, volunteer):
        raise ServiceError(_("只有其所在队伍的队长或分中心办公室可以重置密码。"))
    user = login_of(volunteer)
    if user is None:
        raise ServiceError(_("%(name)s 还没有账号：请本人在“认领账号”页面认领。", name=volunteer.name))
    if user.id != getattr(actor, "id", None) and actor.role != "office" and user.role != "volunteer":
        raise ServiceError(_("队长只能为志愿者账号重置密码，其他账号请联系分中心办公室。"))
    return issue_one_time_password(actor, user, f"为 {volunteer.name} 生成一次性密码", volunteer_id=volunteer.id)


# What "other personal data" means for a closed account: everything but what the record and
# the certificates need (name, ID, gender, birth date, registration date, national number).
ERASABLE = ("phone", "political_status", "education", "employer", "community", "skills", "guardian_name",
            "guardian_phone", "note")


def erase_personal_data(actor, volunteer) -> list[str]:
    """The office clears a closed (注销) person's other personal data at their request; the
    audit entry names the fields, never their values. Returns the fields cleared."""
    if getattr(actor, "role", None) != "office" and actor is not None:
        raise ServiceError("只有分中心办公室可以清除个人信息。")
    if volunteer.status != "cancelled":
        raise ServiceError("只能清除已注销志愿者的个人信息，请先注销。")
    cleared = [k for k in ERASABLE if getattr(volunteer, k)]
    if not cleared:
        raise ServiceError("该志愿者的其他个人信息已清除。")
    for key in cleared:
        setattr(volunteer, key, "" if key == "phone" else None)  # phone is NOT NULL
    db.session.flush()
    record(actor, "volunteer.erase", "volunteer", volunteer.id, f"清除已注销志愿者 {volunteer.name} 的其他个人信息",
           fields=cleared)
    return cleared
