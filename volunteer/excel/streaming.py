"""The same .xlsx as writer.write_workbook, sent while it is written (issue 18).

XlsxWriter and openpyxl write their zip only when the workbook closes, so a download of a
million records sent its first byte after the whole file was built (90 s). Here each sheet's
XML is produced row by row, in XlsxWriter's own constant-memory form (inline strings, the same
style indexes, frozen header, column widths and formats, autofilter), and zipped as it goes by
stream-zip: the first bytes leave within a second and memory stays flat. The parts that depend
on the whole (the workbook with its sheet names and filter ranges, styles, theme, properties)
come from an XlsxWriter workbook with the same sheets and no data rows, built at the end, so
they are XlsxWriter's own. One difference from writer.py's file: no <dimension> element (it
precedes the rows, whose count is not known yet); spreadsheet programs compute it.
"""
from __future__ import annotations

import datetime as dt
import decimal
import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

import xlsxwriter
from stream_zip import ZIP_32, stream_zip
from xlsxwriter.utility import _datetime_to_excel_datetime as datetime_to_excel_datetime, xl_col_to_name

from .writer import (MAX_ROWS_PER_SHEET, WORKBOOK_OPTIONS, SheetSpec, _finish, _new_sheet, _number_text,
                     sheet_title)
from .writer import add_formats

# The cell style indexes the skeleton workbook gives the formats (registered in this order).
HEADER, TEXT, DATE, DATETIME, TIME = 1, 2, 3, 4, 5
ROWS_PER_CHUNK = 500  # rows joined into one piece of XML before it is zipped
_CONTROL_1 = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL_2 = re.compile(r"([\x00-\x08\x0b-\x1f])")
_ESCAPES = re.compile("[&<>]")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
               'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
               'officeDocument/2006/relationships">')


def stream_workbook(sheets: Iterable[SheetSpec], modified_at: dt.datetime | None = None) -> Iterator[bytes]:
    """The .xlsx of `sheets` as a stream of bytes (writer.write_workbook's workbook)."""
    written: list[tuple[SheetSpec, str, int]] = []  # (spec, title, data rows) of every sheet part
    when = modified_at or dt.datetime.now()

    def members():
        used: set[str] = set()
        number = 0
        for spec in sheets:
            rows = iter(spec.rows)
            part, pending = 1, _next(rows)
            while True:
                number += 1
                title = sheet_title(spec.title, used, f"({part})" if part > 1 else "")
                counter = [0]
                yield (f"xl/worksheets/sheet{number}.xml", when, 0o600, ZIP_32,
                       _sheet_xml(spec, pending, rows, counter, first=number == 1))
                written.append((spec, title, counter[0]))
                pending = counter[1] if len(counter) > 1 else None
                if pending is None:
                    break
                part += 1
        if not written:  # an xlsx needs at least one sheet
            written.append((SheetSpec("Sheet1", [], ()), "Sheet1", -1))
            yield "xl/worksheets/sheet1.xml", when, 0o600, ZIP_32, iter([_empty_sheet()])
        for name, data in _skeleton(written):
            yield name, when, 0o600, ZIP_32, iter([data])

    return stream_zip(members(), chunk_size=65536)


_END = object()


def _next(rows):
    value = next(rows, _END)
    return None if value is _END else value


def _sheet_xml(spec: SheetSpec, first_row, rows, counter: list, *, first: bool) -> Iterator[bytes]:
    """One sheet part: header, up to MAX_ROWS_PER_SHEET rows from `first_row` then `rows`, and
    the autofilter. `counter` gets the rows written and, past the cap, the row that did not fit."""
    text_cols = frozenset(spec.text_columns or ())
    ncols = len(spec.header)
    yield _sheet_head(spec, first)
    letters = [xl_col_to_name(c) for c in range(max(ncols, 64))]
    row_no, piece = 0, []
    value = first_row
    while value is not None:
        if row_no >= MAX_ROWS_PER_SHEET:
            counter.append(value)
            break
        row_no += 1
        xml = _row(row_no + 1, value, text_cols, letters)
        if xml:
            piece.append(xml)
        if len(piece) >= ROWS_PER_CHUNK:
            yield "".join(piece).encode()
            piece = []
        value = _next(rows)
    counter[0] = row_no
    yield ("".join(piece) + _sheet_tail(ncols, row_no)).encode()


def _row(r: int, value: Sequence[Any], text_cols: frozenset, letters: list[str]) -> str:
    """Row number `r` (1-based, the header is 1) as XML; "" for a row without cells, for which
    XlsxWriter writes no element. `letters` is the column-name cache, grown as needed."""
    cells = []
    for col, cell in enumerate(value):
        if cell is not None:
            if col >= len(letters):
                letters.extend(xl_col_to_name(c) for c in range(len(letters), col + 1))
            cells.append(_cell(f"{letters[col]}{r}", cell, col in text_cols))
    return f'<row r="{r}">' + "".join(cells) + "</row>" if cells else ""


