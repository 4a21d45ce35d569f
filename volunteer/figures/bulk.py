"""`bulk_changes()`: around a bulk write (an import, the demo seed) in the caller's transaction.

SQLite's triggers run per row: the token's would replace the same row once per written row (a
20,000-row roster paid 44,000 upserts, a fifth of its database time), and the report facts'
would run their statements once per record (the 1,000,000-record seed). Here both are dropped
for the block and created again from their own text after it; the token is replaced once and
the facts are brought up to date in one pass: from the signed rows collected in `fact_deltas`
by light capture triggers, or, when the block started with no service record at all (the
seed, a first import), recounted from the records (figures.facts.rebuild_sql). It is the usual
bulk-load step, and safe inside the transaction: SQLite's DDL is transactional, so other
connections never see the triggers missing (writers are serialized, readers see committed
data) and a rollback or a crash restores them with the rest.

PostgreSQL's triggers already run once per statement; there the facts' triggers are told (a
transaction-local setting) to collect rows instead of applying them, or to do nothing before a
rebuild, because recomputing star levels per COPY batch would read every affected volunteer's
records once per batch. Meanwhile current_token() is None, so nothing computed mid-write is
cached.
"""
from __future__ import annotations

from contextlib import contextmanager, suppress

from ..extensions import db
from . import facts
from .cache import in_bulk_write
from .triggers import SQLITE_REPLACE_TOKEN, TRIGGER_PREFIX


@contextmanager
def bulk_changes():
    if in_bulk_write.get():  # inside another bulk block: the outer one finishes everything
        yield
        return
    flag = in_bulk_write.set(True)
    try:
        conn = db.session.connection()
        dialect = conn.dialect.name
        if dialect == "sqlite":
            with _sqlite(conn):
                yield
        elif dialect == "postgresql" and conn.exec_driver_sql("SELECT to_regclass('fact_deltas')").scalar():
            with _postgresql(conn):
                yield
        else:
            yield
    finally:
        in_bulk_write.reset(flag)


def _empty(conn) -> bool:
    return conn.exec_driver_sql("SELECT 1 FROM service_records LIMIT 1").first() is None


@contextmanager
def _sqlite(conn):
    saved = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND (substr(name, 1, ?) = ? OR substr(name, 1, ?) = ?)",
        (len(TRIGGER_PREFIX), TRIGGER_PREFIX, len(facts.SQLITE_PREFIX), facts.SQLITE_PREFIX)).all()
    with_facts = any(name.startswith(facts.SQLITE_PREFIX) for name, _sql in saved)
    rebuild = with_facts and _empty(conn)
    for name, _sql in saved:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    if with_facts and not rebuild:
        for statement in facts.capture_ddl():
            conn.exec_driver_sql(statement)
    try:
        yield
    except BaseException:
        # The caller rolls back, which restores them anyway; after a failed statement the
        # connection may refuse more SQL, and that must not hide the original error.
        with suppress(Exception):
            _restore(conn, saved)
        raise
    if with_facts:
        if rebuild:
            _run(conn, facts.rebuild_sql("sqlite"))
        else:
            for kind in ("insert", "delete", "update"):
                conn.exec_driver_sql(f"DROP TRIGGER {facts.CAPTURE_PREFIX}{kind}")
            _apply_collected(conn, "sqlite")
    _restore(conn, saved)


def _restore(conn, saved) -> None:
    for kind in ("insert", "delete", "update"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {facts.CAPTURE_PREFIX}{kind}")
    for _name, sql in saved:
        conn.exec_driver_sql(sql)
    if saved:
        conn.exec_driver_sql(SQLITE_REPLACE_TOKEN)


@contextmanager
def _postgresql(conn):
    rebuild = _empty(conn)
    conn.exec_driver_sql(f"SELECT set_config('{facts.PG_MODE}', %s, true)", ("off" if rebuild else "capture",))
    try:
        yield
    except BaseException:
        with suppress(Exception):
            conn.exec_driver_sql(f"SELECT set_config('{facts.PG_MODE}', '', true)")
        raise
    conn.exec_driver_sql(f"SELECT set_config('{facts.PG_MODE}', '', true)")
    if rebuild:
        _run(conn, facts.rebuild_sql("postgresql"))
        conn.exec_driver_sql("DELETE FROM fact_deltas")
    else:
        _apply_collected(conn, "postgresql")


def _apply_collected(conn, dialect: str) -> None:
    if conn.exec_driver_sql("SELECT 1 FROM fact_deltas LIMIT 1").first() is None:
        return
    _run(conn, facts.apply_sql(dialect, facts.deltas_from_table(dialect)))
    conn.exec_driver_sql("DELETE FROM fact_deltas")


def _run(conn, statements) -> None:
    for statement in statements:
        conn.exec_driver_sql(statement)
