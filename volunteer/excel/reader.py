"""Read an import file (.xlsx/.xlsm/.xls/.et/.ods/.csv) into a :class:`Table` of raw cell values.

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

from . import formats
from .columns import get_kind, header_ranks, normalize_header
from .hidden import hidden_rows
from .used_area import Area
from .vetting import (HEADER_SCAN_ROWS, LIMITS, MSG_DAMAGED, MSG_PASSWORD, FatalImportError, Limits, check_area,
                      load_file, too_many_rows, vet_file)


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


FOOTER_PREFIXES = ("合计", "总计", "填表人", "审核人", "制表", "负责人", "说明", "备注：", "注：", "注:")
SUBTOTAL = "小计"


@dataclass
class Table:
    """The sheet used for an import.  ``columns``: present key -> header as written
    (outer spaces stripped); ``missing``: absent optional keys; ``header``: the
    whole header row as written (for an errors file echoing rows as they were);
    ``positions``: key -> 0-based cell index; ``mapping``: every header as written -> the
    field (canonical header) it became or None; ``notices``: rows skipped or closing the data,
    a hidden sheet (dicts of row, column, message, for the report's warnings).
    """

    kind: str
    sheet: str
    header_row: int
    header: list[str]
    columns: dict[str, str]
    missing: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    mapping: dict[str, str | None] = field(default_factory=dict)
    notices: list[dict] = field(default_factory=list)
    format: str = formats.XLSX

    @property
    def rows_count(self) -> int:
        """Number of data rows (blank, skipped and closing rows excluded)."""
        return len(self.rows)

    def header_for(self, key: str) -> str:
        """Header text to report for ``key``: as written, else the canonical name."""
        return self.columns.get(key) or get_kind(self.kind).column(key).header


def read_table(source: bytes | str | pathlib.Path | BinaryIO, kind: str, *,
               limits: Limits = LIMITS, file_name: str = "", remap: Mapping[str, str | None] | None = None,
               include_hidden: bool = False) -> Table:
    """Vet and read an import file of ``kind`` ("volunteers", "teams", "hours").

    ``source`` is the file's bytes, a path, or a binary file object; ``file_name`` tells a WPS
    .et from an .xls; ``remap`` (header as written -> canonical header or None) overrides the
    guessed column mapping, as the office chose on the preview; hidden rows (.xlsx, .xls,
    .et, .ods) are skipped with a 隐藏 warning unless ``include_hidden``.  Raises
    :class:`FatalImportError` when the file cannot be used at all.
    """
    spec = get_kind(kind)
    if not file_name and isinstance(source, (str, pathlib.Path)):
        file_name = str(source)
    data = load_file(source, limits)
    fmt = formats.detect(data, file_name)
    vet_file(data, limits, fmt)
    if fmt == formats.CSV:
        sheet = formats.CsvSheet(data, limits)
        for i, cells in enumerate(sheet.to_python(nrows=HEADER_SCAN_ROWS)):
            if any(normalize_header(c) == spec.anchor for c in cells):
                return _build_table(sheet, i, cells, kind, limits, fmt, [], remap, set())
        raise FatalImportError(_no_header(spec.anchor))
    book = None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet, head_idx, head, notices = _find_header(book, spec.anchor, limits)
        hidden = set() if include_hidden else hidden_rows(data, fmt, sheet.name, book.sheet_names.index(sheet.name))
        return _build_table(sheet, head_idx, head, kind, limits, fmt, notices, remap, hidden)
    except python_calamine.PasswordError:
        raise FatalImportError(MSG_PASSWORD) from None
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise FatalImportError(MSG_DAMAGED if fmt == formats.XLSX else formats.damaged(fmt)) from exc
    except BaseException as exc:  # pyo3's PanicException derives from BaseException
        if type(exc).__name__ == "PanicException":
            raise FatalImportError(MSG_DAMAGED if fmt == formats.XLSX else formats.damaged(fmt)) from exc
        raise
    finally:
        if book is not None:
            book.close()


def _no_header(anchor: str) -> str:
    return f"没有找到表头：前{HEADER_SCAN_ROWS}行中没有“{anchor}”列"


def _find_header(book: CalamineWorkbook, anchor: str, limits: Limits) -> tuple[Any, int, list, list]:
    """First worksheet (visible ones first) with the anchor in its first 10 rows."""
    metas = [(i, m) for i, m in enumerate(book.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet]
    for index, meta in sorted(metas, key=lambda x: x[1].visible != SheetVisibleEnum.Visible):
        sheet = book.get_sheet_by_index(index)
        if not sheet.height or not sheet.width:
            continue
        # calamine's dimensions, before a Python grid is built (an .xlsx was measured already).
        check_area(sheet.name, Area(sheet.height, sheet.width), limits)
        # skip_empty_area=False: list index i is Excel row i + 1, column j is column j + 1.
        for i, cells in enumerate(sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS)):
            if any(normalize_header(c) == anchor for c in cells):
                notices = []
                if meta.visible != SheetVisibleEnum.Visible:
                    notices.append({"row": i + 1, "column": "", "message":
                                    f"数据取自隐藏的工作表“{sheet.name}”（没有可见的工作表含“{anchor}”表头），请确认这是要导入的数据"})
                return sheet, i, cells, notices
    raise FatalImportError(_no_header(anchor))


def _text(cell: Any) -> str:
    return cell if isinstance(cell, str) else "" if cell is None or cell == "" else str(cell)


def _second_header_row(head: list, below: list | None, ranks: dict) -> bool:
    """Is ``below`` the second row of a two-row header (names under a merged group cell)?"""
    if not below:
        return False
    under_gap = [j for j, c in enumerate(below) if _text(c).strip() and j < len(head) and not _text(head[j]).strip()]
    named = [c for c in below if normalize_header(c) in ranks]
    return bool(under_gap) and bool(named)


def _map_columns(head: list[str], kind: str, remap: Mapping[str, str | None] | None) -> tuple[dict[str, int], dict]:
    """Key -> column index: the canonical header wins, then aliases in their listed order.

    Two columns of equal rank for one field are ambiguous (refused, naming both).
    """
    spec, ranks = get_kind(kind), header_ranks(kind)
    by_header = {c.header: c.key for c in spec.columns}
    absent = sorted(set(remap or ()) - {cell.strip() for cell in head})
    if absent:  # a column chosen on the command line (--map) that the file does not have
        raise FatalImportError("文件中没有这一列：" + "、".join(f"“{h}”" for h in absent) + "（请按文件中表头的原样填写）")
    best: dict[str, tuple[int, int]] = {}  # key -> (rank, column)
    ambiguous = None  # (first header, second header, field) of two columns of equal rank
    for j, cell in enumerate(head):
        if remap is not None and cell.strip() in remap:
            chosen = remap[cell.strip()]
            hit = (by_header[chosen], -1) if chosen in by_header else None
        else:
            hit = ranks.get(normalize_header(cell))
        if hit is None:
            continue
        key, rank = hit
        if key in best and best[key][0] == rank:
            ambiguous = ambiguous or (head[best[key][1]].strip(), cell.strip(), spec.column(key).header)
        elif key not in best or rank < best[key][0]:
            best[key] = (rank, j)
    index = {key: j for key, (_rank, j) in sorted(best.items(), key=lambda kv: kv[1][1])}
    used = {j: spec.column(key).header for key, j in index.items()}
    mapping = {cell.strip(): used.get(j) for j, cell in enumerate(head) if cell.strip()}
    if ambiguous:  # the preview offers the mapping with the first of the two chosen
        raise FatalImportError(f"表头不明确：“{ambiguous[0]}”和“{ambiguous[1]}”都可以是“{ambiguous[2]}”列，"
                               "请删除或改名其中一列后再导入", columns=mapping, header=head)
    return index, mapping


def _build_table(sheet: Any, head_idx: int, head: list, kind: str, limits: Limits, fmt: str,
                 notices: list, remap: Mapping[str, str | None] | None, hidden: set[int]) -> Table:
    """Map the header row to keys, check required columns, collect data rows."""
    spec = get_kind(kind)
    data = sheet.to_python(skip_empty_area=False)
    first_data = head_idx + 1
    head = [_text(c) for c in head]
    if _second_header_row(head, data[first_data] if first_data < len(data) else None, header_ranks(kind)):
        below = [_text(c) for c in data[first_data]]
        head = [below[j] if j < len(below) and below[j].strip() else h for j, h in enumerate(head)]
        first_data += 1
    index, mapping = _map_columns(head, kind, remap)
    columns = {key: head[j].strip() for key, j in index.items()}
    missing_required = [c.header for c in spec.columns if c.required and c.key not in index]
    for group in spec.one_of:
        if not any(k in index for k in group):
            missing_required.append("或".join(spec.column(k).header for k in group) + "（至少需要其中一列）")
    if missing_required:
        raise FatalImportError("缺少必填列：" + "、".join(missing_required), columns=mapping, header=head)

    table = Table(kind=kind, sheet=sheet.name, header_row=head_idx + 1, header=head, columns=columns,
                  missing=tuple(c.key for c in spec.columns if c.key not in index), positions=index,
                  mapping=mapping, notices=notices, format=fmt)
    keys, rows, width = spec.keys, table.rows, len(index)
    by_key = (index, keys)  # what a Row needs to make its values mapping
    # The known columns' cells of a row, as a tuple.
    known = itemgetter(*index.values()) if width > 1 else (lambda cells, j=next(iter(index.values())): (cells[j],))
    for i in range(first_data, len(data)):
        cells = data[i]
        # A 小计 row is skipped and a 合计 / 填表人 … row ends the data: the first non-empty cell
        # says which (a 序号 column is empty on such rows, or holds the word itself).
        lead = next((c for c in cells if c != "" and c is not None), "")
        if lead.__class__ is str and lead.lstrip()[:1] in _FOOTER_STARTS:
            word = _text(lead).strip()
            if word.startswith(SUBTOTAL):
                notices.append({"row": i + 1, "column": "", "message": f"“{word[:20]}”是小计行，已跳过"})
                continue
            if word.startswith(FOOTER_PREFIXES):
                notices.append({"row": i + 1, "column": "",
                                "message": f"“{word[:20]}”是表尾（合计、填表人等），数据到此为止，以下各行未读取"})
                break
        # Blank: every known cell empty ('' from calamine) or white space. Nearly every row has a
        # name in its first known cell, so this stops there; the cells are kept as read (the
        # validators read '' and white space as empty, as they read None).
        for value in known(cells):
            if value is not None and value != "" and (value.__class__ is not str or not value.isspace()):
                break
        else:
            continue
        if hidden and i + 1 in hidden:
            notices.append({"row": i + 1, "column": "", "message": "该行在表格中被隐藏，已跳过（如需导入隐藏行，请先取消隐藏）"})
            continue
        rows.append(Row(i + 1, cells, by_key))
        if len(rows) > limits.max_rows:
            raise FatalImportError(too_many_rows(sheet.name, limits))
    return table


_FOOTER_STARTS = frozenset(w[0] for w in (*FOOTER_PREFIXES, SUBTOTAL))
