"""`export hours` and exporters.export_hours: columns, every status, inclusive dates, team scope,
bad arguments, and overflow onto a second sheet."""
from datetime import date, datetime

import openpyxl
import pytest

from tests import factories
from volunteer.errors import ServiceError
from volunteer.excel import exporters, writer
from volunteer.extensions import db
from volunteer.privacy import mask_id

HEADER = ["姓名", "证件号码", "手机号码", "所属队伍", "活动名称", "服务类别", "活动日期", "开始时间", "结束时间",
          "服务时长", "备注", "状态", "记录人", "审核时间"]


@pytest.fixture
def records(app):
    a, b = factories.make_team("甲队"), factories.make_team("乙队")
    cat = factories.make_category("垃圾分类")
    clerk = factories.make_user("leader", username="leader-a", display_name="甲队长", teams=[a])
    zhang, li = factories.make_volunteer("张三", teams=[a]), factories.make_volunteer("李四", teams=[b])
    acts = {d: factories.make_activity(a, title=f"活动{d:%m%d}", service_date=d, category=cat,
                                       start_time="09:00", end_time="11:30")
            for d in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1))}
    other = factories.make_activity(b, title="乙队活动", service_date=date(2026, 3, 10), category=cat)
    factories.make_record(acts[date(2026, 2, 28)], zhang, 60)
    factories.make_record(acts[date(2026, 3, 1)], zhang, 90, status="approved",
                          approved_at=datetime(2026, 3, 2, 1, 30), note="=1+2")
    factories.make_record(acts[date(2026, 3, 31)], zhang, 100, status="pending", created_by_id=clerk.id)
    factories.make_record(acts[date(2026, 3, 31)], li, 45, status="void", void_reason="重复")
    factories.make_record(acts[date(2026, 4, 1)], zhang, 30)
    factories.make_record(other, li, 120)
    db.session.commit()
    return {"a": a, "b": b, "zhang": zhang, "li": li, "clerk": clerk}


def run(app, *args):
    return app.test_cli_runner().invoke(args=["export", "hours", *args])


def read(path):
    wb = openpyxl.load_workbook(path)
    return wb, [dict(zip(HEADER, r)) for ws in wb.worksheets for r in ws.iter_rows(min_row=2, values_only=True)]


def test_header_and_every_status_with_labels(app, records, tmp_path):
    out = tmp_path / "h.xlsx"
    result = run(app, str(out))
    assert result.exit_code == 0, result.output
    wb, rows = read(out)
    assert wb.sheetnames == ["服务时长"]
    assert [c.value for c in wb.worksheets[0][1]] == HEADER
    assert len(rows) == 6
    assert sorted(r["状态"] for r in rows) == ["已作废", "已确认", "已确认", "已确认", "已确认", "待审核"]
    assert [r["活动日期"].date() for r in rows] == sorted(r["活动日期"].date() for r in rows)


def test_values_of_one_record(app, records, tmp_path):
    out = tmp_path / "h.xlsx"
    assert run(app, str(out), "--from", "2026-03-01", "--to", "2026-03-01").exit_code == 0
    wb, rows = read(out)
    (row,) = rows
    zhang = records["zhang"]
    assert row["姓名"] == "张三" and row["证件号码"] == mask_id(zhang.id_number) and row["手机号码"] == zhang.phone
    assert (row["所属队伍"], row["活动名称"], row["服务类别"]) == ("甲队", "活动0301", "垃圾分类")
    assert (row["开始时间"], row["结束时间"]) == ("09:00", "11:30")
    assert row["服务时长"] == 1.5 and isinstance(row["服务时长"], float)
    assert row["审核时间"] == datetime(2026, 3, 2, 9, 30)  # Beijing time
    note = wb.worksheets[0]["K2"]
    assert (note.value, note.data_type, note.quotePrefix) == ("=1+2", "s", False)


def test_from_to_are_inclusive_and_team_limits(app, records, tmp_path):
    out = tmp_path / "h.xlsx"
    assert run(app, str(out), "--from", "2026-03-01", "--to", "2026-03-31").exit_code == 0
    rows = read(out)[1]
    assert sorted(r["活动日期"].date() for r in rows) == [date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 31),
                                                      date(2026, 3, 31)]
    assert run(app, str(out), "--from", "2026-03-01", "--to", "2026-03-31", "--team", "甲队").exit_code == 0
    rows = read(out)[1]
    assert {r["所属队伍"] for r in rows} == {"甲队"} and len(rows) == 3
    assert {r["记录人"] for r in rows if r["状态"] == "待审核"} == {"甲队长"}


@pytest.mark.parametrize("args, message", [
    (["--from", "2026/03/01"], "--from 日期格式不正确：2026/03/01（应为 YYYY-MM-DD，例如 2025-01-31）"),
    (["--to", "2026-02-30"], "--to 日期格式不正确：2026-02-30（应为 YYYY-MM-DD，例如 2025-01-31）"),
    (["--from", "2026-04-01", "--to", "2026-03-01"], "--from 2026-04-01 晚于 --to 2026-03-01"),
    (["--team", "丙队"], "队伍不存在：丙队"),
])
def test_bad_arguments_exit_2_with_one_line(app, records, tmp_path, args, message):
    out = tmp_path / "h.xlsx"
    result = run(app, str(out), *args)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
    assert not out.exists()


def test_overflow_continues_on_a_second_sheet(app, records, tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "MAX_ROWS_PER_SHEET", 4)
    out = tmp_path / "h.xlsx"
    assert exporters.export_hours(None, out) == 6
    wb, rows = read(out)
    assert wb.sheetnames == ["服务时长", "服务时长(2)"]
    assert [c.value for c in wb.worksheets[1][1]] == HEADER
    assert [ws.max_row for ws in wb.worksheets] == [5, 3] and len(rows) == 6


def test_service_scope_and_filters(app, records, tmp_path):
    leader = factories.make_user("leader", teams=[records["b"]])
    out = tmp_path / "l.xlsx"
    assert exporters.export_hours(leader, out) == 1
    assert {r["所属队伍"] for r in read(out)[1]} == {"乙队"}
    assert exporters.export_hours(None, out, filters={"month": "2026-03", "status": "approved"}) == 2
    assert exporters.export_hours(leader, out, filters={"team_id": records["a"].id}) == 0
    with pytest.raises(ServiceError):
        exporters.export_hours(None, out, date_from=date(2026, 4, 1), date_to=date(2026, 3, 1))
    with pytest.raises(ServiceError):
        exporters.export_hours(factories.make_user("volunteer"), out)
