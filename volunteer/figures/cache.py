"""`cached(name, key, compute)`: a derived figure computed once per state of the data.

Every transaction that changes the tables such figures are made of (TRACKED_TABLES) replaces a
random token in `data_versions` (SQLite: on every row; PostgreSQL: once per transaction, at its
first write, because updating one row thousands of times in a transaction is quadratic there);
a cached value is reused only while the token it was computed under is still current, so the
first view after a change pays the full price and every other view one primary-key read. The
token is random (never a counter): a value computed inside a transaction that later rolls back
is keyed by a token that never becomes current, and two databases never share one. On
PostgreSQL a transaction that has written does not use the cache at all. Cached values are
shared between requests: callers treat them as read-only.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from contextvars import ContextVar
from typing import Any, Callable, Hashable

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from .models import DataVersion
from .triggers import FIGURES

MAX_ENTRIES = 512

_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()  # (name, key) -> (token, value)

# True inside figures.bulk_changes: nothing computed mid-write is cached.
in_bulk_write: ContextVar[bool] = ContextVar("in_bulk_write", default=False)


def current_token() -> str | None:
    """The token of the data the figures are made of, as this transaction sees it.

    None (nothing is cached) on a database without the triggers or without the row, and on
    PostgreSQL in a transaction that has written anything (its triggers replace the token
    only once per transaction, so its later writes would not change it again).
    """
    if in_bulk_write.get():
        return None  # see bulk_changes
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":  # per-row triggers: every write replaces the token
        return db.session.scalar(select(DataVersion.token).where(DataVersion.name == FIGURES))
    if dialect == "postgresql":
        row = db.session.execute(select(DataVersion.token, func.pg_current_xact_id_if_assigned().is_(None))
                                 .where(DataVersion.name == FIGURES)).first()
        return row[0] if row and row[1] else None
    return None


def cached(name: str, key: Hashable, compute: Callable[[], Any]) -> Any:
    """compute(), or the value it gave for the same name and key while the data was the same.

    `key` must hold everything the value depends on besides the tracked tables (dates, team
    ids, the user's scope, today's date...).
    """
    if not current_app.config.get("FIGURES_CACHE", True):
        return compute()
    token = current_token()
    if token is None:
        return compute()
    entry_key = (name, key)
    with _lock:
        hit = _entries.get(entry_key)
        if hit is not None and hit[0] == token:
            _entries.move_to_end(entry_key)
            return hit[1]
    value = compute()
    with _lock:
        _entries[entry_key] = (token, value)
        _entries.move_to_end(entry_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached value of this process (tests)."""
    with _lock:
        _entries.clear()


def ids_key(ids) -> tuple | None:
    """A hashable, order-free key for a list of ids (None stays None: "every one")."""
    return None if ids is None else tuple(sorted(set(ids)))
