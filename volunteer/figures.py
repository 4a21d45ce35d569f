"""Counts and sums that would otherwise cost time in proportion to the data, kept exact.

Counting or summing over every volunteer or every service record costs a few milliseconds for
a town and ten times that for a district. Two mechanisms keep such figures off the pages' bill,
both maintained by database triggers, so the ORM, Core bulk inserts, PostgreSQL COPY, raw SQL,
imports, the seed and every worker and host are covered alike:

* `record_tallies`: service records counted and summed per (team, month of the activity date,
  status), updated by every insert, update, delete (and TRUNCATE) of `service_records`. A
  year's hours per team, or the number of pending records, is then a sum over at most
  teams x months x 3 small rows, however many records there are (`tally_*` below). The tests
  compare the table with a fresh GROUP BY after every kind of change.
* `cached(name, key, compute)`: any other derived figure (the reports page, the roster's
  "共 N 人"...), computed once per state of the data in each process. Every transaction that
  changes the tables such figures are made of (TRACKED_TABLES) replaces a random token in
  `data_versions` (SQLite: on every row; PostgreSQL: once per transaction, at its first
  write, because updating one row thousands of times in a transaction is quadratic there);
  a cached value is reused only while the token it was computed under is still current, so
  the first view after a change pays the full price and every other view one primary-key
  read. The token is random (never a counter): a value computed inside a transaction that
  later rolls back is keyed by a token that never becomes current, and two databases never
  share one. On PostgreSQL a transaction that has written does not use the cache at all.
  Cached values are shared between requests: callers treat them as read-only. A bulk write
  (an import) wraps itself in `bulk_changes()`: SQLite's per-row triggers are set aside for
  it and the token is replaced once at its end.

The tables and triggers come from migrations 0002 and 0003 (and, for the tests' create_all,
from the `after_create` hook below).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any, Callable, Hashable

from flask import current_app
from sqlalchemy import BigInteger, String, and_, event, func, select
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db

FIGURES = "figures"
TRIGGER_PREFIX = f"trg_{FIGURES}_"  # the SQLite triggers that replace the token (trigger_ddl)
TRACKED_TABLES = ("service_records", "activities", "volunteers", "team_memberships", "teams", "service_categories")
MAX_ENTRIES = 512


class RecordTally(db.Model):
    """Service records of one team, month ("YYYY-MM" of service_date) and status: how many,
    and their minutes. Maintained by triggers on service_records; never written by the app."""

    __tablename__ = "record_tallies"

    team_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    records: Mapped[int]
    minutes: Mapped[int] = mapped_column(BigInteger)


class DataVersion(db.Model):
    """One row per family of cached figures: `token` changes whenever their data changes."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    token: Mapped[str] = mapped_column(String(40))


# --- the triggers (created by migration 0002, and by create_all for the tests) ---------------------

SQLITE_NEW_TOKEN = "lower(hex(randomblob(16)))"
SQLITE_REPLACE_TOKEN = (f"INSERT INTO data_versions (name, token) VALUES ('{FIGURES}', {SQLITE_NEW_TOKEN}) "
                        f"ON CONFLICT (name) DO UPDATE SET token = excluded.token")
PG_FUNCTION = "figures_changed"
PG_FLAG = "volunteer.figures_changed"  # set (transaction-local) once this transaction replaced the token


def trigger_ddl(dialect: str) -> list[str]:
    """The statements that make every change to TRACKED_TABLES replace the token."""
    if dialect == "sqlite":
        statements = []
        for table in TRACKED_TABLES:
            for event_name in ("INSERT", "UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER IF NOT EXISTS trg_{FIGURES}_{table}_{event_name.lower()} "
                    f"AFTER {event_name} ON {table} FOR EACH ROW BEGIN "
                    f"{SQLITE_REPLACE_TOKEN}; END")
        return statements
    if dialect == "postgresql":
        # Statement-level, and once per transaction: updating one row again and again in one
        # transaction costs PostgreSQL a walk along all its versions each time (20,000
        # single-row INSERTs took 3 s instead of 0.3 s). Other transactions only ever see the
        # token with the transaction's data, at its commit; the writing transaction itself
        # does not use the cache (cached() checks pg_current_xact_id_if_assigned()).
        statements = [
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF current_setting('{PG_FLAG}', true) IS DISTINCT FROM 'on' THEN "
            f"INSERT INTO data_versions (name, token) "
            f"VALUES ('{FIGURES}', md5(random()::text || clock_timestamp()::text)) "
            f"ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token; "
            f"PERFORM set_config('{PG_FLAG}', 'on', true); END IF; RETURN NULL; END $$"]
        for table in TRACKED_TABLES:
            statements.append(f"DROP TRIGGER IF EXISTS trg_{FIGURES}_{table} ON {table}")
            statements.append(
                f"CREATE TRIGGER trg_{FIGURES}_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()")
        return statements
    return []  # other databases: no triggers, so cached() never caches (see current_token)


