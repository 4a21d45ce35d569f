"""Several sheets filled side by side, in flat memory and fast (the national pack's pass, issue 17).

``with open_sheets(target, specs) as book: book[0].append(row)``: the sheets appear in the order
of ``specs`` (their ``rows`` are ignored), then any ``book.add(spec)`` made later; rows within one
sheet come in order; past writer.MAX_ROWS_PER_SHEET a sheet continues on "{title}(2)", added at
the end, as writer.py does.

XlsxWriter's cell writing was three quarters of the pack's time, so each sheet's XML is written
by streaming.py's row writer (the one home of the sheet XML: the same cells, types and style
indexes as writer.py's file) into a temporary file as its rows come; when the book closes, the
parts are zipped into ``target`` in XlsxWriter's order, with the workbook, styles and properties
of an XlsxWriter workbook with the same sheets and no data (streaming._skeleton_parts).  A sheet
cannot be streamed straight into the zip, as the hours download is, because the rows of the
sheets interleave; the temporary files keep memory flat whatever the count.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from . import writer
from .streaming import _empty_sheet, _row, _sheet_head, _sheet_tail, _skeleton_parts
from .writer import SheetSpec, sheet_title

ROWS_PER_CHUNK = 500  # rows joined before they are written to the sheet's temporary file
COPY_CHUNK = 1 << 20
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # XlsxWriter's fixed member date: the same rows give the same zip


class _Part:
    """One worksheet part being written: its temporary file and its data-row count."""

    def __init__(self, spec: SheetSpec, title: str, first: bool):
        self.spec, self.title, self.rows = spec, title, 0
        self.text_cols = frozenset(spec.text_columns or ())
        self.file = tempfile.TemporaryFile()
        self.file.write(_sheet_head(spec, first))
        self.piece: list[str] = []

    def flush(self) -> None:
        if self.piece:
            self.file.write("".join(self.piece).encode())
            self.piece = []

    def finish(self) -> None:
        self.flush()
        self.file.write(_sheet_tail(len(self.spec.header), self.rows).encode())
        self.file.seek(0)


class _Appender:
    """One sheet of :class:`open_sheets`: ``append(values)`` writes the next row."""

    def __init__(self, book: "open_sheets", spec: SheetSpec):
        self.book, self.spec, self.number = book, spec, 1
        self.part = book._new_part(spec, sheet_title(spec.title, book.used))

    def append(self, values: Sequence[Any]) -> None:
        part = self.part
        if part.rows >= writer.MAX_ROWS_PER_SHEET:
            self.number += 1
            part = self.part = self.book._new_part(
                self.spec, sheet_title(self.spec.title, self.book.used, f"({self.number})"))
        part.rows += 1
        xml = _row(part.rows + 1, values, part.text_cols, self.book.letters)
        if xml:
            part.piece.append(xml)
            if len(part.piece) >= ROWS_PER_CHUNK:
                part.flush()


class open_sheets:  # noqa: N801 - used as a context manager, like open()
    """The workbook of sheets filled side by side, written to ``target`` (a path or a binary file
    open for writing) when the ``with`` block ends without an error."""

    def __init__(self, target: str | Path | BinaryIO, specs: Sequence[SheetSpec]):
        self.target, self.specs = target, specs

    def __enter__(self) -> "open_sheets":
        self.used: set[str] = set()
        self.parts: list[_Part] = []
        self.letters: list[str] = []
        self.sheets = [_Appender(self, spec) for spec in self.specs]
        return self

    def _new_part(self, spec: SheetSpec, title: str) -> _Part:
        part = _Part(spec, title, first=not self.parts)
        self.parts.append(part)
        return part

    def __getitem__(self, index: int) -> _Appender:
        return self.sheets[index]

    def add(self, spec: SheetSpec) -> _Appender:
        """A further sheet, after those made so far."""
        sheet = _Appender(self, spec)
        self.sheets.append(sheet)
        return sheet

    def __exit__(self, exc_type, *exc) -> None:
        try:
            if exc_type is None:
                self._zip()
        finally:
            for part in self.parts:
                part.file.close()

    def _zip(self) -> None:
        for part in self.parts:
            part.finish()
        written = [(p.spec, p.title, p.rows) for p in self.parts] or [(SheetSpec("Sheet1", [], ()), "Sheet1", -1)]
        target = str(self.target) if isinstance(self.target, Path) else self.target
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as book:
            for name, data in _skeleton_parts(written):
                info = zipfile.ZipInfo(name, ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                if not name.startswith("xl/worksheets/sheet"):
                    book.writestr(info, data)
                    continue
                if not self.parts:
                    book.writestr(info, _empty_sheet())
                    continue
                source = self.parts[int(name[len("xl/worksheets/sheet"):-len(".xml")]) - 1].file
                info.file_size = os.fstat(source.fileno()).st_size  # so zipfile knows whether it needs zip64
                with book.open(info, "w") as member:
                    while chunk := source.read(COPY_CHUNK):
                        member.write(chunk)
