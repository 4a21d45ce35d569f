"""The one bulk-insert engine: importers and the seed write their many rows through it.

* `insert_tuples(table, columns, rows, *keys)`: rows as plain tuples. PostgreSQL through
  psycopg: COPY (ids reserved from the sequence first when asked for). SQLite: multi-row
  ``INSERT ... VALUES`` statements with each column's bind processor run once per distinct
  value, and the new ids numbered rather than read back; the secondary indexes set aside when
  the load is at least as big as the table. Other databases: Core INSERT.
* `bulk_write()`: around a load in the caller's transaction: the figures token replaced once
  (figures.bulk_changes) and on SQLite a page cache that holds what the load touches.
* `loading_empty_table(table)`: for a load into an empty table (the seed): every secondary
  index, and on PostgreSQL every foreign key, dropped for the load and made again after it.
* `paused_gc()`: the cyclic collector off while tens of thousands of row objects live.

Everything runs in the session's transaction; nothing here commits.
"""
from __future__ import annotations

import gc
from collections.abc import Sequence
from contextlib import contextmanager, nullcontext, suppress
from datetime import date
from itertools import chain
from operator import itemgetter

from sqlalchemy import Table as SATable
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from .extensions import db
from .figures import bulk_changes

INSERT_BATCH = 5000
BULK_CACHE_KIB = 64 * 1024
EMPTY_LOAD_CACHE_KIB = 256 * 1024


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector during a bulk import.

    Tens of thousands of live row objects make every automatic collection walk them all;
    nothing an import builds is cyclic garbage, so collecting once at the end is enough.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def bulk_write():
    """Around an import's writes (in the caller's transaction): the figures token replaced once,
    not once per row (figures.bulk_changes), and on SQLite a page cache that holds what the
    write touches (database.larger_page_cache)."""
    with bulk_changes(), larger_page_cache(db.session.connection()):
        yield


def insert_rows(table: SATable, rows: list[dict]) -> None:
    """Core INSERT of many rows (executemany), in batches."""
    for start in range(0, len(rows), INSERT_BATCH):
        db.session.execute(insert(table), rows[start:start + INSERT_BATCH])


def insert_returning(table: SATable, rows: list[dict], *keys: str) -> dict[tuple, int]:
    """Core INSERT of many rows; the new ids by the values of ``keys`` (a unique key of the rows).

    RETURNING without a promise of order lets SQLAlchemy send a thousand rows per statement
    (asking for the order would make SQLite insert them one by one).
    """
    ids: dict[tuple, int] = {}
    stmt = insert(table).returning(table.c.id, *(table.c[k] for k in keys))
    for start in range(0, len(rows), INSERT_BATCH):
        for new_id, *values in db.session.execute(stmt, rows[start:start + INSERT_BATCH]):
            ids[tuple(values)] = new_id
    return ids


def insert_tuples(table: SATable, columns: Sequence[str], rows: list[tuple], *keys: str) -> dict[tuple, int] | None:
    """INSERT of many rows given as plain tuples (values in ``columns`` order).

    With ``keys`` (a unique key among ``columns``) returns the new ids by those values, in
    the rows' order.  On SQLite the rows go to the driver as multi-row
    ``INSERT ... VALUES (...), (...)`` statements of up to a thousand rows: no per-row dict
    and no per-row parameter processing (each column's bind processor, dates for instance,
    runs once per distinct value), and the new ids numbered here rather than read back.  Not
    executemany: with per-row triggers, one statement per row costs SQLite a statement journal
    per row, which made a 20,000-row insert several times slower.  PostgreSQL through
    psycopg: COPY, the ids taken from the table's sequence first.  Other databases take the
    Core path.
    """
    if not rows:
        return {} if keys else None
    key_values: list[tuple] = []
    if keys:
        at = [columns.index(k) for k in keys]
        key_values = list(map(itemgetter(*at) if len(at) > 1 else (lambda row, j=at[0]: (row[j],)), rows))
        if len(set(key_values)) != len(rows):
            raise ValueError(f"insert_tuples: the rows repeat a value of {keys}")
    conn = db.session.connection()
    dialect = conn.dialect
    # New ids can be handed out here when the table's key is one integer id the rows leave out.
    own_ids = not keys or ("id" not in columns and list(table.primary_key.columns) == [table.c.get("id")])
    if copy_supported(conn) and own_ids:
        return _copy_tuples(conn, table, columns, rows, key_values)
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark" or not own_ids:
        dicts = [dict(zip(columns, row)) for row in rows]
        if keys:
            returned = insert_returning(table, dicts, *keys)
            return {key: returned[key] for key in key_values}  # in the rows' order, as below
        insert_rows(table, dicts)
        return None
    first = conn.exec_driver_sql(f"SELECT coalesce(max(rowid), 0) + 1 FROM "
                                 f"{dialect.identifier_preparer.format_table(table)}").scalar()
    # At least as many new rows as there are rows (max(rowid) bounds their number): cheaper
    # to build the secondary indexes afterwards than to keep them up to date row by row.
    with indexes_set_aside(conn, table.name) if len(rows) >= first - 1 else nullcontext():
        _insert_values(conn, table, columns, rows)
    if not keys:
        return None
    # SQLite numbers new rows max(id) + 1 in the order they come, and lets one transaction
    # write at a time (one whose snapshot is older than another's commit cannot write at all):
    # the new ids are known without RETURNING. Checked all the same.
    if conn.execute(select(func.max(table.c.id))).scalar() != first + len(rows) - 1:
        raise RuntimeError(f"insert_tuples: {table.name} did not number the new rows from {first}")
    return dict(zip(key_values, range(first, first + len(rows))))


