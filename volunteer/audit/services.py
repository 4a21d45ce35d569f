"""Writing the audit log. Every service that changes data calls `record` in the same
transaction as the change, so the log and the data can never disagree."""
from contextvars import ContextVar
from datetime import date, datetime

from ..extensions import db
from .models import AuditLog

# Set per request by the app (the client's address); services never touch `request`.
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


_SCALARS = frozenset((int, str, float, bool, type(None)))


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        # An import's entry lists thousands of ids: no call per plain number.
        return [v if v.__class__ in _SCALARS else _plain(v) for v in value]
    return value


def snapshot(obj, fields) -> dict:
    """The listed attributes of obj as JSON-safe values."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(actor, action: str, object_type: str, object_id=None, summary: str | None = None,
           before: dict | None = None, after: dict | None = None, **extra) -> AuditLog:
    """Add one audit entry. `actor` is a User, a label such as "自助认领", or None for the
    command line ("cli")."""
    changes = {}
    if before is not None:
        changes["before"] = {k: _plain(v) for k, v in before.items()}
    if after is not None:
        changes["after"] = {k: _plain(v) for k, v in after.items()}
    changes.update({k: _plain(v) for k, v in extra.items()})
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        actor_name=actor if isinstance(actor, str) else (getattr(actor, "username", None) or "cli"),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=(summary or "")[:300] or None,
        changes=changes or None,
        ip=current_ip.get(),
    )
    db.session.add(entry)
    return entry
