"""Which rows of a sheet are hidden, in every format that records it (CONTRACT section 4).

calamine reads the cells but does not say which rows Excel, WPS or LibreOffice hide (a person
who left is often hidden rather than deleted), so each format is asked here, cheaply and
without building the sheet a second time:

- .xlsx/.xlsm: ``<row r="5" hidden="1">`` in the worksheet's XML (``used_area.hidden_rows``);
- .xls/.et: the BIFF ROW records of the sheet's substream (bit fDyZero of their flags), walked
  record by record in the compound file's Workbook stream (read with xlrd's compdoc);
- .ods: ``table:visibility="collapse"`` (hidden) or ``"filter"`` (filtered out) on
  ``<table:table-row>`` in content.xml, counting ``table:number-rows-repeated``, streamed.

A CSV has no hidden rows.  Each function answers Excel row numbers (1-based).
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile

from xlrd import compdoc

from . import formats
from .used_area import hidden_rows as xlsx_hidden_rows

ROW_LIMIT = 250_000  # a hidden run repeated to the sheet's end is counted this far (data stops sooner)
_ROW, _BOF, _EOF, _BOUNDSHEET = 0x0208, 0x0809, 0x000A, 0x0085
_HIDDEN_FLAG = 0x0020  # ROW record, flags: fDyZero (the row's height is zero: hidden)
_header = struct.Struct("<HH").unpack_from
# A ROW record (opcode 0x0208, 16 bytes) whose flags' low byte has fDyZero set.  Most files hide
# nothing: when no bytes look like one, the record walk (0.1 s for 20,000 rows) is skipped.
_MAYBE_HIDDEN = re.compile(rb"\x08\x02\x10\x00.{12}[" + b"".join(re.escape(bytes([b])) for b in range(256)
                                                               if b & _HIDDEN_FLAG) + rb"]", re.S)


def hidden_rows(data: bytes, fmt: str, sheet_name: str, sheet_index: int) -> set[int]:
    """Excel row numbers hidden in the sheet ``sheet_name`` (``sheet_index`` among the sheets the
    reader lists, used for an .xls whose sheet names cannot be decoded)."""
    if fmt == formats.XLSX:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return xlsx_hidden_rows(zf, sheet_name)
    if fmt in (formats.XLS, formats.ET):
        try:
            return xls_hidden_rows(data, sheet_name, sheet_index)
        except (compdoc.CompDocError, struct.error, IndexError) as exc:  # calamine read it; we cannot
            raise ValueError("damaged BIFF records") from exc
    if fmt == formats.ODS:
        return ods_hidden_rows(data, sheet_name)
    return set()


def _workbook_stream(data: bytes) -> bytes:
    doc = compdoc.CompDoc(data, logfile=io.StringIO())
    for name in ("Workbook", "Book"):  # BIFF8, and BIFF5 as older WPS writes it
        stream = doc.get_named_stream(name)
        if stream:
            return stream
    return b""


def xls_hidden_rows(data: bytes, sheet_name: str, sheet_index: int) -> set[int]:
    """Hidden rows of the sheet ``sheet_name`` of a BIFF5/8 workbook (.xls, .et)."""
    stream = _workbook_stream(data)
    # The workbook globals list each sheet (BOUNDSHEET) with the offset of its substream.
    sheets, pos, end, biff8 = [], 0, len(stream), True
    while pos + 4 <= end:
        op, size = _header(stream, pos)
        if op == _BOF and pos == 0 and size >= 2:
            biff8 = struct.unpack_from("<H", stream, 4)[0] >= 0x0600
        elif op == _BOUNDSHEET and size >= 7:
            sheets.append((struct.unpack_from("<I", stream, pos + 4)[0], _sheet_name(stream[pos + 10:pos + 4 + size], biff8)))
        elif op == _EOF:
            break
        pos += 4 + size
    starts = [start for start, name in sheets if name == sheet_name] or \
        ([sheets[sheet_index][0]] if sheet_index < len(sheets) else [])
    found: set[int] = set()
    if not starts or not _MAYBE_HIDDEN.search(stream, starts[0]):
        return found
    pos = starts[0]
    if pos + 4 > end or _header(stream, pos)[0] != _BOF:
        return found
    while pos + 4 <= end:
        op, size = _header(stream, pos)
        if op == _ROW and size >= 16:
            row, flags = struct.unpack_from("<H10xH", stream, pos + 4)
            if flags & _HIDDEN_FLAG:
                found.add(row + 1)
        elif op == _EOF:
            break
        pos += 4 + size
    return found


def _sheet_name(raw: bytes, biff8: bool) -> str:
    """A BOUNDSHEET's name: BIFF8 a short XLUnicodeString, BIFF5 bytes in the file's code page
    (GBK for the Chinese files WPS wrote)."""
    count = raw[0] if raw else 0
    if not biff8:
        return raw[1:1 + count].decode("gbk", "replace")
    wide = len(raw) > 1 and raw[1] & 1
    body = raw[2:2 + count * (2 if wide else 1)]
    return body.decode("utf-16-le" if wide else "latin-1", "replace")


_TAG = re.compile(rb"<table:table(-row)?(?=[\s>/])([^>]*)>|</table:table>")
_ATTR = re.compile(rb"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
CHUNK = 1 << 20


def ods_hidden_rows(data: bytes, sheet_name: str) -> set[int]:
    """Hidden or filtered-out rows of the table ``sheet_name`` in an .ods file's content.xml."""
    found: set[int] = set()
    inside, row, depth = False, 0, 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("content.xml") as fh:
        carry = b""
        while True:
            chunk = fh.read(CHUNK)
            buffer = carry + chunk
            cut = buffer.rfind(b"<") if chunk else -1
            if cut == -1 or b">" in buffer[cut:]:  # no tag cut in two at the end of this piece
                cut = len(buffer)
            text, carry = buffer[:cut], buffer[cut:]
            for match in _TAG.finditer(text):
                tag = match.group(0)
                if tag.startswith(b"</"):
                    if inside and depth == 0:
                        return found
                    depth -= 1 if inside else 0
                    continue
                attrs = {k: (v1 or v2) for k, v1, v2 in _ATTR.findall(match.group(2))}
                if match.group(1) is None:  # <table:table ...>
                    if inside:
                        depth += 1  # a table inside a cell: not rows of the sheet
                    elif html.unescape(attrs.get(b"table:name", b"").decode("utf-8", "replace")) == sheet_name:
                        inside = True
                    continue
                if not inside or depth:
                    continue
                repeat = int(attrs.get(b"table:number-rows-repeated") or b"1")
                if attrs.get(b"table:visibility") in (b"collapse", b"filter"):
                    found.update(range(row + 1, min(row + repeat, ROW_LIMIT) + 1))
                row += repeat
            if not chunk:
                return found