def _copy_tuples(conn, table: SATable, columns: Sequence[str], rows: list[tuple],
                 key_values: list[tuple]) -> dict[tuple, int] | None:
    """PostgreSQL: COPY the rows in; with keys, ids taken from the table's sequence first
    (unique whatever else runs at the same time; a rollback only leaves a gap)."""
    if not key_values:
        copy_rows(conn, table.name, columns, rows)
        return None
    new_ids = sorted(conn.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        (table.name, len(rows))).scalars())
    copy_rows(conn, table.name, ("id", *columns), [(i, *row) for i, row in zip(new_ids, rows)])
    return dict(zip(key_values, new_ids))


def _insert_values(conn, table: SATable, columns: Sequence[str], rows: list[tuple]) -> None:
    """Multi-row INSERT ... VALUES statements of up to a thousand rows (SQLite)."""
    dialect = conn.dialect
    width = len(columns)
    values = _bind_processed(table, columns, list(chain.from_iterable(rows)), dialect)
    prep = dialect.identifier_preparer
    head = (f"INSERT INTO {prep.format_table(table)} ({', '.join(prep.format_column(table.c[c]) for c in columns)})"
            " VALUES ")
    one = "(" + ", ".join("?" * width) + ")"
    per = max(1, min(1000, dialect.insertmanyvalues_max_parameters // width))
    full = head + ", ".join([one] * per)
    for start in range(0, len(rows), per):
        count = min(per, len(rows) - start)
        sql = full if count == per else head + ", ".join([one] * count)
        conn.exec_driver_sql(sql, tuple(values[start * width:(start + count) * width]))


def _bind_processed(table: SATable, columns: Sequence[str], values: list, dialect) -> list:
    """The row-major ``values`` of rows of ``columns``, each column's bind processor applied
    (once per distinct value)."""
    width = len(columns)
    for j, name in enumerate(columns):
        proc = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if proc is None:
            continue
        column = values[j::width]
        try:
            distinct = set(column)
        except TypeError:  # unhashable values: one by one
            values[j::width] = [None if value is None else proc(value) for value in column]
            continue
        distinct.discard(None)
        if all(value.__class__ is date for value in distinct) and _writes_iso_dates(proc):
            # Plain dates into a column stored as ISO text (SQLite's Date): the same text, in C.
            done = {value: value.isoformat() for value in distinct}
        else:
            done = {value: proc(value) for value in distinct}
        values[j::width] = list(map(done.get, column))  # None stays None
    return values


_ISO_SAMPLES = (date(2000, 1, 2), date(999, 12, 31), date(1949, 10, 1), date(9999, 12, 31))


def _writes_iso_dates(proc) -> bool:
    """Whether a bind processor turns a date into its ISO text (date.isoformat)."""
    try:
        return all(proc(day) == day.isoformat() for day in _ISO_SAMPLES)
    except Exception:  # noqa: BLE001 (a processor for other values may refuse a date)
        return False


@contextmanager
def loading_empty_table(table: SATable):
    """Drop an empty table's secondary indexes (kept as their exact DDL), and on PostgreSQL its
    foreign keys, for a load; make them again after it.

    Building an index once afterwards is far cheaper than growing it row by row, and
    PostgreSQL checks foreign keys row by row with triggers (most of a load's time), while
    adding a key back validates every row in one pass. Inside the caller's transaction: a
    failure rolls the dropped indexes and keys back too. SQLite also gets a larger page cache
    for the block. Used by the seed, whose tables start empty.
    """
    conn = db.session.connection()
    name = table.name
    mode = "copy" if copy_supported(conn) else conn.dialect.name
    if mode == "sqlite":
        indexes = conn.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"
        ), {"t": name}).all()
    elif mode == "copy":
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        indexes = conn.execute(text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = CAST(:t AS regclass) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"
        ), {"t": name}).all()
    else:
        indexes = []
    foreign_keys = conn.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f'"
    ), {"t": name}).all() if mode == "copy" else []
    with larger_page_cache(conn, EMPTY_LOAD_CACHE_KIB):
        for fk_name, _ddl in foreign_keys:
            conn.exec_driver_sql(f'ALTER TABLE {name} DROP CONSTRAINT "{fk_name}"')
        for index_name, _ddl in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{index_name}"')
        yield  # on an error the caller rolls back, dropped indexes and keys included
        for _name, ddl in indexes:
            conn.exec_driver_sql(ddl)
        for fk_name, ddl in foreign_keys:
            conn.exec_driver_sql(f'ALTER TABLE {name} ADD CONSTRAINT "{fk_name}" {ddl}')


