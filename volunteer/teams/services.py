"""Teams, their leaders and members, service categories and positions."""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..audit.services import diff, record, snapshot
from ..clock import utcnow
from ..errors import ServiceError, ValidationFailed
from ..extensions import db
from ..volunteers.services import add_membership
from .models import TEAM_KINDS, ServiceCategory, Team, TeamInvitation, TeamMembership

TEAM_FIELDS = ("name", "kind", "position_id", "leader_name", "leader_phone", "category", "founded_on",
               "description", "is_active", "accepts_applications")


def _check_team(values: dict, team: Team | None = None) -> None:
    errors = []
    name = (values.get("name") or "").strip()
    if not name:
        errors.append(("队伍名称", "队伍名称不能为空"))
    elif db.session.scalar(select(Team.id).where(Team.name == name, Team.id != (team.id if team else -1))):
        errors.append(("队伍名称", f"队伍“{name}”已存在"))
    if values.get("kind") not in TEAM_KINDS:
        errors.append(("队伍类型", "队伍类型应为：" + "、".join(TEAM_KINDS)))
    if errors:
        raise ValidationFailed(errors)


def create_team(actor, values: dict) -> Team:
    _check_team(values)
    team = Team(**{k: values.get(k) for k in TEAM_FIELDS if k in values})
    team.name = team.name.strip()
    db.session.add(team)
    db.session.flush()
    record(actor, "team.create", "team", team.id, f"新建队伍 {team.name}", after=snapshot(team, TEAM_FIELDS))
    return team


def update_team(actor, team: Team, values: dict) -> None:
    _check_team(values, team)
    before = snapshot(team, TEAM_FIELDS)
    for key in TEAM_FIELDS:
        if key in values:
            setattr(team, key, values[key].strip() if key == "name" else values[key])
    b, a = diff(before, snapshot(team, TEAM_FIELDS))
    if b:
        record(actor, "team.update", "team", team.id, f"修改队伍 {team.name}", before=b, after=a)


def add_member(actor, team: Team, volunteer, today) -> bool:
    """Add a volunteer to a team; False when already a member."""
    if volunteer.status != "active":
        raise ServiceError("该志愿者已注销，不能加入队伍。")
    added = add_membership(volunteer, team, today)
    if added:
        record(actor, "team.add_member", "team", team.id, f"{volunteer.name} 加入 {team.name}",
               after={"volunteer_id": volunteer.id})
    return added


def invite(actor, team: Team, volunteer) -> "TeamInvitation":
    """Invite a volunteer into a team; one pending invitation per (team, volunteer)."""
    if volunteer.status != "active":
        raise ServiceError("该志愿者已注销，不能邀请。", "key")
    pending = db.session.scalar(select(TeamInvitation).where(
        TeamInvitation.team_id == team.id, TeamInvitation.volunteer_id == volunteer.id,
        TeamInvitation.status == "pending"))
    if pending is not None:
        raise ServiceError(f"已邀请 {volunteer.name}，正等待对方回复。", "key")
    invitation = TeamInvitation(team_id=team.id, volunteer_id=volunteer.id,
                                invited_by_id=getattr(actor, "id", None), status="pending")
    db.session.add(invitation)
    db.session.flush()
    record(actor, "team.invite", "team", team.id, f"邀请 {volunteer.name} 加入 {team.name}",
           after={"invitation_id": invitation.id, "volunteer_id": volunteer.id, "status": "pending"})
    return invitation


def _decide(actor, invitation, status: str, action: str, summary: str) -> None:
    if invitation.status != "pending":
        raise ServiceError("该邀请已处理或已撤回。")
    invitation.status, invitation.decided_at = status, utcnow()
    record(actor, action, "team", invitation.team_id, summary,
           before={"status": "pending"}, after={"status": status},
           invitation_id=invitation.id, volunteer_id=invitation.volunteer_id)


def accept_invitation(actor, invitation, today) -> None:
    """The invited volunteer's login accepts: the membership is added (audited)."""
    volunteer, team = invitation.volunteer, invitation.team
    if volunteer.status != "active" or not team.is_active:
        raise ServiceError("该队伍或志愿者状态已变更，无法加入。")
    _decide(actor, invitation, "accepted", "team.invitation_accept", f"{volunteer.name} 接受邀请加入 {team.name}")
    add_member(actor, team, volunteer, today)


def decline_invitation(actor, invitation) -> None:
    _decide(actor, invitation, "declined", "team.invitation_decline",
            f"{invitation.volunteer.name} 拒绝加入 {invitation.team.name}")


def withdraw_invitation(actor, invitation) -> None:
    """The team's leader (or the office) withdraws a pending invitation."""
    _decide(actor, invitation, "withdrawn", "team.invitation_withdraw",
            f"撤回对 {invitation.volunteer.name} 的邀请（{invitation.team.name}）")


