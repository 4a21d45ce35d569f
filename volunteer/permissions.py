"""Role checks for routes, object lookups that answer 404 outside a user's scope, and the
one filter for "the teams this user may see" (User.team_scope)."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .extensions import db


def role_required(*roles):
    """Login required, then one of `roles`, else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def get_visible_or_404(model, object_id, predicate="can_view"):
    """Load an object and check its permission predicate; both failures look like 404."""
    obj = db.session.get(model, object_id)
    if obj is None or not getattr(obj, predicate)(current_user):
        abort(404)
    return obj


def own_volunteer_or_404():
    """The volunteer record behind the login; a login without one answers 404 (CONTRACT
    section 3): the volunteer's own pages (/me, requests, joining, check-in) start here."""
    volunteer = current_user.volunteer
    if volunteer is None:
        abort(404)
    return volunteer


def within_scope(stmt, team_column, user):
    """`stmt` narrowed to the rows of the teams `user` may see (User.team_scope): unchanged for
    the office, the led teams for a leader, nothing for a login that leads none."""
    scope = user.team_scope
    return stmt if scope is None else stmt.where(team_column.in_(sorted(scope) or [-1]))
