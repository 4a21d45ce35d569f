"""Read an import workbook (.xlsx) into a :class:`Table` of raw cell values.

The file is vetted before any sheet is parsed (size, format, damage, zip bomb,
row count from the sheet XML), then read with python-calamine.  The header row
is the first of a sheet's first 10 rows holding exactly the kind's anchor
(``姓名`` / ``队伍名称``).  Blank rows are skipped, Excel row numbers kept exact,
values left unvalidated (numbers stay floats, dates stay date/datetime/time; an empty cell
is '' in ``Row.cells`` and None in ``Row.values``).
"""

from __future__ import annotations

import html
import io
import os
import pathlib
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, BinaryIO

import python_calamine
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from .columns import get_kind, header_lookup, normalize_header

HEADER_SCAN_ROWS = 10
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """File limits checked before any sheet is parsed."""

    max_bytes: int = 20 * MB
    max_rows: int = 200_000
    max_uncompressed: int = 200 * MB
    max_ratio: int = 200  # absurd compression ratio for a member of at least ratio_min_size
    ratio_min_size: int = 10 * MB


LIMITS = Limits()


class FatalImportError(Exception):
    """The file itself cannot be used; ``reason`` is a one-line Chinese message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


MSG_INVALID = "不是有效的 Excel (.xlsx) 文件，请用 Excel 另存为 .xlsx 格式后再上传"
MSG_DAMAGED = "文件已损坏，无法读取，请用 Excel 打开检查并重新保存为 .xlsx 后再上传"
MSG_OLD_XLS = "这是旧版 .xls 文件或带密码保护的文件，请用 Excel 打开后另存为 .xlsx 格式再上传"
MSG_PASSWORD = "文件设有密码保护，请取消密码后再上传"


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
    data = _load(source, limits)
    _vet_container(data, limits)
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


def _load(source: Any, limits: Limits) -> bytes:
    """The file's bytes (at most the size limit; a larger file is rejected unread)."""
    if isinstance(source, (str, os.PathLike)):
        try:
            size = os.path.getsize(source)
            if size <= limits.max_bytes:
                source = pathlib.Path(source).read_bytes()
        except OSError:
            raise FatalImportError(f"找不到文件或无法读取：{os.fspath(source)}") from None
    else:
        source = bytes(source.read(limits.max_bytes + 1) if hasattr(source, "read") else source)
        size = len(source)
    if size > limits.max_bytes:
        raise FatalImportError(f"文件大小 {size / MB:.1f} MB，超过 {limits.max_bytes // MB} MB 的上限，请拆分后分批导入")
    if size == 0:
        raise FatalImportError("文件是空的，" + MSG_INVALID)
    return source


def _vet_container(data: bytes, limits: Limits) -> None:
    """Format, damage, zip-bomb and row-count checks, all before parsing a sheet."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: legacy .xls, or an encrypted .xlsx
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise FatalImportError(MSG_PASSWORD)
        raise FatalImportError(MSG_OLD_XLS)
    if not data.startswith(b"PK"):
        raise FatalImportError(MSG_INVALID)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _vet_zip(zf, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, zlib.error) as exc:
        raise FatalImportError(MSG_DAMAGED) from exc


def _vet_zip(zf: zipfile.ZipFile, limits: Limits) -> None:
    """Declared sizes, compression ratios and each worksheet's row extent."""
    infos = zf.infolist()
    if sum(i.file_size for i in infos) > limits.max_uncompressed or any(
            i.file_size >= limits.ratio_min_size and i.file_size > limits.max_ratio * max(i.compress_size, 1)
            for i in infos):
        raise FatalImportError(f"文件解压后的大小异常（超过 {limits.max_uncompressed // MB} MB 上限或压缩比异常），已拒绝导入")
    parts = _sheet_parts(zf)
    if parts is None:
        raise FatalImportError(MSG_INVALID)
    allowed = limits.max_rows + HEADER_SCAN_ROWS  # title rows + header above the data
    for name, part in parts:
        if _sheet_row_extent(zf, part, cap=allowed + 1) > allowed:
            raise FatalImportError(_too_many_rows(name, limits))


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
            raise FatalImportError(_too_many_rows(sheet.name, limits))
    return table


def _too_many_rows(sheet: str, limits: Limits) -> str:
    """The row-limit message for ``sheet``."""
    return f"工作表“{sheet}”超过 {limits.max_rows:,} 行的上限，请拆分后分批导入"


# --- cheap OOXML peeking (regex on small parts; never parses a whole sheet) ---
_ATTR_RE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_SHEET_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_DIM_RE = re.compile(rb"""<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*["']([^"']*)""")
_ROW_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?row[\s>/]")


def _tags(zf: zipfile.ZipFile, part: str, pattern: re.Pattern, cap: int = 16 * MB) -> list[dict[str, str]]:
    """Attributes of every tag matching ``pattern`` in a (small) zip member."""
    with zf.open(part) as fh:
        text = fh.read(cap)
    return [{m[0].decode(): html.unescape((m[1] or m[2]).decode("utf-8", "replace"))
             for m in _ATTR_RE.findall(tag)} for tag in pattern.findall(text)]


def _resolve(base: str, target: str) -> str:
    """A relationship target as a zip member name."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))


def _sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]] | None:
    """(sheet name, zip member) of every worksheet, or None when not an xlsx."""
    names = set(zf.namelist())
    book = "xl/workbook.xml"
    for rel in _tags(zf, "_rels/.rels", _REL_RE) if "_rels/.rels" in names else []:
        if rel.get("Type", "").endswith("/officeDocument"):
            book = _resolve("", rel.get("Target", ""))
    if "[Content_Types].xml" not in names or book not in names or not book.endswith(".xml"):
        return None
    base = posixpath.dirname(book)
    rels = posixpath.join(base, "_rels", posixpath.basename(book) + ".rels")
    targets = {rel.get("Id"): _resolve(base, rel.get("Target", ""))
               for rel in (_tags(zf, rels, _REL_RE) if rels in names else [])
               if rel.get("Type", "").endswith("/worksheet")}
    sheets = [(s.get("name"), targets.get(next((v for k, v in s.items() if k.endswith(":id") or k == "id"), "")))
              for s in _tags(zf, book, _SHEET_RE)]
    return [(name or part, part) for name, part in sheets if part in names]


def _sheet_row_extent(zf: zipfile.ZipFile, part: str, cap: int) -> int:
    """Rows spanned by a worksheet: its <dimension ref>, else a capped count of <row> tags."""
    with zf.open(part) as fh:
        head = fh.read(64 * 1024)  # <dimension> precedes <sheetData>, near the start
        match = _DIM_RE.search(head)
        rows = [int(x) for x in re.findall(rb"\d+", match.group(1))] if match else []
        if len(rows) == 2:
            return rows[1] - rows[0] + 1
        count, pending = 0, head  # single-cell or missing dimension: count the rows
        while count <= cap:
            chunk = fh.read(MB)
            buf = pending + chunk
            if not chunk:
                return count + len(_ROW_RE.findall(buf))
            safe = max(len(buf) - 32, 0)  # a match starting later is counted with the next chunk
            count += sum(1 for m in _ROW_RE.finditer(buf) if m.start() < safe)
            pending = buf[safe:]
        return count
