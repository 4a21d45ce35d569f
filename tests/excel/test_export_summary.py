"""`export summary` (the office's statistics workbook) and the star-level public list: sheet names
and header rows exactly as CONTRACT section 5, figures exactly the reports functions'."""
from datetime import date

import openpyxl
import pytest

from tests import factories
from volunteer.excel import exporters
from volunteer.extensions import db

reports = pytest.importorskip("volunteer.reports.services")

SHEETS = [
    ("按队伍", ["队伍名称", "队伍类型", "活动次数", "参与人次", "服务时长", "参与志愿者数"]),
    ("按类别", ["服务类别", "活动次数", "参与人次", "服务时长"]),
    ("按月份", ["月份", "活动次数", "参与人次", "服务时长", "新注册志愿者"]),
    ("志愿者排行", ["排名", "姓名", "所属队伍", "服务时长", "星级"]),
]


@pytest.fixture
def data(app):
    a = factories.make_team("甲队")
    b = factories.make_team("乙队", kind="职能部门")
    factories.make_team("丙队")  # active, no records: listed with zeros
    c1, c2 = factories.make_category("垃圾分类"), factories.make_category("文明交通")
    people = [factories.make_volunteer(n, teams=[a], registered_on=date(2025, 3, 2)) for n in ("赵", "钱", "孙", "李")]
    jan = factories.make_activity(a, service_date=date(2025, 1, 10), category=c1)
    mar = factories.make_activity(b, service_date=date(2025, 3, 5), category=c2)
    other_year = factories.make_activity(a, service_date=date(2024, 12, 31), category=c1)
    factories.make_record(jan, people[0], 600)
    factories.make_record(jan, people[1], 120)
    factories.make_record(mar, people[2], 120)
    factories.make_record(mar, people[3], 60, status="pending")
    factories.make_record(other_year, people[0], 100 * 60)  # all-time hours: ★
    db.session.commit()
    return {"a": a, "b": b}


def rows_of(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_sheets_and_headers_are_exact(app, data, tmp_path):
    out = tmp_path / "s.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "summary", str(out), "--year", "2025"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [name for name, _ in SHEETS]
    for name, header in SHEETS:
        assert rows_of(wb[name])[0] == header


def test_figures_are_the_reports_functions(app, data, tmp_path):
    out = tmp_path / "s.xlsx"
    exporters.export_summary(out, year=2025)
    wb = openpyxl.load_workbook(out)
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    team = rows_of(wb["按队伍"])[1:]
    assert team == [[r["name"], r["kind"], r["activities"], r["records"], r["hours"], r["volunteers"]]
                    for r in reports.summary_by_team(start, end)]
    assert team == [["甲队", "居委", 1, 2, 12, 2], ["乙队", "职能部门", 1, 1, 2, 1], ["丙队", "居委", 0, 0, 0, 0]]
    assert rows_of(wb["按类别"])[1:] == [[r["name"], r["activities"], r["records"], r["hours"]]
                                       for r in reports.summary_by_category(start, end)]
    months = rows_of(wb["按月份"])[1:]
    assert months == [["2025-01", 1, 2, 12, 0], ["2025-03", 1, 1, 2, 4]]
    assert wb["按月份"]["A2"].data_type == "s"
    ranking = rows_of(wb["志愿者排行"])[1:]
    assert ranking == [[1, "赵", "甲队", 10, "★"], [2, "孙", "甲队", 2, None], [2, "钱", "甲队", 2, None]]


def test_one_month(app, data, tmp_path):
    out = tmp_path / "s.xlsx"
    assert app.test_cli_runner().invoke(
        args=["export", "summary", str(out), "--year", "2025", "--month", "3"]).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert rows_of(wb["按月份"])[1:] == [["2025-03", 1, 1, 2, 4]]
    assert [r[1] for r in rows_of(wb["志愿者排行"])[1:]] == ["孙"]


@pytest.mark.parametrize("args, message", [
    ([], "缺少 --year：请指定年份，例如 --year 2025"),
    (["--year", "二〇二五"], "年份无效：二〇二五（应为四位数字，例如 2025）"),
    (["--year", "2025", "--month", "13"], "月份无效：13（应为 1–12）"),
])
def test_bad_arguments(app, tmp_path, args, message):
    out = tmp_path / "s.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "summary", str(out), *args])
    assert (result.exit_code, result.stderr) == (2, message + "\n")
    assert not out.exists()


def test_star_promotions_list(app, data, tmp_path):
    out = tmp_path / "stars.xlsx"
    assert exporters.export_star_promotions(out, date_from=date(2024, 1, 1), date_to=date(2024, 12, 31)) == 1
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws.title == "星级志愿者公示"
    assert rows_of(ws) == [["序号", "姓名", "所属队伍", "原星级", "新星级", "本期服务时长", "累计服务时长"],
                           [1, "赵", "甲队", None, "★", 100, 100]]
