"""Excel downloads per role: anonymous → login, volunteer 403, leader scoped to their teams,
office everything; the roster under the list's filters; the Chinese download name."""
import io
from datetime import date
from urllib.parse import quote

import openpyxl
import pytest
from sqlalchemy import select

from tests import factories
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.privacy import mask_tail

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENDPOINTS = ["/exports/templates/volunteers", "/exports/templates/teams", "/exports/templates/hours",
             "/exports/volunteers", "/exports/hours", "/exports/activities", "/exports/summary?year=2026",
             "/exports/stars"]
OFFICE_ONLY = ["/exports/summary?year=2026", "/exports/stars"]


@pytest.fixture
def town(app):
    a, b = factories.make_team("甲队"), factories.make_team("乙队")
    cat = factories.make_category("垃圾分类")
    people = {
        "赵一": factories.make_volunteer("赵一", teams=[a], political_status="中共党员"),
        "钱二": factories.make_volunteer("钱二", teams=[a], political_status="群众"),
        "孙三": factories.make_volunteer("孙三", teams=[b], political_status="中共党员"),
        "李四": factories.make_volunteer("李四", teams=[a, b], political_status="中共党员", status="cancelled"),
    }
    act_a = factories.make_activity(a, title="甲队三月活动", service_date=date(2026, 3, 15), category=cat)
    act_b = factories.make_activity(b, title="乙队四月活动", service_date=date(2026, 4, 2), category=cat,
                                    status="draft")
    factories.make_record(act_a, people["赵一"], 120)
    factories.make_record(act_a, people["钱二"], 60, status="pending")
    factories.make_record(act_b, people["孙三"], 90)
    db.session.commit()
    return {"a": a, "b": b, "people": people}


def sheet(response, index=0):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    return wb, [list(r) for r in wb.worksheets[index].iter_rows(values_only=True)]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_volunteer_is_refused(client, login_as, url):
    login_as("volunteer")
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", OFFICE_ONLY)
def test_leader_is_refused_office_only_downloads(client, login_as, town, url):
    login_as("leader", teams=[town["a"]])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ENDPOINTS)
def test_office_gets_every_download(client, login_as, town, url):
    login_as("office")
    response = client.get(url)
    sheet(response)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_download_name_is_chinese_rfc5987(client, login_as, town):
    login_as("office")
    disposition = client.get("/exports/templates/hours").headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("服务时长导入模板.xlsx") in disposition
    disposition = client.get("/exports/summary?year=2026&month=3").headers["Content-Disposition"]
    assert quote("统计报表_2026-03_") in disposition
    disposition = client.get("/exports/volunteers").headers["Content-Disposition"]
    assert "filename*=UTF-8''" + quote("志愿者花名册_") in disposition


def test_unknown_template_kind_is_404(client, login_as):
    login_as("office")
    assert client.get("/exports/templates/records").status_code == 404


def test_template_lists_current_teams(client, login_as, town):
    login_as("leader", teams=[town["a"]])
    wb, rows = sheet(client.get("/exports/templates/volunteers"))
    assert rows[0][0] == "姓名*"
    validations = wb.worksheets[0].data_validations.dataValidation
    assert any('"甲队"' == (v.formula1 or "") for v in validations)


def names(rows):
    return sorted(r[0] for r in rows[1:])


def test_leader_roster_is_own_teams_masked(client, login_as, town):
    login_as("leader", teams=[town["a"]])
    _, rows = sheet(client.get("/exports/volunteers"))
    assert names(rows) == ["李四", "赵一", "钱二"]
    zhao = town["people"]["赵一"]
    assert [r[3] for r in rows[1:] if r[0] == "赵一"] == [mask_tail(zhao.id_number)]  # last 4 for leaders
    assert {r[5] for r in rows[1:]} == {None}  # 出生日期 stays, empty
    # A team outside the leader's scope is dropped like the list drops it: own teams only.
    _, rows = sheet(client.get(f"/exports/volunteers?team_id={town['b'].id}"))
    assert names(rows) == ["李四", "赵一", "钱二"]


