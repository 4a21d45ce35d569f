"""open_sheets (side_by_side.py): sheets filled side by side give writer.write_workbook's cells."""
import datetime as dt
import decimal
import io

import openpyxl

from volunteer.excel import writer
from volunteer.excel.side_by_side import open_sheets
from volunteer.excel.writer import SheetSpec, write_workbook

SPECS = [SheetSpec("甲", ["文字", "证件号码", "数", "日期"], (), {1}, [10, 22, 8, 12]),
         SheetSpec("乙", ["时间", "真假", "小数", "空"], ())]
ROWS = {
    0: [["=1+2", "11010519491231002X", 3, dt.date(2025, 6, 1)],
        [" 前后空格 ", 4401, decimal.Decimal("2.50"), dt.datetime(2025, 6, 1, 9, 30)],
        ["a<b&c>_x0041_\x01", 12.0, float("nan"), None],
        [None, None, None, None]],
    1: [[dt.time(9, 0), True, 1.25, None], [dt.datetime(2025, 12, 31, 23, 59), False, -0.5, "尾"]],
}


def _cells(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: (ws.freeze_panes, ws.auto_filter.ref,
                       {k: round(d.width, 2) for k, d in ws.column_dimensions.items()},
                       [[(c.value, c.data_type, c.number_format, c.font.b) for c in r] for r in ws.iter_rows()])
            for ws in wb.worksheets}


def _side_by_side(specs, rows) -> bytes:
    buf = io.BytesIO()
    with open_sheets(buf, specs) as book:
        for i in range(max(len(r) for r in rows.values())):  # interleaved, as the pack's pass writes
            for n, sheet_rows in rows.items():
                if i < len(sheet_rows):
                    book[n].append(sheet_rows[i])
    return buf.getvalue()


def test_same_cells_types_formats_as_the_xlsxwriter_path():
    reference = io.BytesIO()
    write_workbook(reference, [SheetSpec(s.title, s.header, ROWS[n], s.text_columns, s.widths)
                               for n, s in enumerate(SPECS)])
    made = _side_by_side(SPECS, ROWS)
    assert _cells(made) == _cells(reference.getvalue())
    assert _cells(made)["甲"][3][1] == [("=1+2", "s", "General", False), ("11010519491231002X", "s", "@", False),
                                       (3, "n", "General", False), (dt.datetime(2025, 6, 1), "d", "yyyy-mm-dd", False)]


def test_interleaved_rows_land_on_their_sheets_with_text_kept(monkeypatch):
    monkeypatch.setattr(writer, "MAX_ROWS_PER_SHEET", 2)
    buf = io.BytesIO()
    with open_sheets(buf, [SheetSpec("甲", ["a"], ()), SheetSpec("乙", ["b"], (), {0})]) as book:
        for i in range(3):
            book[0].append([f"=1+{i}"])
            book[1].append([i])
        book.add(SheetSpec("丙", ["c"], ())).append(["晚到"])
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == ["甲", "乙", "甲(2)", "乙(2)", "丙"]
    values = {ws.title: [[c.value for c in r] for r in ws.iter_rows()] for ws in wb.worksheets}
    assert values["甲"] == [["a"], ["=1+0"], ["=1+1"]] and values["甲(2)"] == [["a"], ["=1+2"]]
    assert values["乙"] == [["b"], ["0"], ["1"]]  # a text column: numbers written as text
    assert wb["甲"]["A2"].data_type == "s" and values["丙"] == [["c"], ["晚到"]]
    assert wb["甲"].auto_filter.ref == "A1:A3" and wb["甲(2)"].auto_filter.ref == "A1:A2"


def test_same_rows_give_the_same_bytes_and_an_error_writes_nothing():
    assert _side_by_side(SPECS, ROWS)[:200] == _side_by_side(SPECS, ROWS)[:200]
    buf = io.BytesIO()
    try:
        with open_sheets(buf, SPECS) as book:
            book[0].append(["x"])
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    assert buf.getvalue() == b""
