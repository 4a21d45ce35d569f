"""Teams, their leaders and members, service categories and positions."""
from sqlalchemy import func, select

from ..audit.services import diff, record, snapshot
from ..errors import ServiceError, ValidationFailed
from ..extensions import db
from ..positions.models import Position
from .models import TEAM_KINDS, ServiceCategory, Team

TEAM_FIELDS = ("name", "kind", "position_id", "leader_name", "leader_phone", "category", "founded_on",
               "description", "is_active")


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


def get_or_create_position(name: str, actor=None) -> Position:
    """Find a position by name; an unknown one is created as a station (站)."""
    position = db.session.scalar(select(Position).where(Position.name == name))
    if position is None:
        position = Position(name=name, kind="station")
        db.session.add(position)
        db.session.flush()
        record(actor, "position.create", "position", position.id, f"新建阵地 {name}", after={"name": name, "kind": "station"})
    return position


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
    from ..volunteers.services import add_membership

    if volunteer.status != "active":
        raise ServiceError("该志愿者已注销，不能加入队伍。")
    added = add_membership(volunteer, team, today)
    if added:
        record(actor, "team.add_member", "team", team.id, f"{volunteer.name} 加入 {team.name}",
               after={"volunteer_id": volunteer.id})
    return added


def category_by_name(name: str, *, create: bool = False, actor=None) -> ServiceCategory | None:
    name = (name or "").strip()
    if not name:
        return None
    category = db.session.scalar(select(ServiceCategory).where(ServiceCategory.name == name))
    if category is None and create:
        order = (db.session.scalar(select(func.max(ServiceCategory.sort_order))) or 0) + 10
        category = ServiceCategory(name=name, sort_order=order)
        db.session.add(category)
        db.session.flush()
        record(actor, "category.create", "service_category", category.id, f"新增服务类别 {name}", after={"name": name})
    return category


def active_categories() -> list[ServiceCategory]:
    return list(db.session.scalars(select(ServiceCategory).where(ServiceCategory.is_active.is_(True))
                                   .order_by(ServiceCategory.sort_order, ServiceCategory.id)))