# A record adds itself to its tally row (created when missing); a deleted or changed record
# takes itself out of the row it is in (an UPDATE: a row that is not there stays absent, so
# emptying record_tallies before service_records never leaves negative rows behind).
_SQLITE_TALLY_ADD = (
    "INSERT INTO record_tallies (team_id, month, status, records, minutes) "
    "VALUES (NEW.team_id, substr(NEW.service_date, 1, 7), NEW.status, 1, NEW.minutes) "
    "ON CONFLICT (team_id, month, status) DO UPDATE "
    "SET records = records + 1, minutes = minutes + excluded.minutes;")
_SQLITE_TALLY_SUB = (
    "UPDATE record_tallies SET records = records - 1, minutes = minutes - OLD.minutes "
    "WHERE team_id = OLD.team_id AND month = substr(OLD.service_date, 1, 7) AND status = OLD.status;")
_PG_GROUPED = ("SELECT r.team_id, to_char(r.service_date, 'YYYY-MM') AS month, r.status, count(*) AS n, "
               "sum(r.minutes)::bigint AS m FROM {rows} r {where} GROUP BY 1, 2, 3")
_PG_TALLY_ADD = (
    "INSERT INTO record_tallies AS t (team_id, month, status, records, minutes) " + _PG_GROUPED + " "
    "ON CONFLICT (team_id, month, status) DO UPDATE "
    "SET records = t.records + EXCLUDED.records, minutes = t.minutes + EXCLUDED.minutes;")
_PG_TALLY_SUB = (
    "UPDATE record_tallies t SET records = t.records - d.n, minutes = t.minutes - d.m FROM (" + _PG_GROUPED + ") d "
    "WHERE t.team_id = d.team_id AND t.month = d.month AND t.status = d.status;")


