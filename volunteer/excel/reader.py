"""Read an import workbook (.xlsx) into a :class:`Table` of raw cell values.

The file is vetted before any sheet is parsed (size, format, damage, zip bomb, and each
sheet's used area streamed from its XML: at most 64 columns and 200,000 rows, whatever the
sheet declares), then read with python-calamine.  The header row
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
    max_columns: int = 64  # of a sheet's used area, counted from column A
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
    """Declared sizes, compression ratios and each worksheet's used area."""
    infos = zf.infolist()
    if sum(i.file_size for i in infos) > limits.max_uncompressed or any(
            i.file_size >= limits.ratio_min_size and i.file_size > limits.max_ratio * max(i.compress_size, 1)
            for i in infos):
        raise FatalImportError(f"文件解压后的大小异常（超过 {limits.max_uncompressed // MB} MB 上限或压缩比异常），已拒绝导入")
    parts = _worksheet_members(zf)
    if parts is None:
        raise FatalImportError(MSG_INVALID)
    for name, info in parts:
        with zf.open(info) as fh:
            area = xlsx_used_area(fh, max_rows=limits.max_rows + HEADER_SCAN_ROWS, max_columns=limits.max_columns)
        check_area(name, area, limits)


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


@dataclass(frozen=True)
class Area:
    """How far a sheet's cells reach, counted from A1 (the grid a reader would build for it).

    A figure over its limit says the sheet is over (a scanner stops as soon as one is passed,
    so it may be less than the whole); a figure within its limit says only that.
    """

    rows: int
    columns: int


def check_area(sheet: str, area: Area, limits: Limits = LIMITS) -> None:
    """Refuse a sheet whose used area is over the limits.

    Every format's reader calls this before it builds a grid: the memory a grid takes grows with
    its rows times its columns, so one far cell (XFD10000) would cost gigabytes.
    """
    if area.columns > limits.max_columns:
        raise FatalImportError(f"工作表“{sheet}”超过 {limits.max_columns} 列的上限（第 {limits.max_columns} 列之后还有单元格），"
                               "请删除多余的列后再导入")
    if area.rows > limits.max_rows + HEADER_SCAN_ROWS:  # title rows and the header above the data
        raise FatalImportError(_too_many_rows(sheet, limits))


# --- cheap OOXML peeking (regex on small parts; never parses a whole sheet) ---
_ATTR_RE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_SHEET_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")


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


def _worksheet_members(zf: zipfile.ZipFile) -> list[tuple[str, zipfile.ZipInfo]] | None:
    """(sheet name, zip entry) of every member that may be read as a worksheet, or None when not
    an xlsx.

    Besides the sheets as the package's relationships name them, every member calamine itself
    would open: it reads xl/_rels/workbook.xml.rels whatever the relationship's type, takes a
    target as written (no entities resolved, "xl/" put in front), and matches member names
    without regard to case.  A huge sheet must not hide behind a name only calamine resolves.
    """
    parts = _sheet_parts(zf)
    if parts is None:
        return None
    wanted: dict[str, str] = {}
    for name, part in parts:
        wanted.setdefault(part.lower(), name)
    for path in _calamine_sheet_paths(zf):
        wanted.setdefault(path.lower(), posixpath.basename(path))
    entries: dict[str, list[zipfile.ZipInfo]] = {}
    for info in zf.infolist():  # every entry: a name may be in the zip twice
        entries.setdefault(info.filename.lower(), []).append(info)
    return [(name, info) for key, name in wanted.items() for info in entries.get(key, [])]


