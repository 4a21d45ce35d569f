"""Download names say what the file holds (kind, period, status, filters), and reports and
their workbooks say 未锁账 while a month is still open."""
from datetime import date
from io import BytesIO
from urllib.parse import quote, unquote

from openpyxl import load_workbook

from volunteer.extensions import db
from volunteer.hours.models import MonthLock

from tests import factories as f


def _name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


def test_hours_export_name_says_kind_period_and_status(client, login_as):
    team = f.make_team(name="绿化队")
    db.session.commit()
    login_as("office")
    assert _name(client.get("/exports/hours?month=2026-11&status=pending")) == "服务时长_2026-11_待审核.xlsx"
    assert _name(client.get(f"/exports/hours?month=2026-11&status=pending&team_id={team.id}")) == \
        "服务时长_2026-11_待审核_绿化队.xlsx"
    assert _name(client.get("/exports/hours?from=2026-11-01&to=2026-11-30&status=approved")) == \
        "服务时长_2026-11-01至2026-11-30_已确认.xlsx"


def test_different_exports_never_share_a_name(client, login_as):
    team = f.make_team(name="绿化队")
    db.session.commit()
    login_as("office")
    urls = ["/exports/hours", "/exports/hours?status=pending", "/exports/hours?status=approved",
            "/exports/hours?month=2026-11", f"/exports/hours?team_id={team.id}", "/exports/activities",
            "/exports/activities?status=draft", "/exports/volunteers", "/exports/volunteers?status=cancelled",
            f"/exports/volunteers?team_id={team.id}", "/exports/summary?year=2026",
            "/exports/summary?year=2026&month=3"]
    names = [_name(client.get(url)) for url in urls]
    assert len(set(names)) == len(names), names


def test_summary_of_an_unlocked_month_says_so_in_name_and_workbook(client, login_as):
    f.make_record(f.make_activity(service_date=date(2026, 3, 5)), minutes=60, status="pending")
    f.make_record(f.make_activity(service_date=date(2026, 3, 6)), minutes=60, status="approved")
    db.session.commit()
    login_as("office")
    response = client.get("/exports/summary?year=2026&month=3")
    assert _name(response) == "统计报表_2026-03_未锁账.xlsx"
    wb = load_workbook(BytesIO(response.data))
    assert wb.sheetnames[-1] == "说明"
    assert "未锁账" in wb["说明"]["A2"].value and "1 条待审核" in wb["说明"]["A2"].value

    db.session.add(MonthLock(month="2026-02"))
    db.session.commit()
    locked = client.get("/exports/summary?year=2026&month=2")
    assert _name(locked) == "统计报表_2026-02_已锁账.xlsx"
    assert "说明" not in load_workbook(BytesIO(locked.data)).sheetnames


def test_report_page_says_unlocked_with_pending_count(client, login_as):
    f.make_record(f.make_activity(service_date=date(2026, 3, 5)), minutes=60, status="pending")
    f.make_record(f.make_activity(service_date=date(2026, 3, 9)), minutes=60, status="pending")
    db.session.commit()
    login_as("office")
    html = client.get("/reports/?year=2026&month=3").get_data(as_text=True)
    assert "未锁账" in html and "还有 2 条待审核" in html
    db.session.add(MonthLock(month="2026-02"))
    db.session.commit()
    assert 'id="report-unlocked"' not in client.get("/reports/?year=2026&month=2").get_data(as_text=True)
