"""Engine tuning that makes SQLite behave under several workers, and the write intent flag.

SQLite: WAL so readers never block the writer, a busy timeout so writers queue instead of
failing, foreign keys on, and BEGIN IMMEDIATE for requests that intend to write (POST and the
CLI): a deferred transaction that upgrades to a write lock mid-way can fail with "database is
locked" however long the timeout, an immediate one simply waits its turn.

Waiting its turn is done here, not by SQLite's busy handler: that handler sleeps with a
back-off of up to 100 ms between attempts and so keeps sleeping long after the writer ahead
has committed (a lock held for 10 ms cost the next writer ~90 ms more; under 20 clients and 4
workers most of the time went to sleeping workers). BEGIN IMMEDIATE is retried every
millisecond or so instead, for up to WRITE_WAIT_SECONDS.

PostgreSQL: a transaction that intends to write first takes one transaction-scoped advisory
lock (WRITE_LOCK_KEY), so writing transactions run one at a time, exactly as on SQLite. The
services check and then write ("is this person already recorded on this activity?", "are
there places left?", "is the form's version still current?"); under PostgreSQL's READ
COMMITTED two such transactions could both pass the check and both write: two live records
for one person and activity (a unique-index error shown as a 500), an activity over its
headcount, or a StaleDataError (500) instead of "已被他人修改". Readers are never blocked. The
lock goes with the transaction (commit, rollback, or the client process dying), and a writer
waits at most WRITE_WAIT_SECONDS for it (lock_timeout), like SQLite's busy timeout.
"""
import sqlite3
import time
from contextvars import ContextVar

from sqlalchemy import event

write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)

WRITE_WAIT_SECONDS = 30
BUSY_TIMEOUT_MS = WRITE_WAIT_SECONDS * 1000
WRITE_LOCK_KEY = 0x766F6C756E746565  # "voluntee": the one advisory lock all writers share


def tune_engine(engine) -> None:
    """Attach the pragmas and transaction-begin behaviour to an engine."""
    if engine.dialect.name == "postgresql":
        _tune_postgresql(engine)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is unreliable).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if write_intent.get():
            _begin_immediate(conn)
        else:
            conn.exec_driver_sql("BEGIN")


def _begin_immediate(conn) -> None:
    """BEGIN IMMEDIATE, retried promptly while another connection holds the write lock."""
    raw = conn.connection.driver_connection
    cur = raw.cursor()
    cur.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + WRITE_WAIT_SECONDS
        pause = 0.0005
        while time.monotonic() < deadline:
            try:
                cur.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.004)
        # Still locked after the wait: one last try that raises SQLAlchemy's usual error.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()


def _tune_postgresql(engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if write_intent.get():
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{WRITE_WAIT_SECONDS}s'")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
