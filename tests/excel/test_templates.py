"""Tests for volunteer.excel.templates: layout, drop-downs, and re-import of a filled template."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from volunteer.excel.columns import KINDS
from volunteer.excel.reader import read_table
from volunteer.excel.templates import DATA_SHEETS, build_template

TEAMS = [f"乙第{i:02d}居委志愿服务队" for i in range(50)]  # inline form far over 255 characters
CATEGORIES = ["助力创全", "疫情防控", "文明传播", "文明交通", "垃圾分类", "为民服务"]


def build(kind: str, **kw) -> bytes:
    buf = io.BytesIO()
    build_template(kind, buf, team_names=kw.get("team_names", TEAMS), categories=kw.get("categories", CATEGORIES))
    return buf.getvalue()


def validations(ws) -> dict[str, object]:
    """Header (without '*') -> data validation covering that column's row 2."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        found[ws[f"{col}1"].value.rstrip("*")] = dv
    return found


@pytest.mark.parametrize("kind", ["volunteers", "teams", "hours"])
def test_layout_headers_and_instructions(kind):
    wb = openpyxl.load_workbook(io.BytesIO(build(kind)))
    assert wb.sheetnames[:2] == [DATA_SHEETS[kind], "填写说明"]
    data = wb.worksheets[0]
    expected = [c.header + ("*" if c.required else "") for c in KINDS[kind].columns]
    assert [c.value for c in data[1]] == expected
    assert data.freeze_panes == "A2"
    rules = [r[0].value for r in wb["填写说明"].iter_rows(min_row=2)]
    assert len(rules) >= 8 and all(isinstance(r, str) and r for r in rules)
    assert any("带 * 的列为必填列" in r for r in rules)
    assert any("1990年1月5日" in r for r in rules)


def test_volunteer_text_columns_and_dropdowns():
    wb = openpyxl.load_workbook(io.BytesIO(build("volunteers")))
    ws = wb["志愿者花名册"]
    col = {c.value.rstrip("*"): c.column_letter for c in ws[1]}
    for header in ("证件号码", "手机号码", "出生日期", "监护人电话", "注册日期"):
        assert ws[f"{col[header]}2"].number_format == "@"
        assert ws[f"{col[header]}2000"].number_format == "@"
    assert ws[f"{col['姓名']}2"].number_format == "General"
    dvs = validations(ws)
    assert dvs["性别"].formula1 == '"男,女"'
    assert "居民身份证" in dvs["证件类型"].formula1 and "外国人永久居留身份证" in dvs["证件类型"].formula1
    assert "中共党员" in dvs["政治面貌"].formula1
    assert dvs["所属队伍"].formula1 == "'_lists'!$A$1:$A$50"
    assert dvs["所属队伍"].showErrorMessage is False  # several teams joined by 、 must be allowed
    assert dvs["性别"].showErrorMessage is True
    lists = wb["_lists"]
    assert lists.sheet_state == "hidden"
    assert [r[0].value for r in lists.iter_rows(max_col=1)] == TEAMS
    assert "所属队伍" in " ".join(r[0].value for r in wb["填写说明"].iter_rows(min_row=2))


def test_teams_and_hours_dropdowns():
    teams = openpyxl.load_workbook(io.BytesIO(build("teams")))
    dvs = validations(teams["队伍"])
    assert dvs["队伍类型"].formula1 == '"居委,职能部门,社会组织"'
    assert dvs["服务类别"].formula1 == '"' + ",".join(CATEGORIES) + '"'
    assert "_lists" not in teams.sheetnames  # nothing long enough to need it
    hours = openpyxl.load_workbook(io.BytesIO(build("hours", categories=[f"类别{i:03d}" for i in range(60)])))
    dvs = validations(hours["服务时长"])
    assert dvs["所属队伍"].formula1 == "'_lists'!$A$1:$A$50"
    assert dvs["服务类别"].formula1 == "'_lists'!$B$1:$B$60"
    assert hours["_lists"].sheet_state == "hidden"


def test_short_team_list_is_inline_and_empty_list_has_no_dropdown():
    wb = openpyxl.load_workbook(io.BytesIO(build("volunteers", team_names=["甲队", "乙队"])))
    assert validations(wb.worksheets[0])["所属队伍"].formula1 == '"甲队,乙队"'
    wb = openpyxl.load_workbook(io.BytesIO(build("hours", team_names=[], categories=[])))
    assert validations(wb.worksheets[0]) == {}


@pytest.mark.parametrize("kind, rows, check", [
    ("volunteers",
     [["张三", "男", None, "310104199001011234", "13800138000", "1990-01-01"],
      ["李四", None, None, "31010419900101123X", "13900139000", None, None, None, None, None, "乙第01居委志愿服务队"]],
     {"name": "李四", "teams": "乙第01居委志愿服务队", "id_number": "31010419900101123X"}),
    ("teams", [["甲队", "居委"], ["乙队", "职能部门", "乙站"]], {"name": "乙队", "position": "乙站"}),
    ("hours",
     [["张三", "310104199001011234", None, "甲队", "活动", "助力创全", "2024-01-05", None, None, 2],
      ["李四", None, "13900139000", "甲队", "活动", None, "2024-01-05", dt.time(9), dt.time(11), 1.5]],
     {"name": "李四", "phone": "13900139000", "hours": 1.5, "start_time": dt.time(9)}),
])
def test_filled_template_imports(tmp_path, kind, rows, check):
    wb = openpyxl.load_workbook(io.BytesIO(build(kind)))
    ws = wb.worksheets[0]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    table = read_table(path, kind)
    assert (table.sheet, table.header_row) == (DATA_SHEETS[kind], 1)
    assert [r.number for r in table.rows] == [2, 3]
    assert table.missing == ()
    assert {k: table.rows[1].values[k] for k in check} == check
    assert table.rows[0].values["name"] == rows[0][0]
