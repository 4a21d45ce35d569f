"""Vetting an import file before any sheet is parsed: size, format, damage, zip bomb, used area.

One mechanism for every check: the file's bytes are loaded up to the size limit, the zip's
declared sizes and ratios checked, then each worksheet's XML is streamed to find how far its
cells reach (`xlsx_used_area`) and `check_area` refuses a sheet over the limits, so a far cell
(XFD10000) can never make a reader build a grid of gigabytes. Every refusal is a
:class:`FatalImportError` with the message shown to the office. excel/reader.py calls this
first and only then hands the file to python-calamine.
"""

from __future__ import annotations

import io
import os
import pathlib
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from .used_area import Area, worksheet_members, xlsx_used_area

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

    def __init__(self, reason: str, *, columns: dict | None = None, header: list | None = None):
        super().__init__(reason)
        self.reason = reason
        # A file refused for its columns (a required one not recognised) carries its header and
        # the mapping guessed, so the preview can let the office say which column is which.
        self.columns, self.header = columns, header


MSG_INVALID = "不是有效的 Excel (.xlsx) 文件，请用 Excel 或 WPS 打开检查并重新保存后再上传（支持 .xlsx、.xls、.et、.ods、.csv）"
MSG_DAMAGED = "文件已损坏，无法读取，请用 Excel 打开检查并重新保存为 .xlsx 后再上传"
MSG_OLD_XLS = "这是旧版 .xls 文件或带密码保护的文件，请用 Excel 打开后另存为 .xlsx 格式再上传"
MSG_PASSWORD = "文件设有密码保护，请取消密码后再上传"


def load_file(source: Any, limits: Limits) -> bytes:
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


def vet_file(data: bytes, limits: Limits, fmt: str = "xlsx") -> None:
    """Format, damage, zip-bomb and row-count checks, all before parsing a sheet.

    ``fmt`` is what excel/formats.detect found.  An .xlsx's sheets are measured here from their
    XML; an .ods gets the zip checks; .xls/.et sheets are measured from calamine's dimensions and
    a CSV's rows while it is read (excel/reader.py), each before a Python grid is built.
    """
    if fmt not in ("xlsx", "ods"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _vet_zip(zf, limits, measure_sheets=fmt == "xlsx")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, zlib.error) as exc:
        raise FatalImportError(MSG_DAMAGED) from exc


def _vet_zip(zf: zipfile.ZipFile, limits: Limits, measure_sheets: bool = True) -> None:
    """Declared sizes, compression ratios and each worksheet's used area."""
    infos = zf.infolist()
    if sum(i.file_size for i in infos) > limits.max_uncompressed or any(
            i.file_size >= limits.ratio_min_size and i.file_size > limits.max_ratio * max(i.compress_size, 1)
            for i in infos):
        raise FatalImportError(f"文件解压后的大小异常（超过 {limits.max_uncompressed // MB} MB 上限或压缩比异常），已拒绝导入")
    if not measure_sheets:
        return
    parts = worksheet_members(zf)
    if parts is None:
        raise FatalImportError(MSG_INVALID)
    for name, info in parts:
        with zf.open(info) as fh:
            area = xlsx_used_area(fh, max_rows=limits.max_rows + HEADER_SCAN_ROWS, max_columns=limits.max_columns)
        check_area(name, area, limits)


def too_many_rows(sheet: str, limits: Limits) -> str:
    """The row-limit message for ``sheet``."""
    return f"工作表“{sheet}”超过 {limits.max_rows:,} 行的上限，请拆分后分批导入"


def check_area(sheet: str, area: Area, limits: Limits = LIMITS) -> None:
    """Refuse a sheet whose used area is over the limits.

    Every format's reader calls this before it builds a grid: the memory a grid takes grows with
    its rows times its columns, so one far cell (XFD10000) would cost gigabytes.
    """
    if area.columns > limits.max_columns:
        raise FatalImportError(f"工作表“{sheet}”超过 {limits.max_columns} 列的上限（第 {limits.max_columns} 列之后还有单元格），"
                               "请删除多余的列后再导入")
    if area.rows > limits.max_rows + HEADER_SCAN_ROWS:  # title rows and the header above the data
        raise FatalImportError(too_many_rows(sheet, limits))


# --- cheap OOXML peeking (regex on small parts; never parses a whole sheet) ---
