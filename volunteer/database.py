"""Engine tuning that makes SQLite behave under several workers, and the write intent flag.

SQLite: WAL so readers never block the writer, a busy timeout so writers queue instead of
failing, foreign keys on, and BEGIN IMMEDIATE for requests that intend to write (POST and the
CLI): a deferred transaction that upgrades to a write lock mid-way can fail with "database is
locked" however long the timeout, an immediate one simply waits its turn.
"""
from contextvars import ContextVar

from sqlalchemy import event

write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def tune_engine(engine) -> None:
    """Attach the SQLite pragmas and transaction-begin behaviour to an engine."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is unreliable).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")
