"""open_sheets: several sheets filled side by side in constant memory (the national pack's pass)."""
import io

import openpyxl

from volunteer.excel import writer
from volunteer.excel.writer import SheetSpec, open_sheets


def _values(ws):
    return [[c.value for c in r] for r in ws.iter_rows()]


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
    assert _values(wb["甲"]) == [["a"], ["=1+0"], ["=1+1"]] and _values(wb["甲(2)"]) == [["a"], ["=1+2"]]
    assert _values(wb["乙"]) == [["b"], ["0"], ["1"]]  # a text column: numbers written as text
    assert wb["甲"]["A2"].data_type == "s" and _values(wb["丙"]) == [["c"], ["晚到"]]
