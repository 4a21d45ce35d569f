"""The streamed workbook is the file writer.write_workbook makes: the same sheets, cells, types,
number formats, fonts, widths, frozen header and filters; the other parts byte for byte (but the
creation time). The style indexes may be numbered in another order (XlsxWriter numbers them by
first use), and the worksheets have no <dimension> (it precedes rows not yet counted)."""
import datetime as dt
import decimal
import io
import re
import zipfile

import pytest

from volunteer.excel import streaming, writer
from volunteer.excel.writer import SheetSpec


def _rows():
    yield ("张三", "310104198001011234", dt.date(2026, 3, 1), dt.time(9, 30), 2.5, True, None, "=1+2")
    yield (" 前后空格 ", 13812345678, dt.datetime(2026, 3, 1, 9, 30, 15), None, decimal.Decimal("1.25"), False,
           float("inf"), "a & b <c> \"d\"")
    yield ("控制\x01字符 _x0041_", 12.0, dt.date(1990, 1, 5), dt.time(0, 0), 0, 7, -3.5, "\n换行\t制表")
    yield (None, None, None, None, None, None, None, None)  # a row with no cells
    yield ("末行", "X", dt.datetime(2026, 12, 31, 23, 59), dt.time(23, 59, 59), 10 ** 12, 1e-7, 3, "")


def _specs(rows):
    return [SheetSpec("服务时长", ["姓名", "证件号码", "服务日期", "开始时间", "时长（小时）", "是", "数", "备注"],
                      rows, {1}, [10, 22, 12]),
            SheetSpec("说明:[1]", ["项目", "值"], [("合计", 4), ("日期", dt.date(2026, 1, 1))])]


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert book.testzip() is None
        return {info.filename: book.read(info) for info in book.infolist()}


def _comparable(parts: dict[str, bytes]) -> dict[str, bytes]:
    out = {}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/") or name == "xl/styles.xml":
            continue  # compared cell by cell
        if name == "docProps/core.xml":
            data = re.sub(rb"<dcterms:(created|modified)[^<]*</dcterms:\1>", b"", data)
        out[name] = data
    return out


def _cells(data: bytes) -> dict:
    """Every sheet's cells (value, type, number format, bold), widths, pane and filter."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    out = {}
    for sheet in book.worksheets:
        cells = {c.coordinate: (c.value, c.data_type, c.number_format, bool(c.font.b))
                 for row in sheet.iter_rows() for c in row if c.value is not None}
        widths = {k: (d.width, d.min, d.max) for k, d in sheet.column_dimensions.items()}
        column_formats = {k: d.number_format for k, d in sheet.column_dimensions.items()}
        out[sheet.title] = (cells, widths, column_formats, sheet.freeze_panes, sheet.auto_filter.ref)
    return out


def _both(specs_of):
    made = io.BytesIO()
    writer.write_workbook(made, specs_of(_rows()))
    streamed = b"".join(streaming.stream_workbook(specs_of(_rows())))
    assert _cells(made.getvalue()) == _cells(streamed)
    return _parts(made.getvalue()), _parts(streamed)


def test_the_streamed_workbook_is_the_written_one():
    made, streamed = _both(_specs)
    assert set(made) == set(streamed)
    assert _comparable(made) == _comparable(streamed)


def test_past_the_row_cap_both_continue_on_the_same_sheets(monkeypatch):
    monkeypatch.setattr(writer, "MAX_ROWS_PER_SHEET", 2)
    monkeypatch.setattr(streaming, "MAX_ROWS_PER_SHEET", 2)
    made, streamed = _both(_specs)
    assert "xl/worksheets/sheet4.xml" in streamed  # 5 rows at 2 a sheet, then the second spec
    assert _comparable(made) == _comparable(streamed)


def test_it_opens_with_openpyxl_and_gives_the_same_cells():
    from openpyxl import load_workbook

    data = b"".join(streaming.stream_workbook(_specs(_rows())))
    sheet = load_workbook(io.BytesIO(data))["服务时长"]
    assert sheet["A2"].value == "张三" and sheet["B3"].value == "13812345678" and sheet["B3"].number_format == "@"
    assert sheet["C2"].value == dt.datetime(2026, 3, 1) and sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["H2"].value == "=1+2" and sheet["H2"].data_type == "s"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:H6"


def test_the_first_bytes_leave_before_the_rows_are_all_read():
    read = []

    def rows():
        for i in range(20_000):
            read.append(i)
            yield (f"志愿者{i}", i)

    stream = streaming.stream_workbook([SheetSpec("服务时长", ["姓名", "序号"], rows())])
    first = next(stream)
    assert first.startswith(b"PK") and len(read) < 20_000
    rest = b"".join(stream)
    assert len(read) == 20_000 and zipfile.ZipFile(io.BytesIO(first + rest)).testzip() is None


@pytest.mark.parametrize("rows", [[], [("仅一行", 1)]])
def test_short_sheets(rows):
    specs = lambda _r: [SheetSpec("表", ["甲", "乙"], list(rows))]  # noqa: E731
    made, streamed = _both(specs)
    assert _comparable(made) == _comparable(streamed)
