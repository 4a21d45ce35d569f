"""Shared parts of the three Excel imports (CONTRACT sections 2 and 4).

An import runs in two phases.  Validation reads every row and records problems in an
:class:`ImportReport` without writing anything; only when no row is rejected (or the caller
asked to skip invalid rows) and it is not a dry run do the valid rows get written, in the
caller's transaction (services add/flush, the caller commits).  Lookups are done in bulk
(``IN`` lists in chunks) and large writes use Core ``INSERT`` with a list of rows.
"""

from __future__ import annotations

import gc
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Table as SATable
from sqlalchemy import func, insert, select

from ...database import copy_rows, copy_supported, indexes_set_aside, larger_page_cache
from ...errors import ServiceError
from ...extensions import db
from ...figures import bulk_changes
from ...volunteers.validators import clean_text
from ..columns import header_lookup, normalize_header
from ..reader import Table
from ..writer import SheetSpec, write_workbook

CHUNK = 500  # values per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
BIG_CHUNK = 5000  # for the large look-ups (one value per parameter; SQLite allows 32,766)
INSERT_BATCH = 5000
ERROR_COLUMN = "错误原因"
ERROR_SHEET = "错误行"


class ImportReport(dict):
    """The report of CONTRACT section 2, as a plain JSON-able dict.

    Beside the dict keys it carries, for the callers only: ``table`` (the sheet read, so the
    rejected rows can be written back with their reasons), ``kind`` and ``audit`` (the audit
    entry of a written import, so the import history can link it).
    """

    def __init__(self, kind: str, file_name: str, table: Table):
        super().__init__(file=file_name, sheet=table.sheet, header_row=table.header_row,
                         rows=table.rows_count, created=0, updated=0, unchanged=0, rejected=0,
                         written=False, errors=[], warnings=[])
        if kind == "hours":
            self["activities_created"] = 0
        self.kind = kind
        self.table = table
        self.audit = None
        self._bad: set[int] = set()

    # --- collecting problems -------------------------------------------------------------
    def error(self, row: int, key: str, message: str) -> None:
        """A problem that rejects Excel row ``row``; ``key`` is the column key."""
        self["errors"].append({"row": row, "column": self.table.header_for(key), "message": message})
        self._bad.add(row)

    def warning(self, row: int, key: str, message: str) -> None:
        """A notice that does not reject the row."""
        self["warnings"].append({"row": row, "column": self.table.header_for(key), "message": message})

    def is_rejected(self, row: int) -> bool:
        return row in self._bad

    @property
    def rejected_rows(self) -> set[int]:
        """Excel row numbers of the rejected rows."""
        return set(self._bad)

    def finish_validation(self) -> None:
        """Order problems by row (stable: a row's problems keep their order), count rows."""
        self["errors"].sort(key=lambda e: e["row"])
        self["warnings"].sort(key=lambda e: e["row"])
        self["rejected"] = len(self._bad)

    def should_write(self, *, dry_run: bool, skip_invalid: bool) -> bool:
        """All or nothing: write only when no row is rejected, or when told to skip them."""
        return not dry_run and (skip_invalid or not self._bad)

    def as_dict(self) -> dict:
        return dict(self)


def column_positions(table: Table) -> dict[str, int]:
    """Key -> 0-based cell index of each column present (the first match, as the reader does)."""
    lookup = header_lookup(table.kind)
    positions: dict[str, int] = {}
    for j, cell in enumerate(table.header):
        key = lookup.get(normalize_header(cell))
        if key is not None and key not in positions:
            positions[key] = j
    return positions


def is_blank(value: Any) -> bool:
    """An empty cell (the reader already turns '' and white space into None)."""
    return value is None or (value.__class__ is str and not value.strip())


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


def fatal_report(file_name: str, reason: str) -> dict:
    """The report of a file that cannot be used at all."""
    return {"file": file_name, "fatal": reason}


def column_length(table: SATable, column: str) -> int | None:
    """The declared length of a String column (None for Text)."""
    return getattr(table.c[column].type, "length", None)


def too_long(value: Any, limit: int | None) -> bool:
    return isinstance(value, str) and limit is not None and len(value) > limit


def text_value(raw: Any) -> str | None:
    """Free text kept verbatim (outer spaces stripped), ``=1+2`` included."""
    return clean_text(raw)


def chunks(values: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def insert_rows(table: SATable, rows: list[dict]) -> None:
    """Core INSERT of many rows (executemany), in batches."""
    for part in chunks(rows, INSERT_BATCH):
        db.session.execute(insert(table), list(part))


def insert_returning(table: SATable, rows: list[dict], *keys: str) -> dict[tuple, int]:
    """Core INSERT of many rows; the new ids by the values of ``keys`` (a unique key of the rows).

    RETURNING without a promise of order lets SQLAlchemy send a thousand rows per statement
    (asking for the order would make SQLite insert them one by one).
    """
    ids: dict[tuple, int] = {}
    stmt = insert(table).returning(table.c.id, *(table.c[k] for k in keys))
    for part in chunks(rows, INSERT_BATCH):
        for new_id, *values in db.session.execute(stmt, list(part)):
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


def plain(value: Any) -> Any:
    """A JSON-safe copy (dates as ISO text), nested dicts and lists included."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    return value


def expire_loaded(model, ids: set[int]) -> None:
    """Expire the ORM objects of ``model`` that a Core UPDATE just changed behind its back."""
    if not ids:
        return
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, model) and obj.id in ids:
            db.session.expire(obj)


def hours_text(minutes: int) -> str:
    """Minutes as hours for messages: 150 -> '2.5', 120 -> '2'."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def require_office(actor, what: str) -> None:
    """Teams and rosters are imported by the office (or the command line, acting as the system)."""
    if actor is not None and getattr(actor, "role", None) != "office":
        raise ServiceError(f"只有分中心办公室可以导入{what}。")


def check_today(today: date | None) -> date:
    if today is None:
        raise TypeError("today is required (the import's date: ages, registration dates)")
    return today


# --- the errors file ---------------------------------------------------------------------

def error_rows(table: Table, errors: Iterable[dict]) -> tuple[list[str], list[list]]:
    """Header and rows of the errors file: rejected rows as read, plus 错误原因."""
    reasons: dict[int, list[str]] = {}
    for err in errors:
        reasons.setdefault(err["row"], []).append(f"{err['column']}：{err['message']}")
    width = len(table.header)
    rows = []
    for row in table.rows:
        if row.number in reasons:
            cells = [None if is_blank(v) else v for v in row.cells[:width]] + [None] * max(0, width - len(row.cells))
            rows.append(cells + ["；".join(reasons[row.number])])
    return list(table.header) + [ERROR_COLUMN], rows


def write_error_file(target: str | Path | BinaryIO, table: Table, errors: Iterable[dict]) -> int:
    """Write the rejected rows (as they were, plus 错误原因) to ``target``; returns the count."""
    header, rows = error_rows(table, errors)
    write_workbook(target, [SheetSpec(ERROR_SHEET, header, rows)])
    return len(rows)


def error_file_bytes(table: Table, errors: Iterable[dict]) -> bytes:
    buffer = io.BytesIO()
    write_error_file(buffer, table, errors)
    return buffer.getvalue()