_TARGET_RE = re.compile(rb"""\sTarget\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _calamine_sheet_paths(zf: zipfile.ZipFile) -> set[str]:
    """Worksheet paths as calamine resolves the workbook's relationship targets."""
    paths = set()
    for info in zf.infolist():
        if info.filename.lower() != "xl/_rels/workbook.xml.rels":
            continue
        with zf.open(info) as fh:
            text = fh.read(16 * MB)
        for tag in _REL_RE.findall(text):
            for m in _TARGET_RE.finditer(tag):
                raw = (m[1] if m[1] is not None else m[2]).decode("utf-8", "replace")
                for target in {raw, html.unescape(raw)}:
                    path = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else "xl/" + target
                    if path.split("/")[1:2] == ["worksheets"]:
                        paths.add(path)
    return paths


# --- a worksheet's used area, streamed from its XML ----------------------------------------
#
# calamine places a cell where its r="XFD10000" says, else right of the cell before it (in the
# row calamine counts: a <row r> sets it, every </row> adds one), and builds a grid from A1 to
# the farthest cell.  The <dimension> a file declares is not used: it can lie either way.
#
# Three passes, each streaming the part in pieces of about 1 MB, the first that applies wins:
#   1. every <c> and <row> tag starts with r="..." (Excel, LibreOffice, openpyxl, WPS write
#      that): only references that could be over a limit are looked at, by regular expression;
#   2. more <row> tags than the row limit: refused without parsing (300,000 unnumbered rows);
#   3. anything else (prefixed names, r elsewhere in the tag, other encodings): a real XML
#      parser (expat) that follows calamine's rules exactly.
# Each stops as soon as a limit is passed.

_PIECE = MB
_FAR = 64 * 1024  # a tag start this far before a piece's end has shown everything the patterns need
_ODD_RE = re.compile(rb":(?:c|row)[\s/>]")  # a prefixed cell or row
_CELL_WITHOUT_R_RE = re.compile(rb'<c(?! r=")[\s/>]')
_ROW_WITHOUT_R_RE = re.compile(rb'<row(?! r=")[\s/>]')
_ROW_TAG_RE = re.compile(rb"""<(?:[^\s/<>!?:"'=]+:)?row[\s/>]""")  # the start of a <row> or <x:row>
_REF_RE = re.compile(r"([A-Za-z]*)([0-9]*)")


class _Fallback(Exception):
    """This pass does not apply to the part: try the next."""


def xlsx_used_area(fh: BinaryIO, *, max_rows: int, max_columns: int) -> Area:
    """The used area of one worksheet part (a binary stream of its XML, read once per pass).

    Raises FatalImportError(MSG_DAMAGED) for a part calamine could not read either (a cell
    reference that is no reference, a DOCTYPE, broken XML when the parser is needed).
    """
    for scan in (_scan_explicit, _count_rows):
        fh.seek(0)
        try:
            return scan(_pieces(fh), max_rows, max_columns)
        except _Fallback:
            pass
    fh.seek(0)
    return _scan_parsed(fh, max_rows, max_columns)


def _pieces(fh: BinaryIO) -> Iterator[bytes]:
    """The part in pieces of about 1 MB that end right before a '<', so no tag is cut in two.

    When the last '<' lies far back (a long text), the piece ends where the read did; its last
    bytes are given again at the start of the next piece so that a ":c " cut in two is still
    seen (no '<' among them, so no tag is counted twice).
    """
    carry = b""
    while True:
        chunk = fh.read(_PIECE)
        buf = carry + chunk
        if not chunk:
            if buf:
                yield buf
            return
        cut = buf.rfind(b"<")
        if cut == -1 or len(buf) - cut > _FAR:
            yield buf
            carry = buf[-8:]
        else:
            if cut:
                yield buf[:cut]
            carry = buf[cut:]


def _columns_pattern(limit: int) -> bytes:
    """A regular expression for the column letters A .. the ``limit``-th column (limit <= 702)."""
    if not 1 <= limit <= 26 * 27:
        raise ValueError("max_columns must be between 1 and 702")
    if limit <= 26:
        return b"[A-%c]" % (64 + limit)
    full, rest = divmod(limit - 26, 26)  # two-letter blocks AA-AZ, BA-BZ ... complete, then a part
    alts = [b"[A-Z]"]
    if full:
        alts.append(b"[A-%c][A-Z]" % (64 + full))
    if rest:
        alts.append(b"%c[A-%c]" % (65 + full, 64 + rest))
    return b"(?:" + b"|".join(alts) + b")"


def _scan_explicit(pieces: Iterator[bytes], max_rows: int, max_columns: int) -> Area:
    """Pass 1: every <c> and <row> tag begins with r="...".

    A reference of one or two letters within the column limit and a row of fewer digits than
    the row limit is within the limits whatever it says; only the others are read one by one
    (none in a sheet under 100,000 rows with up to 64 columns).
    """
    digits = len(str(max_rows))  # a row number with fewer digits is within the limit
    short_row = b"[1-9][0-9]{0,%d}" % (digits - 2) if digits > 1 else b"(?!)"
    short_cell = _columns_pattern(max_columns) + short_row
    # A cell or row tag that is not r="<short reference>": rare, then looked at closely.
    odd_cell = re.compile(rb'<c(?! r="' + short_cell + rb'")[\s/>]')
    odd_row = re.compile(rb'<row(?! r="' + short_row + rb'")[\s/>]')
    long_cells = re.compile(rb'<c r="(?!' + short_cell + rb'")([^"]*)"')
    long_rows = re.compile(rb'<row r="(?!' + short_row + rb'")([^"]*)"')
    rows = columns = 0
    for piece in pieces:
        if b"\0" in piece or _ODD_RE.search(piece):
            raise _Fallback
        if odd_cell.search(piece):
            if _CELL_WITHOUT_R_RE.search(piece):
                raise _Fallback
            for ref in long_cells.findall(piece):
                row, column = _cell_ref(ref)
                rows, columns = max(rows, row), max(columns, column)
        if odd_row.search(piece):
            if _ROW_WITHOUT_R_RE.search(piece):
                raise _Fallback
            for ref in long_rows.findall(piece):
                rows = max(rows, _row_ref(ref))
        if rows > max_rows or columns > max_columns:
            break
    return Area(rows, columns)


def _count_rows(pieces: Iterator[bytes], max_rows: int, max_columns: int) -> Area:
    """Pass 2: refuse a sheet with more <row> elements than the row limit, by counting their tags.

    No sheet has more rows than row elements, so 300,000 unnumbered rows are refused here
    without parsing them.  A tag this does not recognise is simply not counted; within the
    limit, the sheet goes on to the parser.
    """
    rows = 0
    for piece in pieces:
        rows += len(_ROW_TAG_RE.findall(piece))
        if rows > max_rows:
            return Area(rows, 0)
    raise _Fallback


class _Over(Exception):
    """A limit is passed: stop parsing."""


def _scan_parsed(fh: BinaryIO, max_rows: int, max_columns: int) -> Area:
    """Pass 3: parse the XML and place every cell as calamine does.

    Names match on their local part (``x:c`` is a cell); a <row r> sets the row, </row> adds
    one and returns to column A; a cell's own r sets its place and the column of the cells
    after it; what is inside a cell is not looked at (calamine reads a cell to its end).  A
    DOCTYPE is refused: a worksheet never has one, and its entities could expand.
    """
    from xml.parsers import expat

    row = column = 0  # calamine's row and column index (0-based)
    rows = columns = 0
    depth = 0  # nesting of <c> elements inside the current cell

    def local(name: str) -> str:
        return name.rpartition(":")[2]

    def attribute(attrs: list, key: str) -> str | None:
        for i in range(0, len(attrs), 2):
            if attrs[i] == key:
                return attrs[i + 1]
        return None

    def start(name, attrs):
        nonlocal row, column, rows, columns, depth
        kind = local(name)
        if depth:
            depth += kind == "c"
            return
        if kind == "row":
            ref = attribute(attrs, "r")
            if ref is not None:
                row = _row_ref(ref.encode()) - 1
            rows = max(rows, row + 1)
        elif kind == "c":
            ref = attribute(attrs, "r")
            if ref is not None:
                at_row, at_column = _cell_ref(ref.encode())
                row_here, column = at_row - 1, at_column - 1
            else:
                row_here = row
            rows, columns = max(rows, row_here + 1), max(columns, column + 1)
            depth = 1
        if rows > max_rows or columns > max_columns:
            raise _Over

    def end(name):
        nonlocal row, column, depth
        kind = local(name)
        if depth:
            if kind == "c":
                depth -= 1
                column += not depth
            return
        if kind == "row":
            row, column = row + 1, 0

    def refuse(*_args):
        raise FatalImportError(MSG_DAMAGED)

    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    try:
        while chunk := fh.read(_PIECE):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Over:
        pass
    except expat.ExpatError:
        raise FatalImportError(MSG_DAMAGED) from None
    return Area(rows, columns)


def _cell_ref(ref: bytes) -> tuple[int, int]:
    """(row, column), 1-based, of a cell reference as calamine reads it (letters in either case)."""
    m = _REF_RE.fullmatch(ref.decode("ascii", "replace"))
    if m is None or not m[1] or not m[2] or int(m[2]) == 0:
        raise FatalImportError(MSG_DAMAGED)  # calamine refuses it too
    column = 0
    for ch in m[1].upper():
        column = column * 26 + ord(ch) - 64
    return int(m[2]), column


def _row_ref(ref: bytes) -> int:
    """The 1-based row of a <row r>: digits, letters before them ignored (as calamine does)."""
    m = _REF_RE.fullmatch(ref.decode("ascii", "replace"))
    if m is None or not m[2] or int(m[2]) == 0:
        raise FatalImportError(MSG_DAMAGED)
    return int(m[2])
