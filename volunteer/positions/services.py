"""Practice positions (阵地): the sub-centre, its stations and points. Office only."""
from sqlalchemy import func, select

from ..audit.services import diff, record, snapshot
from ..errors import ServiceError
from ..extensions import db
from .models import POSITION_KINDS, Position

POSITION_FIELDS = ("name", "kind", "parent_id", "address", "is_active")


def _check(values: dict, position: Position | None = None) -> dict:
    """Validate and normalise; raises ServiceError naming the form field."""
    name = (values.get("name") or "").strip()
    if not name:
        raise ServiceError("阵地名称不能为空。", "name")
    if len(name) > 100:
        raise ServiceError("阵地名称不能超过 100 个字。", "name")
    clash = select(Position.id).where(Position.name == name, Position.id != (position.id if position else -1))
    if db.session.scalar(clash):
        raise ServiceError(f"阵地“{name}”已存在。", "name")
    kind = values.get("kind")
    if kind not in POSITION_KINDS:
        raise ServiceError("阵地类型应为：" + "、".join(POSITION_KINDS.values()), "kind")
    parent_id = values.get("parent_id")
    if parent_id is not None:
        parent = db.session.get(Position, parent_id)
        if parent is None:
            raise ServiceError("上级阵地不存在，请重新选择。", "parent_id")
        # Walk up from the chosen parent: meeting this position would make a loop.
        seen = set()
        node = parent
        while node is not None and node.id not in seen:
            if position is not None and node.id == position.id:
                raise ServiceError("上级阵地不能是它自己或它的下级。", "parent_id")
            seen.add(node.id)
            node = node.parent
    address = (values.get("address") or "").strip() or None
    if address and len(address) > 200:
        raise ServiceError("地址不能超过 200 个字。", "address")
    return {"name": name, "kind": kind, "parent_id": parent_id, "address": address,
            "is_active": bool(values.get("is_active", True))}


def create_position(actor, values: dict) -> Position:
    clean = _check(values)
    position = Position(**clean)
    db.session.add(position)
    db.session.flush()
    record(actor, "position.create", "position", position.id, f"新建阵地 {position.name}",
           after=snapshot(position, POSITION_FIELDS))
    return position


def update_position(actor, position: Position, values: dict) -> None:
    clean = _check(values, position)
    before = snapshot(position, POSITION_FIELDS)
    for key, value in clean.items():
        setattr(position, key, value)
    b, a = diff(before, snapshot(position, POSITION_FIELDS))
    if b:
        record(actor, "position.update", "position", position.id, f"修改阵地 {position.name}", before=b, after=a)


def team_counts(position_ids) -> dict[int, int]:
    """Teams per position, one GROUP BY."""
    from ..teams.models import Team

    if not position_ids:
        return {}
    stmt = (select(Team.position_id, func.count()).where(Team.position_id.in_(list(position_ids)))
            .group_by(Team.position_id))
    return {pid: n for pid, n in db.session.execute(stmt)}