def tally_trigger_ddl(dialect: str) -> list[str]:
    """The triggers that keep record_tallies equal to a GROUP BY over service_records."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS trg_record_tallies_insert AFTER INSERT ON service_records "
            f"FOR EACH ROW BEGIN {_SQLITE_TALLY_ADD} END",
            f"CREATE TRIGGER IF NOT EXISTS trg_record_tallies_delete AFTER DELETE ON service_records "
            f"FOR EACH ROW BEGIN {_SQLITE_TALLY_SUB} END",
            "CREATE TRIGGER IF NOT EXISTS trg_record_tallies_update "
            "AFTER UPDATE OF team_id, service_date, status, minutes ON service_records FOR EACH ROW "
            "WHEN OLD.team_id IS NOT NEW.team_id OR OLD.service_date IS NOT NEW.service_date "
            "OR OLD.status IS NOT NEW.status OR OLD.minutes IS NOT NEW.minutes "
            f"BEGIN {_SQLITE_TALLY_SUB} {_SQLITE_TALLY_ADD} END",
        ]
    if dialect == "postgresql":
        changed = ("JOIN {other} o USING (id) WHERE (r.team_id, r.service_date, r.status, r.minutes) "
                   "IS DISTINCT FROM (o.team_id, o.service_date, o.status, o.minutes)")
        functions = {
            "insert": _PG_TALLY_ADD.format(rows="new_rows", where=""),
            "delete": _PG_TALLY_SUB.format(rows="old_rows", where=""),
            "update": _PG_TALLY_SUB.format(rows="old_rows", where=changed.format(other="new_rows"))
            + " " + _PG_TALLY_ADD.format(rows="new_rows", where=changed.format(other="old_rows")),
            "truncate": "DELETE FROM record_tallies;",
        }
        referencing = {"insert": "REFERENCING NEW TABLE AS new_rows",
                       "delete": "REFERENCING OLD TABLE AS old_rows",
                       "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "truncate": ""}
        statements = []
        for event_name, body in functions.items():
            statements.append(f"CREATE OR REPLACE FUNCTION record_tallies_{event_name}() RETURNS trigger "
                              f"LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$")
            statements.append(f"DROP TRIGGER IF EXISTS trg_record_tallies_{event_name} ON service_records")
            statements.append(f"CREATE TRIGGER trg_record_tallies_{event_name} AFTER {event_name.upper()} "
                              f"ON service_records {referencing[event_name]} FOR EACH STATEMENT "
                              f"EXECUTE FUNCTION record_tallies_{event_name}()".replace("  ", " "))
        return statements
    return []


def rebuild_tallies_sql(dialect: str) -> list[str]:
    """Recount record_tallies from service_records (migration; a repair)."""
    month = "substr(service_date, 1, 7)" if dialect == "sqlite" else "to_char(service_date, 'YYYY-MM')"
    return ["DELETE FROM record_tallies",
            f"INSERT INTO record_tallies (team_id, month, status, records, minutes) "
            f"SELECT team_id, {month}, status, count(*), sum(minutes) FROM service_records "
            f"GROUP BY team_id, {month}, status"]


def initial_row_sql(dialect: str) -> str:
    token = SQLITE_NEW_TOKEN if dialect == "sqlite" else "md5(random()::text || clock_timestamp()::text)"
    return f"INSERT INTO data_versions (name, token) VALUES ('{FIGURES}', {token})"


@event.listens_for(db.metadata, "after_create")
def _create_triggers(metadata, connection, **kw):
    """create_all (tests): add the triggers once every tracked table exists."""
    names = {t.name for t in metadata.sorted_tables}
    if not set(TRACKED_TABLES) | {"data_versions", "record_tallies"} <= names:
        return
    dialect = connection.dialect.name
    for statement in trigger_ddl(dialect) + tally_trigger_ddl(dialect):
        connection.exec_driver_sql(statement)
    if dialect in ("sqlite", "postgresql") and connection.execute(
            select(DataVersion.token).where(DataVersion.name == FIGURES)).first() is None:
        connection.exec_driver_sql(initial_row_sql(dialect))


# --- the cache ----------------------------------------------------------------------------------

_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()  # (name, key) -> (token, value)


def current_token() -> str | None:
    """The token of the data the figures are made of, as this transaction sees it.

    None (nothing is cached) on a database without the triggers or without the row, and on
    PostgreSQL in a transaction that has written anything (its triggers replace the token
    only once per transaction, so its later writes would not change it again).
    """
    if _in_bulk_write.get():
        return None  # see bulk_changes
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":  # per-row triggers: every write replaces the token
        return db.session.scalar(select(DataVersion.token).where(DataVersion.name == FIGURES))
    if dialect == "postgresql":
        row = db.session.execute(select(DataVersion.token, func.pg_current_xact_id_if_assigned().is_(None))
                                 .where(DataVersion.name == FIGURES)).first()
        return row[0] if row and row[1] else None
    return None


_in_bulk_write: ContextVar[bool] = ContextVar("in_bulk_write", default=False)


@contextmanager
def bulk_changes():
    """Around a bulk write (a roster or hours import) in the caller's transaction.

    SQLite's triggers replace the token on every row, so a 20,000-row roster paid 44,000
    upserts of the same row (volunteers and memberships), a fifth of its database time. Here
    they are dropped for the block and created again from their own text after it, and the
    token is replaced once. It is the usual bulk-load step, and safe inside the transaction:
    SQLite's DDL is transactional, so other connections never see the triggers missing
    (writers are serialized, readers see committed data) and a rollback or a crash restores
    them with the rest. Meanwhile current_token() is None in this context, so nothing
    computed mid-write is cached. PostgreSQL's triggers already run once per statement and
    transaction: there only the cache is off.
    """
    flag = _in_bulk_write.set(True)
    try:
        conn = db.session.connection()
        saved = []
        if conn.dialect.name == "sqlite":
            saved = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND substr(name, 1, ?) = ?",
                (len(TRIGGER_PREFIX), TRIGGER_PREFIX)).all()
        if not saved:  # another database, or inside another bulk block (the outer one restores)
            yield
            return
        for name, _sql in saved:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        try:
            yield
        except BaseException:
            # The caller rolls back, which restores them anyway; after a failed statement the
            # connection may refuse more SQL, and that must not hide the original error.
            with suppress(Exception):
                _restore(conn, saved)
            raise
        _restore(conn, saved)
    finally:
        _in_bulk_write.reset(flag)


def _restore(conn, saved) -> None:
    for _name, sql in saved:
        conn.exec_driver_sql(sql)
    conn.exec_driver_sql(SQLITE_REPLACE_TOKEN)


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


# --- reading the tallies --------------------------------------------------------------------------

def month_text(day) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def whole_months(date_from, date_to) -> tuple[str, str] | None:
    """("YYYY-MM", "YYYY-MM") when [date_from, date_to] is a run of whole months, else None."""
    import calendar

    if date_from is None or date_to is None or date_from.day != 1 or date_from > date_to:
        return None
    if date_to.day != calendar.monthrange(date_to.year, date_to.month)[1]:
        return None
    return month_text(date_from), month_text(date_to)


def tally_by_team(team_ids, status: str, first_month: str, last_month: str) -> dict[int, tuple[int, int]]:
    """{team_id: (records, minutes)} of one status over months first..last ("YYYY-MM", inclusive)."""
    if not team_ids:
        return {}
    rows = db.session.execute(
        select(RecordTally.team_id, func.sum(RecordTally.records), func.sum(RecordTally.minutes))
        .where(RecordTally.team_id.in_(list(team_ids)), RecordTally.status == status,
               RecordTally.month >= first_month, RecordTally.month <= last_month)
        .group_by(RecordTally.team_id))
    return {tid: (int(n or 0), int(m or 0)) for tid, n, m in rows}


def tally_count(status: str, *, team_id: int | None = None, month: str | None = None) -> int:
    """How many records have this status (optionally of one team, one "YYYY-MM" month)."""
    conds = [RecordTally.status == status]
    if team_id is not None:
        conds.append(RecordTally.team_id == team_id)
    if month is not None:
        conds.append(RecordTally.month == month)
    return int(db.session.scalar(select(func.coalesce(func.sum(RecordTally.records), 0)).where(and_(*conds))) or 0)
