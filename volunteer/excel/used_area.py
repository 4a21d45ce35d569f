"""How far a worksheet's cells reach, streamed from its XML without building a grid.

`xlsx_used_area` reads a sheet's XML in pieces and stops as soon as a limit is passed; it is
the measuring half of the vetting in excel/vetting.py (which owns the limits and the
refusals), kept apart because the scanner (explicit references, rows counted when they are
missing, a parsed fallback for odd prefixes) is a concern of its own.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

MB = 1024 * 1024


class DamagedSheet(ValueError):
    """The sheet's XML is not what Excel or calamine would read (vetting refuses the file as damaged)."""


@dataclass(frozen=True)
class Area:
    """How far a sheet's cells reach, counted from A1 (the grid a reader would build for it).

    A figure over its limit says the sheet is over (a scanner stops as soon as one is passed,
    so it may be less than the whole); a figure within its limit says only that.
    """

    rows: int
    columns: int


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


def worksheet_members(zf: zipfile.ZipFile) -> list[tuple[str, zipfile.ZipInfo]] | None:
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
        raise DamagedSheet

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
        raise DamagedSheet from None
    return Area(rows, columns)


def _cell_ref(ref: bytes) -> tuple[int, int]:
    """(row, column), 1-based, of a cell reference as calamine reads it (letters in either case)."""
    m = _REF_RE.fullmatch(ref.decode("ascii", "replace"))
    if m is None or not m[1] or not m[2] or int(m[2]) == 0:
        raise DamagedSheet  # calamine refuses it too
    column = 0
    for ch in m[1].upper():
        column = column * 26 + ord(ch) - 64
    return int(m[2]), column


def _row_ref(ref: bytes) -> int:
    """The 1-based row of a <row r>: digits, letters before them ignored (as calamine does)."""
    m = _REF_RE.fullmatch(ref.decode("ascii", "replace"))
    if m is None or not m[2] or int(m[2]) == 0:
        raise DamagedSheet
    return int(m[2])


_HIDDEN_ROW_RE = re.compile(rb"""<(?:[\w-]+:)?row\b[^>]*?\bhidden\s*=\s*["'](?:1|true)["'][^>]*>""")
_ROW_NUMBER_RE = re.compile(rb"""\br\s*=\s*["'](\d+)["']""")


def hidden_rows(zf: zipfile.ZipFile, sheet: str) -> set[int]:
    """Excel row numbers a worksheet marks hidden (``<row r="5" hidden="1">``), streamed in pieces.

    calamine does not say which rows are hidden, so the importers ask here (CONTRACT section 4:
    a hidden row is skipped with a warning unless --include-hidden).
    """
    members = worksheet_members(zf) or []
    info = next((i for name, i in members if name == sheet), None)
    if info is None:
        return set()
    found: set[int] = set()
    with zf.open(info) as fh:
        for piece in _pieces(fh):
            if b"hidden" not in piece:
                continue
            for tag in _HIDDEN_ROW_RE.findall(piece):
                number = _ROW_NUMBER_RE.search(tag)
                if number:
                    found.add(int(number[1]))
    return found