def _sheet_tail(ncols: int, rows: int) -> str:
    """The sheet's XML after its last row: the autofilter over header and data."""
    tail = "</sheetData>"
    if ncols:
        tail += f'<autoFilter ref="A1:{xl_col_to_name(ncols - 1)}{rows + 1}"/>'
    return tail + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'


def _cell(ref: str, value: Any, as_text: bool) -> str:
    """One cell as writer._write_cell writes it through XlsxWriter."""
    if isinstance(value, str):
        return _string_cell(ref, value, TEXT if as_text else None)
    if as_text:
        return _string_cell(ref, _number_text(value), TEXT)
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, decimal.Decimal)):
        number = float(value)
        if math.isfinite(number):
            return f'<c r="{ref}"><v>{number:.16G}</v></c>'
        return _string_cell(ref, str(value), None)
    if isinstance(value, dt.datetime):
        serial = _serial(value) if value.tzinfo is None else _serial(value.replace(tzinfo=None))
        return f'<c r="{ref}" s="{DATETIME}"><v>{serial}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{DATE}"><v>{_serial(value)}</v></c>'
    if isinstance(value, dt.time):
        return f'<c r="{ref}" s="{TIME}"><v>{datetime_to_excel_datetime(value.replace(tzinfo=None), False, True):.16G}</v></c>'
    return _string_cell(ref, str(value), None)


@lru_cache(maxsize=16384)
def _serial(value: dt.date) -> str:
    """A naive date or datetime as Excel's serial number, as XlsxWriter writes it. Cached: an
    export's dates and an activity's times repeat on many rows (the national pack, issue 17)."""
    return f"{datetime_to_excel_datetime(value, False, True):.16G}"


def _string_cell(ref: str, text: str, style: int | None) -> str:
    """An inline string cell; its text, if short, as it was the last time it came (names, titles,
    ID numbers and codes repeat on many rows)."""
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr">{_inline_short(text) if len(text) < 200 else _inline(text)}</c>'


def _inline(text: str) -> str:
    """The <is> of a string: control characters as _xHHHH_, XML escaped, edge spaces preserved."""
    if len(text) > 32767:
        text = text[:32767]  # XlsxWriter's limit, as write_string truncates
    if "_x" in text:
        text = _CONTROL_1.sub(r"_x005F\1", text)
    text = _CONTROL_2.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    if "\ufffe" in text or "\uffff" in text:
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    if _ESCAPES.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    return f"<is><t{space}>{text}</t></is>"


_inline_short = lru_cache(maxsize=65536)(_inline)  # short texts only: the cache's memory stays small


def _sheet_head(spec: SheetSpec, first: bool) -> bytes:
    """The sheet's XML up to its first data row (views, frozen pane, columns, header row), cut
    from the same sheet written by XlsxWriter with no data: its own widths and merges."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    formats = _formats(book)
    _new_sheet(book, spec, formats, "Sheet1")
    book.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as made:
        xml = made.read("xl/worksheets/sheet1.xml").decode()
    xml = re.sub(r"<dimension ref=\"[^\"]*\"/>", "", xml, count=1)
    head = xml[:xml.index("</sheetData>")] if "</sheetData>" in xml else xml[:xml.index("<sheetData/>")] + "<sheetData>"
    if not first:
        head = head.replace(' tabSelected="1"', "", 1)
    return head.encode()


def _formats(book) -> dict:
    """writer.py's formats, registered so their style indexes are 1-5 in this order."""
    formats = add_formats(book)
    for name in ("header", "text", "date", "datetime", "time"):
        formats[name]._get_xf_index()
    return formats


def _empty_sheet() -> bytes:
    return (_SHEET_HEAD + '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/><sheetData/><pageMargins left="0.7" right="0.7" '
            'top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>').encode()


def _skeleton(written: Sequence[tuple[SheetSpec, str, int]]) -> list[tuple[str, bytes]]:
    """Every part but the worksheets, from an XlsxWriter workbook with the same sheets (titles,
    headers, filter ranges) and no data rows: the workbook, styles, theme and properties."""
    return [(name, data) for name, data in _skeleton_parts(written) if not name.startswith("xl/worksheets/")]


def _skeleton_parts(written: Sequence[tuple[SheetSpec, str, int]]) -> list[tuple[str, bytes]]:
    """All the parts of the XlsxWriter workbook with `written`'s sheets and no data rows, in
    XlsxWriter's order (its worksheets are replaced by the caller)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    formats = _formats(book)
    used: set[str] = set()
    for spec, title, rows in written:
        if rows < 0:
            book.add_worksheet(title)
            continue
        ws = _new_sheet(book, spec, formats, title)
        used.add(title.lower())
        _finish(ws, rows, len(spec.header))
    book.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as skeleton:
        return [(info.filename, skeleton.read(info)) for info in skeleton.infolist()]
