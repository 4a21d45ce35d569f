"""The roster's filters and the teams a user may pick: one reading shared by the roster page,
its Excel export and the volunteer form (the export took these from the roster's routes).

Plain functions over a user and a mapping of arguments (request.args or a POSTed form): no
request is read here, so the same parsing serves every door.
"""
from sqlalchemy import select

from ..extensions import db
from ..permissions import within_scope
from ..teams.models import Team
from ..views import to_int
from .models import STATUS_LABELS
from .validators import POLITICAL_STATUSES

AGE_GROUP_LABELS = {"u18": "未满18", "18-35": "18-35", "36-59": "36-59", "60+": "60以上"}


def team_choices(user, include_ids=(), *, every_team: bool = False) -> list[tuple[int, str]]:
    """Teams `user` may pick: a leader their own; the office the active ones plus
    `include_ids` (or every team, for the list filter)."""
    stmt = select(Team.id, Team.name).order_by(Team.is_active.desc(), Team.name)
    if user.team_scope is not None:
        stmt = within_scope(stmt, Team.id, user)
    elif not every_team:
        stmt = stmt.where(Team.is_active.is_(True) | Team.id.in_(list(include_ids) or [-1]))
    return [(tid, name) for tid, name in db.session.execute(stmt)]


def filters(args, team_ids: set[int]) -> dict:
    """The list filters from `args` (the query string, or a POSTed form); unknown values are
    dropped, not errors."""
    team_id = to_int(args.get("team_id"))
    status = args.get("status", "")
    political = args.get("political_status", "")
    age = args.get("age_group", "")
    return {
        "q": (args.get("q") or "").strip()[:40],
        "team_id": team_id if team_id in team_ids else None,
        "status": status if status in STATUS_LABELS else "",
        "political_status": political if political in POLITICAL_STATUSES else "",
        "age_group": age if age in AGE_GROUP_LABELS else "",
    }


def visible_filters(user, args) -> dict:
    """`filters` over the teams `user` may see (the roster's own team list)."""
    return filters(args, {tid for tid, _ in team_choices(user, every_team=True)})
