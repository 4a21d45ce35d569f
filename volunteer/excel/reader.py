"""Read an import workbook (.xlsx) into a :class:`Table` of raw cell values.

The file is vetted before any sheet is parsed (excel/vetting.py: size, format, damage, zip
bomb, and each sheet's used area streamed from its XML: at most 64 columns and 200,000 rows,
whatever the sheet declares), then read with python-calamine.  The header row
is the first of a sheet's first 10 rows holding exactly the kind's anchor
(``姓名`` / ``队伍名称``).  Blank rows are skipped, Excel row numbers kept exact,
values left unvalidated (numbers stay floats, dates stay date/datetime/time; an empty cell
is '' in ``Row.cells`` and None in ``Row.values``).
"""

from __future__ import annotations

import io
import pathlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, BinaryIO

import python_calamine
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from .columns import get_kind, header_lookup, normalize_header
from .vetting import (HEADER_SCAN_ROWS, LIMITS, MSG_DAMAGED, MSG_PASSWORD, FatalImportError, Limits, load_file,
                      too_many_rows, vet_file)


class RowValues(Mapping):
    """Read-only mapping key -> raw value (None if blank, white space or absent); shares the
    row's cells."""

    __slots__ = ("_cells", "_index", "_keys")

    def __init__(self, cells: list, index: dict[str, int], keys: tuple[str, ...]):
        self._cells, self._index, self._keys = cells, index, keys

    def __getitem__(self, key: str) -> Any:
        if key in self._index:
            value = self._cells[self._index[key]]
            return None if value.__class__ is str and (not value or value.isspace()) else value
        if key in self._keys:
            return None
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return repr(dict(self))


class Row:
    """One data row: Excel row ``number``, all ``cells`` as read ('' for an empty cell), and
    ``values`` by key (blank as None).

    ``values`` is made on demand: the roster import reads ``cells`` by position and never
    needs the mapping of its 20,000 rows.
    """

    __slots__ = ("number", "cells", "_columns")

    def __init__(self, number: int, cells: list, columns: tuple[dict[str, int], tuple[str, ...]]):
        self.number, self.cells, self._columns = number, cells, columns

    @property
    def values(self) -> Mapping[str, Any]:
        return RowValues(self.cells, *self._columns)

    def __repr__(self) -> str:
        return f"Row({self.number}, {self.cells!r})"


@dataclass
class Table:
    """The sheet used for an import.  ``columns``: present key -> header as written
    (outer spaces stripped); ``missing``: absent optional keys; ``header``: the
    whole header row as written (for an errors file echoing rows as they were).
    """

    kind: str
    sheet: str
    header_row: int
    header: list[str]
    columns: dict[str, str]
    missing: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)

    @property
    def rows_count(self) -> int:
        """Number of data rows (blank rows excluded)."""
        return len(self.rows)

    def header_for(self, key: str) -> str:
        """Header text to report for ``key``: as written, else the canonical name."""
        return self.columns.get(key) or get_kind(self.kind).column(key).header


def read_table(source: bytes | str | pathlib.Path | BinaryIO, kind: str, *,
               limits: Limits = LIMITS) -> Table:
    """Vet and read an import file of ``kind`` ("volunteers", "teams", "hours").

    ``source`` is the file's bytes, a path, or a binary file object.  Raises
    :class:`FatalImportError` when the file cannot be used at all.
    """
    spec = get_kind(kind)
    data = load_file(source, limits)
    vet_file(data, limits)
    book = None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet, head_idx, head = _find_header(book, spec.anchor)
        return _build_table(sheet, head_idx, head, kind, limits)
    except python_calamine.PasswordError:
        raise FatalImportError(MSG_PASSWORD) from None
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise FatalImportError(MSG_DAMAGED) from exc
    except BaseException as exc:  # pyo3's PanicException derives from BaseException
        if type(exc).__name__ == "PanicException":
            raise FatalImportError(MSG_DAMAGED) from exc
        raise
    finally:
        if book is not None:
            book.close()


def _find_header(book: CalamineWorkbook, anchor: str) -> tuple[Any, int, list]:
    """First worksheet (visible ones first) with the anchor in its first 10 rows."""
    metas = [(i, m) for i, m in enumerate(book.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet]
    for index, _meta in sorted(metas, key=lambda x: x[1].visible != SheetVisibleEnum.Visible):
        sheet = book.get_sheet_by_index(index)
        if not sheet.height or not sheet.width:
            continue
        # skip_empty_area=False: list index i is Excel row i + 1, column j is column j + 1.
        for i, cells in enumerate(sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS)):
            if any(normalize_header(c) == anchor for c in cells):
                return sheet, i, cells
    raise FatalImportError(f"没有找到表头：前{HEADER_SCAN_ROWS}行中没有“{anchor}”列")


def _build_table(sheet: Any, head_idx: int, head: list, kind: str, limits: Limits) -> Table:
    """Map the header row to keys, check required columns, collect data rows."""
    spec, lookup = get_kind(kind), header_lookup(kind)
    index: dict[str, int] = {}
    columns: dict[str, str] = {}
    for j, cell in enumerate(head):
        key = lookup.get(normalize_header(cell))
        if key is not None and key not in index:
            index[key], columns[key] = j, cell.strip()
    missing_required = [c.header for c in spec.columns if c.required and c.key not in index]
    for group in spec.one_of:
        if not any(k in index for k in group):
            missing_required.append("或".join(spec.column(k).header for k in group) + "（至少需要其中一列）")
    if missing_required:
        raise FatalImportError("缺少必填列：" + "、".join(missing_required))

    table = Table(kind=kind, sheet=sheet.name, header_row=head_idx + 1,
                  header=[c if isinstance(c, str) else str(c) for c in head], columns=columns,
                  missing=tuple(c.key for c in spec.columns if c.key not in index))
    data = sheet.to_python(skip_empty_area=False)
    keys, rows, width = spec.keys, table.rows, len(index)
    by_key = (index, keys)  # what a Row needs to make its values mapping
    # The known columns' cells of a row, as a tuple.
    known = itemgetter(*index.values()) if width > 1 else (lambda cells, j=next(iter(index.values())): (cells[j],))
    for i in range(head_idx + 1, len(data)):
        cells = data[i]
        # Blank: every known cell empty ('' from calamine) or white space. Nearly every row has a
        # name in its first known cell, so this stops there; the cells are kept as read (the
        # validators read '' and white space as empty, as they read None).
        for value in known(cells):
            if value is not None and value != "" and (value.__class__ is not str or not value.isspace()):
                break
        else:
            continue
        rows.append(Row(i + 1, cells, by_key))
        if len(rows) > limits.max_rows:
            raise FatalImportError(too_many_rows(sheet.name, limits))
    return table
