"""Throttles on guessable secrets, and the one look-up budget, kept in the database so every
worker and every host shares them (nothing in process memory).

Two kinds of counter live in one table (`throttles`), each row one key:

- Failure throttles (login, claim, register): `locked_seconds(keys)` before the attempt,
  `record_failure(key, limit, window)` after a failed one, `clear(key)` after success. Keys are
  per (account, address) and per address, so nobody can lock another address out of an
  account, nor a whole town out through its reverse proxy (CONTRACT.md section 3). Each
  lock-out doubles the next one (back-off), capped at MAX_LOCK.
- The look-up budget: every answer that tells anyone but the office whether an ID number or a
  mobile is registered costs one unit of the asker's budget (their login; their address when
  anonymous: pass `ANONYMOUS` as the actor, since None is the exempt command line).
  `spend(actor, n, ...)` raises `Throttled` when fewer than n units are left, and then nothing
  is answered. A leader checking 40 people of their own team spends nothing:
  callers only count misses and hits outside the asker's teams.

Refusing never sleeps in a worker: a refused request answers at once with `THROTTLED`.
Writes happen in the caller's transaction (POST only: no state change on a GET).
"""
import ipaddress
from datetime import datetime, timedelta

from flask import current_app, has_app_context, has_request_context, request
from flask_babel import gettext
from sqlalchemy import String, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from .errors import ServiceError
from .i18n import N_
from .extensions import db
from .clock import utcnow

THROTTLED = N_("操作过于频繁，请稍后再试。")
MAX_LOCK = timedelta(hours=24)

# Defaults, overridable in the app config (figures: a leader adds at most a few dozen people
# from outside their teams a day; 2,000 birth dates behind a masked ID need 2,000 answers).
DEFAULTS = {"LOOKUP_BUDGET": 30, "LOOKUP_WINDOW_MINUTES": 60}


class Throttle(db.Model):
    """One counter: failures (with back-off) or a look-up budget, per key."""

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    lockouts: Mapped[int] = mapped_column(default=0)  # how many times locked: the back-off exponent


class _Anonymous:
    """The asker on a page without a login (/claim, /register): charged per client address.
    Not None, which means the command line and is exempt."""

    id = None
    role = None

    def __repr__(self) -> str:
        return "ANONYMOUS"


ANONYMOUS = _Anonymous()


class Throttled(ServiceError):
    """Too many attempts or look-ups: try again later."""

    def __init__(self, field: str | None = None):
        super().__init__(gettext(THROTTLED), field)


def client_address() -> str | None:
    """The client's address as the app sees it (ProxyFix applies PROXY_HOPS), or None outside
    a request (the command line)."""
    return request.remote_addr if has_request_context() else None


def address_key(address: str | None) -> str:
    """What a per-address throttle counts: an IPv4 address, or an IPv6 address's /64 (one
    subscriber's network holds 2**64 addresses: counting each one apart throttles nothing)."""
    if not address:
        return "-"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is an IPv4 client
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def _setting(name: str) -> int:
    if has_app_context():
        return int(current_app.config.get(name, DEFAULTS[name]))
    return DEFAULTS[name]


def _upsert_increment(key: str, n: int, now: datetime) -> Throttle:
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Throttle).values(key=key, count=n, window_start=now, locked_until=None, lockouts=0)
    stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"count": Throttle.count + n})
    db.session.execute(stmt)
    return db.session.get(Throttle, key, populate_existing=True)


def locked_seconds(keys: list[str]) -> int:
    """Seconds until every given key is unlocked; 0 when none is locked."""
    now = utcnow()
    rows = db.session.scalars(select(Throttle).where(Throttle.key.in_(keys))).all()
    waits = [(r.locked_until - now).total_seconds() for r in rows if r.locked_until and r.locked_until > now]
    return int(-(-max(waits) // 1)) if waits else 0


def record_failure(key: str, limit: int, window: timedelta) -> None:
    """Count one failure; `limit` failures within `window` lock the key for `window`, doubled
    for each earlier lock-out (capped at MAX_LOCK)."""
    now = utcnow()
    row = _upsert_increment(key, 1, now)
    if row.window_start < now - window and (row.locked_until is None or row.locked_until < now):
        row.count, row.window_start = 1, now
    if row.count >= limit:
        row.locked_until = now + min(window * (2 ** min(row.lockouts, 10)), MAX_LOCK)
        row.lockouts += 1
        row.count, row.window_start = 0, now


def clear(key: str) -> None:
    db.session.execute(delete(Throttle).where(Throttle.key == key))


def budget_key(actor, address: str | None = None) -> str:
    if getattr(actor, "id", None) is not None:
        return f"budget:user:{actor.id}"
    return f"budget:ip:{address_key(address or client_address())}"


def exempt(actor) -> bool:
    """The office and the command line (actor None) answer such questions without a budget."""
    return actor is None or getattr(actor, "role", None) == "office"


def budget_left(actor, address: str | None = None) -> int | None:
    """Units left in the current window; None for those without a budget."""
    if exempt(actor) and actor is None:
        return None
    if getattr(actor, "role", None) == "office":
        return None
    limit, window = _setting("LOOKUP_BUDGET"), timedelta(minutes=_setting("LOOKUP_WINDOW_MINUTES"))
    row = db.session.get(Throttle, budget_key(actor, address))
    now = utcnow()
    if row is None or row.window_start < now - window:
        return limit
    return max(limit - row.count, 0)


def ensure_budget(actor, n: int = 1, *, address: str | None = None, field: str | None = None) -> None:
    """Raise Throttled when fewer than n units are left (nothing is spent)."""
    left = budget_left(actor, address)
    if left is not None and left < n:
        raise Throttled(field)


def spend(actor, n: int = 1, *, address: str | None = None, field: str | None = None) -> None:
    """Spend n units of the asker's budget, or raise Throttled (spending nothing) when fewer
    are left. The window restarts once it has passed. The caller audits what was asked."""
    if n <= 0 or budget_left(actor, address) is None:
        return
    ensure_budget(actor, n, address=address, field=field)
    limit, window = _setting("LOOKUP_BUDGET"), timedelta(minutes=_setting("LOOKUP_WINDOW_MINUTES"))
    now = utcnow()
    row = _upsert_increment(budget_key(actor, address), n, now)
    if row.window_start < now - window:
        row.count, row.window_start = n, now
    if row.count > limit:  # a concurrent spender got there first: refuse, the caller rolls back
        raise Throttled(field)