@pytest.mark.parametrize("query", [
    "political_status=中共党员", "status=cancelled", "q=赵", "political_status=中共党员&status=active",
    "team_id={b}", "team_id={b}&political_status=中共党员&status=active", "age_group=60%2B",
])
def test_roster_filters_equal_the_list(client, login_as, town, query):
    login_as("office")
    query = query.format(b=town["b"].id)
    _, rows = sheet(client.get(f"/exports/volunteers?{query}"))
    response = client.get(f"/volunteers/?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    shown = sorted(n for n in town["people"] if n in page)
    assert names(rows) == shown


def test_office_full_id_is_audited(client, login_as, town):
    office = login_as("office")
    _, rows = sheet(client.post("/exports/volunteers/full-id", data={"team_id": town["b"].id}))
    assert sorted(r[3] for r in rows[1:]) == sorted(town["people"][n].id_number for n in ("孙三", "李四"))
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "volunteer.export_full_id"))
    assert entry.actor_id == office.id and entry.changes["count"] == 2


def test_hours_scoped(client, login_as, town):
    login_as("leader", teams=[town["a"]])
    _, rows = sheet(client.get("/exports/hours"))
    assert sorted((r[0], r[11]) for r in rows[1:]) == [("赵一", "已确认"), ("钱二", "待审核")]
    _, rows = sheet(client.get(f"/exports/hours?team_id={town['b'].id}"))
    assert rows[1:] == []


def test_hours_filters(client, login_as, town):
    login_as("office")
    _, rows = sheet(client.get("/exports/hours?month=2026-04"))
    assert [r[0] for r in rows[1:]] == ["孙三"]
    _, rows = sheet(client.get("/exports/hours?status=pending"))
    assert [r[0] for r in rows[1:]] == ["钱二"]
    _, rows = sheet(client.get("/exports/hours?from=2026-03-15&to=2026-03-15"))
    assert sorted(r[0] for r in rows[1:]) == ["赵一", "钱二"]


def test_activities_scoped(client, login_as, town):
    login_as("leader", teams=[town["b"]])
    _, rows = sheet(client.get("/exports/activities"))
    assert rows[0][:4] == ["活动名称", "所属队伍", "服务类别", "活动日期"]
    assert [r[0] for r in rows[1:]] == ["乙队四月活动"]


def test_activities_filtered(client, login_as, town):
    login_as("office")
    _, rows = sheet(client.get("/exports/activities"))
    assert [(r[0], r[7], r[9], r[10]) for r in rows[1:]] == [("乙队四月活动", "草稿", 1, 1.5),
                                                             ("甲队三月活动", "已发布", 2, 2)]
    _, rows = sheet(client.get("/exports/activities?status=published&month=2026-03"))
    assert [r[0] for r in rows[1:]] == ["甲队三月活动"]


def test_summary_and_stars_for_the_office(client, login_as, town):
    login_as("office")
    wb, rows = sheet(client.get("/exports/summary?year=2026"))
    assert wb.sheetnames[:4] == ["按队伍", "按类别", "按月份", "志愿者排行"]  # then 说明 while unlocked
    assert sorted(r[0] for r in rows[1:]) == ["乙队", "甲队"]
    wb, rows = sheet(client.get("/exports/stars?from=2026-01-01&to=2026-12-31"))
    assert rows[0][0] == "序号" and rows[1:] == []


def test_list_pages_offer_an_export_of_what_they_show(app, client, login_as):
    """The export buttons carry the list's current filters."""
    from tests import factories as f

    team = f.make_team()
    login_as("office")
    html = client.get(f"/volunteers/?team_id={team.id}&status=active").get_data(as_text=True)
    assert f"/exports/volunteers?team_id={team.id}&amp;status=active" in html
    html = client.get(f"/activities/?team_id={team.id}&month=2026-03").get_data(as_text=True)
    assert "/exports/activities?" in html and "month=2026-03" in html and f"team_id={team.id}" in html
    html = client.get(f"/hours/approvals?team_id={team.id}").get_data(as_text=True)
    assert "/exports/hours?" in html and "status=pending" in html
