"""Which kind of spreadsheet a file is, and a CSV read as a sheet (CONTRACT section 4).

Offices have .xlsx/.xlsm, .xls (Excel 97-2003 and WPS), .et (WPS), .ods and .csv files.  The
format is told from the bytes (the name only tells a WPS .et from an .xls, which share the OLE2
container), so a renamed file is still read for what it is.  Every refusal names the format and
what to do.  A CSV becomes a :class:`CsvSheet` that answers like a calamine sheet, so one reader
builds the same table from every format; its cells are all text (ID numbers survive) and its
rows are counted while they are read, so a huge file is refused before a grid is kept.
"""

from __future__ import annotations

import codecs
import csv
import io

from .vetting import HEADER_SCAN_ROWS, FatalImportError, Limits, check_area, too_many_rows
from .used_area import Area

XLSX, XLS, ET, ODS, CSV = "xlsx", "xls", "et", "ods", "csv"

# What a format is called in a message, and which program re-saves it.
LABELS = {XLSX: ("Excel (.xlsx)", "Excel 或 WPS"), XLS: ("旧版 .xls（Excel 97-2003 或 WPS）", "Excel 或 WPS"),
          ET: ("WPS 表格 (.et)", "WPS"), ODS: ("OpenDocument 表格 (.ods)", "LibreOffice 或 WPS"),
          CSV: ("CSV (.csv)", "记事本或 WPS")}
ACCEPTED = "请上传 .xlsx、.xls、.et、.ods 或 .csv 格式的表格文件"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def damaged(fmt: str) -> str:
    """The 'damaged' message for ``fmt``."""
    label, program = LABELS[fmt]
    return f"文件已损坏，无法读取（{label} 文件），请用 {program} 打开检查并重新保存后再上传"


def detect(data: bytes, file_name: str = "") -> str:
    """The format of ``data`` (one of XLSX, XLS, ET, ODS, CSV), or FatalImportError."""
    name = (file_name or "").lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .xls / .et, or an encrypted .xlsx
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise FatalImportError("文件设有密码保护，请取消密码后再上传")
        if "WordDocument".encode("utf-16-le") in data[:65536]:
            raise FatalImportError(f"这是 Word 文档，不是表格，{ACCEPTED}")
        return ET if name.endswith(".et") else XLS
    if data.startswith(b"PK"):
        if ODS_MIME in data[:200]:
            return ODS
        if b"word/" in data[:4096] and b"xl/" not in data[:4096]:
            raise FatalImportError(f"这是 Word 文档 (.docx)，不是表格，{ACCEPTED}")
        return XLSX
    if data.startswith(b"%PDF"):
        raise FatalImportError(f"这是 PDF 文件，无法读取其中的表格，{ACCEPTED}")
    head = data[:8192]
    if head.lstrip()[:200].lower().startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
        raise FatalImportError("这是网页 (HTML/XML) 文件，不是有效的 Excel 表格：请用 Excel 或 WPS 打开后另存为 .xlsx 再上传")
    if name.endswith((".xlsx", ".xlsm")):
        raise FatalImportError("不是有效的 Excel (.xlsx) 文件，请用 Excel 或 WPS 打开检查并重新保存后再上传")
    if name.endswith((".xls", ".et", ".ods")):
        raise FatalImportError(damaged(ET if name.endswith(".et") else ODS if name.endswith(".ods") else XLS))
    if b"\x00" in head or (not name.endswith((".csv", ".txt")) and not _looks_like_text(head)):
        raise FatalImportError(f"无法识别的文件格式，{ACCEPTED}")
    return CSV


def _looks_like_text(head: bytes) -> bool:
    try:
        decode_text(head, partial=True)
    except FatalImportError:
        return False
    return True


def decode_text(data: bytes, *, partial: bool = False) -> str:
    """A CSV's text: UTF-8 with or without BOM, else GBK / GB18030 (which includes GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            if partial:  # a cut multi-byte character at the end of a sample is not an error
                return codecs.getincrementaldecoder(encoding)().decode(data, final=False)
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FatalImportError("CSV 文件的编码无法识别（支持 UTF-8 和 GBK），请用记事本或 WPS 另存为“UTF-8”编码后再上传")


class CsvSheet:
    """A CSV file as one sheet: ``to_python`` gives its rows (lists of text) as calamine would."""

    name = "CSV"

    def __init__(self, data: bytes, limits: Limits):
        text = decode_text(data)
        first = text[:4096].split("\n", 1)[0]
        delimiter = "\t" if "\t" in first and "," not in first and "，" not in first else ","
        rows: list[list[str]] = []
        width = 0
        cap = limits.max_rows + HEADER_SCAN_ROWS
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(cells)
            if len(cells) > width:
                width = len(cells)
                check_area(self.name, Area(len(rows), width), limits)
            if len(rows) > cap:
                raise FatalImportError(too_many_rows(self.name, limits))
        for cells in rows:  # a grid, as calamine gives: every row as wide as the widest
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
        self._rows, self.height, self.width = rows, len(rows), width

    def to_python(self, skip_empty_area: bool = False, nrows: int | None = None) -> list[list[str]]:
        return self._rows if nrows is None else self._rows[:nrows]
