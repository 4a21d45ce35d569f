"""Shared parts of the three Excel imports (CONTRACT sections 2 and 4).

An import runs in two phases.  Validation reads every row and records problems in an
:class:`ImportReport` without writing anything; only when no row is rejected (or the caller
asked to skip invalid rows) and it is not a dry run do the valid rows get written, in the
caller's transaction (services add/flush, the caller commits).  Lookups are done in bulk
(``IN`` lists in chunks) and large writes go through the one bulk engine, volunteer.bulk.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Table as SATable

from ...errors import ServiceError
from ...extensions import db
from ...fields import clean_text
from ..reader import Table
from ..writer import SheetSpec, write_workbook

CHUNK = 500  # values per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
BIG_CHUNK = 5000  # for the large look-ups (one value per parameter; SQLite allows 32,766)
ERROR_COLUMN = "错误原因"
ROW_COLUMN = "原行号"
ERROR_SHEET = "错误行"
PLAN_ROWS = 50  # rows of each list the preview shows of what it will write (the counts say the rest)


class ImportReport(dict):
    """The report of CONTRACT section 2, as a plain JSON-able dict.

    Beside the dict keys it carries, for the callers only: ``table`` (the sheet read, so the
    rejected rows can be written back with their reasons), ``kind`` and ``audit`` (the audit
    entry of a written import, so the import history can link it).
    """

    def __init__(self, kind: str, file_name: str, table: Table):
        super().__init__(file=file_name, sheet=table.sheet, header_row=table.header_row,
                         rows=table.rows_count, created=0, updated=0, unchanged=0, rejected=0,
                         written=False, errors=[], warnings=list(table.notices), columns=dict(table.mapping))
        if kind == "hours":
            self["activities_created"] = 0
        self.kind = kind
        self.table = table
        self.audit = None
        self._bad: set[int] = set()
        # What the import will write, for the web preview (not in the CLI's JSON): the first
        # PLAN_ROWS rows to add and to update (with the fields that change), the activities to create.
        self.plan: dict[str, list] = {"create": [], "update": [], "activities": []}

    def plans(self, section: str) -> bool:
        """Is there still room in the preview's list ``section``? (Entries are built only then.)"""
        return len(self.plan[section]) < PLAN_ROWS

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
    """Key -> 0-based cell index of each column used (as the reader chose them)."""
    return dict(table.positions)


def is_blank(value: Any) -> bool:
    """An empty cell (the reader already turns '' and white space into None)."""
    return value is None or (value.__class__ is str and not value.strip())


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
    """Header and rows of the errors file: 原行号 and 错误原因 first (what a clerk fixes, and
    where in the original file), then the rejected row as read."""
    reasons: dict[int, list[str]] = {}
    for err in errors:
        reasons.setdefault(err["row"], []).append(f"{err['column']}：{err['message']}")
    width = len(table.header)
    rows = []
    for row in table.rows:
        if row.number in reasons:
            cells = [None if is_blank(v) else v for v in row.cells[:width]] + [None] * max(0, width - len(row.cells))
            rows.append([row.number, "；".join(reasons[row.number])] + cells)
    return [ROW_COLUMN, ERROR_COLUMN] + list(table.header), rows


def write_error_file(target: str | Path | BinaryIO, table: Table, errors: Iterable[dict]) -> int:
    """Write the rejected rows (as they were, plus 错误原因) to ``target``; returns the count."""
    header, rows = error_rows(table, errors)
    write_workbook(target, [SheetSpec(ERROR_SHEET, header, rows)])
    return len(rows)


def error_file_bytes(table: Table, errors: Iterable[dict]) -> bytes:
    buffer = io.BytesIO()
    write_error_file(buffer, table, errors)
    return buffer.getvalue()