def pending_invitations(*, team_id: int | None = None, volunteer_id: int | None = None) -> list:
    """Pending invitations of a team (its page) or of a volunteer (/me), oldest first."""
    stmt = (select(TeamInvitation).options(selectinload(TeamInvitation.team), selectinload(TeamInvitation.volunteer))
            .where(TeamInvitation.status == "pending").order_by(TeamInvitation.created_at, TeamInvitation.id))
    if team_id is not None:
        stmt = stmt.where(TeamInvitation.team_id == team_id)
    if volunteer_id is not None:
        stmt = stmt.where(TeamInvitation.volunteer_id == volunteer_id)
    return list(db.session.scalars(stmt.limit(200)))


def active_categories() -> list[ServiceCategory]:
    return list(db.session.scalars(select(ServiceCategory).where(ServiceCategory.is_active.is_(True))
                                   .order_by(ServiceCategory.sort_order, ServiceCategory.id)))


# --- Pages: leaders, member look-up, categories, and the aggregates the lists show -------------

def set_team_leaders(actor, team: Team, users) -> None:
    """Set the logins that lead a team (leader-role users only); audited on the team."""
    users = list(users)
    wrong = [u.username for u in users if u.role != "leader"]
    if wrong:
        raise ServiceError("只有队长账号可以负责队伍：" + "、".join(wrong), "leader_ids")
    before = sorted(u.username for u in team.leaders)
    after = sorted(u.username for u in users)
    if before == after:
        return
    team.leaders = users
    record(actor, "team.leaders", "team", team.id, f"设置 {team.name} 的队长账号",
           before={"leaders": before}, after={"leaders": after})


def member_counts(team_ids) -> dict[int, int]:
    """Members per team, one GROUP BY."""
    if not team_ids:
        return {}
    stmt = (select(TeamMembership.team_id, func.count())
            .where(TeamMembership.team_id.in_(list(team_ids))).group_by(TeamMembership.team_id))
    return {tid: n for tid, n in db.session.execute(stmt)}


CATEGORY_FIELDS = ("name", "sort_order", "is_active")


def _clean_category_name(name: str, category: ServiceCategory | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ServiceError("类别名称不能为空。", "name")
    if len(name) > 50:
        raise ServiceError("类别名称不能超过 50 个字。", "name")
    clash = select(ServiceCategory.id).where(ServiceCategory.name == name,
                                             ServiceCategory.id != (category.id if category else -1))
    if db.session.scalar(clash):
        raise ServiceError(f"服务类别“{name}”已存在。", "name")
    return name


def create_category(actor, name: str, sort_order: int | None = None) -> ServiceCategory:
    name = _clean_category_name(name)
    if sort_order is None:
        sort_order = (db.session.scalar(select(func.max(ServiceCategory.sort_order))) or 0) + 10
    category = ServiceCategory(name=name, sort_order=sort_order, is_active=True)
    db.session.add(category)
    db.session.flush()
    record(actor, "category.create", "service_category", category.id, f"新增服务类别 {name}",
           after=snapshot(category, CATEGORY_FIELDS))
    return category


def update_category(actor, category: ServiceCategory, name: str, sort_order: int) -> None:
    name = _clean_category_name(name, category)
    before = snapshot(category, CATEGORY_FIELDS)
    category.name, category.sort_order = name, sort_order
    b, a = diff(before, snapshot(category, CATEGORY_FIELDS))
    if b:
        record(actor, "category.update", "service_category", category.id, f"修改服务类别 {name}",
               before=b, after=a)


def set_category_active(actor, category: ServiceCategory, active: bool) -> None:
    if category.is_active == active:
        return
    category.is_active = active
    record(actor, "category.enable" if active else "category.disable", "service_category", category.id,
           f"{'启用' if active else '停用'}服务类别 {category.name}",
           before={"is_active": not active}, after={"is_active": active})


def move_category(actor, category: ServiceCategory, direction: str) -> None:
    """Move a category one place up or down; every category is renumbered 10, 20, 30..."""
    rows = list(db.session.scalars(select(ServiceCategory).order_by(ServiceCategory.sort_order, ServiceCategory.id)))
    i = rows.index(category)
    j = i - 1 if direction == "up" else i + 1
    if direction not in ("up", "down") or not 0 <= j < len(rows):
        return
    rows[i], rows[j] = rows[j], rows[i]
    before, after = {}, {}
    for n, row in enumerate(rows, start=1):
        if row.sort_order != n * 10:
            before[row.name], after[row.name] = row.sort_order, n * 10
            row.sort_order = n * 10
    if before:
        record(actor, "category.reorder", "service_category", category.id,
               f"调整服务类别顺序：{category.name}{'上移' if direction == 'up' else '下移'}",
               before=before, after=after)
