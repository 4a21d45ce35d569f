"""Streaming .xlsx writer (XlsxWriter, constant-memory mode).

Rows are consumed one at a time from any iterable, so exports of a million
rows keep memory flat.  Every ``str`` is written as a string cell with its
exact text: ``=1+2`` never becomes a formula, URL or number, and no
apostrophe is added.  A sheet holds at most :data:`MAX_ROWS_PER_SHEET` data
rows; the rest continues on ``"{title}(2)"``, ``"{title}(3)"``… with the
header repeated.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter

MAX_ROWS_PER_SHEET = 1_000_000  # data rows per sheet (Excel's hard cap is 1,048,575 + header)

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TIME_FORMAT = "hh:mm"
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class SheetSpec:
    """One logical sheet: title, header cells, rows (any iterable of sequences).

    ``text_columns`` are 0-based column indexes formatted as text ('@'), their
    non-empty values written as text (ID and phone numbers).  ``widths`` are
    optional column widths in characters; by default derived from the header.
    """

    title: str
    header: list[str]
    rows: Iterable[Sequence[Any]]
    text_columns: set[int] | frozenset[int] | tuple = field(default_factory=frozenset)
    widths: Sequence[float] | None = None


def add_formats(book) -> dict:
    """The cell formats every workbook we write uses, registered in this order (header, text,
    date, datetime, time), so the streamed writer's style indexes match."""
    return {
        "header": book.add_format({"bold": True}),
        "text": book.add_format({"num_format": "@"}),
        "date": book.add_format({"num_format": DATE_FORMAT}),
        "datetime": book.add_format({"num_format": DATETIME_FORMAT}),
        "time": book.add_format({"num_format": TIME_FORMAT}),
    }


def write_workbook(target: str | Path | BinaryIO, sheets: Iterable[SheetSpec]) -> None:
    """Write ``sheets`` to ``target`` (a path or a writable binary file object)."""
    book = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, WORKBOOK_OPTIONS)
    try:
        formats = add_formats(book)
        used: set[str] = set()
        for spec in sheets:
            _write_sheet(book, spec, formats, used)
        if not used:  # an xlsx needs at least one sheet
            book.add_worksheet()
    finally:
        book.close()


def sheet_title(title: str, used: set[str], suffix: str = "") -> str:
    """A valid, unique Excel sheet name (31 characters, no []:*?/\\) ending in ``suffix``."""
    base = _BAD_TITLE_CHARS.sub("_", title).strip("'") or "Sheet"
    name = base[: 31 - len(suffix)] + suffix
    n = 2
    while name.lower() in used:
        extra = f"~{n}"
        name = base[: 31 - len(suffix) - len(extra)] + extra + suffix
        n += 1
    used.add(name.lower())
    return name


def _write_sheet(book: Any, spec: SheetSpec, formats: dict, used: set[str]) -> None:
    """Stream one SheetSpec, spilling onto continuation sheets past the row cap."""
    text_cols = frozenset(spec.text_columns or ())
    part, ws, row_no = 1, _new_sheet(book, spec, formats, sheet_title(spec.title, used)), 0
    for values in spec.rows:
        if row_no >= MAX_ROWS_PER_SHEET:
            _finish(ws, row_no, len(spec.header))
            part += 1
            ws = _new_sheet(book, spec, formats, sheet_title(spec.title, used, f"({part})"))
            row_no = 0
        row_no += 1
        for col, value in enumerate(values):
            _write_cell(ws, row_no, col, value, col in text_cols, formats)
    _finish(ws, row_no, len(spec.header))


def _new_sheet(book: Any, spec: SheetSpec, formats: dict, title: str) -> Any:
    """Add a worksheet with column widths/formats and the bold, frozen header row."""
    ws = book.add_worksheet(title)
    text_cols = frozenset(spec.text_columns or ())
    for col, head in enumerate(spec.header):
        width = spec.widths[col] if spec.widths and col < len(spec.widths) else _default_width(head)
        ws.set_column(col, col, width, formats["text"] if col in text_cols else None)
    for col, head in enumerate(spec.header):
        ws.write_string(0, col, "" if head is None else str(head), formats["header"])
    ws.freeze_panes(1, 0)
    return ws


def _finish(ws: Any, last_row: int, ncols: int) -> None:
    """Add an autofilter over the header and the data written."""
    if ncols:
        ws.autofilter(0, 0, last_row, ncols - 1)


def _default_width(header: Any) -> float:
    """Width from the header text, counting CJK characters double; at least 10."""
    text = "" if header is None else str(header)
    return max(10.0, sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2.0)


def _write_cell(ws: Any, row: int, col: int, value: Any, as_text: bool, formats: dict) -> None:
    """Write one value with the type-appropriate XlsxWriter call (None: nothing)."""
    if value is None:
        return
    if isinstance(value, str):
        ws.write_string(row, col, value, formats["text"] if as_text else None)
    elif as_text:
        ws.write_string(row, col, _number_text(value), formats["text"])
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (int, float, decimal.Decimal)):
        number = float(value)
        if math.isfinite(number):
            ws.write_number(row, col, number)
        else:
            ws.write_string(row, col, str(value))
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value.replace(tzinfo=None), formats["datetime"])
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, value, formats["date"])
    elif isinstance(value, dt.time):
        ws.write_datetime(row, col, value.replace(tzinfo=None), formats["time"])
    else:
        ws.write_string(row, col, str(value))


def _number_text(value: Any) -> str:
    """Text for a non-str value in a text column (integral floats without '.0')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)

