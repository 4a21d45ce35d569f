"""Tests for volunteer.excel.writer: exact text, types, streaming and sheet overflow."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from volunteer.excel import writer
from volunteer.excel.reader import read_table
from volunteer.excel.writer import SheetSpec, write_workbook

TRICKY = ["=1+2", '=HYPERLINK("http://example.com","点我")', "+86 138 0013 8000", "-5", "@sum(A1)",
          "http://example.com", "0012", "1e5", "'quoted", "  两边空格  "]


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_text_is_written_exactly_never_as_formula(tmp_path):
    target = tmp_path / "out.xlsx"
    write_workbook(target, [SheetSpec("文本", ["值"], ([t] for t in TRICKY))])
    ws = load(target.read_bytes())["文本"]
    cells = [ws.cell(row=i + 2, column=1) for i in range(len(TRICKY))]
    assert [c.value for c in cells] == TRICKY
    assert {c.data_type for c in cells} == {"s"}
    assert ws.cell(row=1, column=1).font.b is True
    assert ws.freeze_panes == "A2"


def test_types_and_formats():
    buf = io.BytesIO()
    row = ["张三", 3, 2.5, dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 9, 30), dt.time(8, 15), None, True,
           "310104199001011234", 13800138000]
    write_workbook(buf, [SheetSpec("S", [f"c{i}" for i in range(len(row))], [row], text_columns={8, 9})])
    cells = list(load(buf.getvalue())["S"].iter_rows(min_row=2, max_row=2))[0]
    assert [c.value for c in cells[:3]] == ["张三", 3, 2.5]
    assert cells[3].value == dt.datetime(2024, 1, 5) and cells[3].number_format == "yyyy-mm-dd"
    assert cells[4].value == dt.datetime(2024, 1, 5, 9, 30) and cells[4].number_format == "yyyy-mm-dd hh:mm"
    assert cells[5].value == dt.time(8, 15)
    assert cells[6].value is None and cells[7].value is True
    assert (cells[8].value, cells[8].data_type, cells[8].number_format) == ("310104199001011234", "s", "@")
    assert (cells[9].value, cells[9].data_type) == ("13800138000", "s")


def test_overflow_continues_on_new_sheet_with_header(monkeypatch):
    monkeypatch.setattr(writer, "MAX_ROWS_PER_SHEET", 3)
    consumed = []

    def rows():  # a generator: the writer must stream it
        for i in range(8):
            consumed.append(i)
            yield [f"志愿者{i}", i]

    buf = io.BytesIO()
    write_workbook(buf, [SheetSpec("服务记录", ["姓名", "序号"], rows()), SheetSpec("其他", ["a"], [])])
    wb = load(buf.getvalue())
    assert wb.sheetnames == ["服务记录", "服务记录(2)", "服务记录(3)", "其他"]
    got = [[c.value for c in r] for ws in wb.worksheets[:3] for r in ws.iter_rows()]
    assert got == ([["姓名", "序号"]] + [[f"志愿者{i}", i] for i in range(3)]
                   + [["姓名", "序号"]] + [[f"志愿者{i}", i] for i in range(3, 6)]
                   + [["姓名", "序号"]] + [[f"志愿者{i}", i] for i in range(6, 8)])
    assert consumed == list(range(8))
    assert all(ws.freeze_panes == "A2" for ws in wb.worksheets)
    assert [c.value for c in wb["其他"][1]] == ["a"]


def test_titles_are_sanitised_and_unique():
    buf = io.BytesIO()
    long = "很长的工作表名称" * 5
    write_workbook(buf, [SheetSpec("a/b:c", ["x"], []), SheetSpec("A/B:C", ["x"], []), SheetSpec(long, ["x"], [])])
    names = load(buf.getvalue()).sheetnames
    assert names[0] == "a_b_c" and names[1] != names[0] and names[1].lower() != "a_b_c"
    assert len(names[2]) == 31


def test_roundtrip_through_reader():
    """An export with the import columns can be re-imported unchanged."""
    buf = io.BytesIO()
    header = ["姓名", "证件号码", "手机号码", "备注"]
    write_workbook(buf, [SheetSpec("花名册", header, [["张三", "31010419900101123X", "13800138000", "=1+2"]],
                                   text_columns={1, 2})])
    table = read_table(buf.getvalue(), "volunteers")
    assert table.header_row == 1
    values = {k: v for k, v in table.rows[0].values.items() if v is not None}
    assert values == {"name": "张三", "id_number": "31010419900101123X", "phone": "13800138000", "note": "=1+2"}


def test_no_sheets_still_valid_xlsx(tmp_path):
    write_workbook(str(tmp_path / "e.xlsx"), [])
    assert len(load((tmp_path / "e.xlsx").read_bytes()).sheetnames) == 1


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_numbers_do_not_break(value):
    buf = io.BytesIO()
    write_workbook(buf, [SheetSpec("S", ["x"], [[value]])])
    assert load(buf.getvalue())["S"]["A2"].value == str(value)


def test_memory_stays_flat(tmp_path):
    import tracemalloc

    def rows(n):
        for i in range(n):
            yield [f"志愿者{i:08d}", f"3101041990{i:08d}", i, "某某社区某某居委志愿服务队", dt.date(2024, 1, 1)]

    def peak(n):
        tracemalloc.start()
        write_workbook(tmp_path / f"m{n}.xlsx", [SheetSpec("S", list("abcde"), rows(n), text_columns={1})])
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return result

    small, big = peak(500), peak(8_000)
    assert big < small + 1_000_000  # 16x the rows, (nearly) the same peak