@contextmanager
def larger_page_cache(conn, kib: int = BULK_CACHE_KIB):
    """SQLite: a page cache of ``kib`` KiB on this connection for the duration of a bulk write.

    The default 2 MiB cannot hold the pages a 20,000-row import dirties (table and six
    indexes): SQLite then spills them to the WAL mid-transaction and writes many of them twice.
    Only for the block, so the pool's idle connections do not each keep 64 MiB. Elsewhere a
    no-op.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        with suppress(Exception):
            conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


@contextmanager
def indexes_set_aside(conn, table: str):
    """SQLite: drop ``table``'s plain secondary indexes for a bulk load, and build them after it.

    Building an index over a table sorts it once; keeping it up to date during a load inserts
    every new row into it at a random place. For a load at least as big as the table already
    is (a first roster of 20,000 into a new system: 0.04 s of 0.7) the former is cheaper, so
    the caller sets them aside then (insert_tuples). Only indexes made by CREATE INDEX and not
    unique: the primary key and UNIQUE constraints keep guarding the load. Inside the caller's
    transaction, like any DDL on SQLite: other connections never see the indexes missing, and
    a rollback or a crash restores them. Elsewhere a no-op.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    names = [row[1] for row in conn.exec_driver_sql(f'PRAGMA index_list("{table}")') if row[3] == "c" and not row[2]]
    saved = [conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).scalar()
             for name in names]
    for name in names:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    try:
        yield
    except BaseException:
        with suppress(Exception):  # the caller rolls back, which restores them anyway
            _create_all(conn, saved)
        raise
    _create_all(conn, saved)


def _create_all(conn, statements) -> None:
    for sql in statements:
        conn.exec_driver_sql(sql)


def copy_supported(conn) -> bool:
    """Whether ``conn`` can bulk-load with COPY (PostgreSQL through psycopg)."""
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def copy_rows(conn, table_name: str, columns, rows) -> None:
    """PostgreSQL COPY ... FROM STDIN on the session's own connection (same transaction).

    The fastest way in: no SQL text to build or parse per batch (psycopg spent most of a
    20,000-row roster import splitting the multi-row INSERTs' placeholders).
    """
    prep = conn.dialect.identifier_preparer
    sql = f"COPY {prep.quote(table_name)} ({', '.join(prep.quote(c) for c in columns)}) FROM STDIN"
    rows = rows if isinstance(rows, list) else list(rows)
    with conn.connection.dbapi_connection.cursor() as cur:
        # The driver's own cursor bypasses SQLAlchemy: tell its listeners (query counters, the
        # fault tests) about the statement, and raise its errors as SQLAlchemy's (IntegrityError...).
        conn.dispatch.before_cursor_execute(conn, cur, sql, rows, None, True)
        try:
            with cur.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        except conn.dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(sql, None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect) from exc
