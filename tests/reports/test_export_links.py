"""The report pages offer the downloads of what they show: the period's service records (under
the page's team and category), the office's statistics workbook, the star list."""
import html
import re
from datetime import date

import pytest

from tests import factories
from tests.exports.test_routes import sheet
from volunteer.extensions import db


@pytest.fixture
def town(app):
    a, b = factories.make_team("甲队"), factories.make_team("乙队")
    sorting, traffic = factories.make_category("垃圾分类"), factories.make_category("文明交通")
    zhao, qian, sun = (factories.make_volunteer(n, teams=[t]) for n, t in (("赵一", a), ("钱二", a), ("孙三", b)))
    march = factories.make_activity(a, title="甲队三月", service_date=date(2026, 3, 15), category=sorting)
    march_b = factories.make_activity(b, title="乙队三月", service_date=date(2026, 3, 20), category=traffic)
    april = factories.make_activity(a, title="甲队四月", service_date=date(2026, 4, 2), category=sorting)
    factories.make_record(march, zhao, 120)
    factories.make_record(march, qian, 60, status="pending")
    factories.make_record(march_b, sun, 90)
    factories.make_record(april, zhao, 30)
    db.session.commit()
    return {"a": a, "b": b, "traffic": traffic}


def links(client, url) -> dict[str, str]:
    page = client.get(url).get_data(as_text=True)
    block = re.search(r'id="report-exports">(.*?)</div>', page, re.S)
    return {label: html.unescape(href) for href, label in re.findall(r'href="([^"]+)">([^<]+)</a>', block.group(1))} \
        if block else {}


def records_in(client, url) -> list[tuple]:
    _, rows = sheet(client.get(url))
    return sorted((r[0], r[4], r[9], r[11]) for r in rows[1:])  # 姓名, 活动, 时长, 状态


def test_the_office_downloads_the_month_it_is_looking_at(client, login_as, town):
    login_as("office")
    found = links(client, "/reports/?year=2026&month=3")
    assert set(found) == {"导出本期服务记录明细", "导出2026年3月统计报表"}
    assert records_in(client, found["导出本期服务记录明细"]) == [("孙三", "乙队三月", 1.5, "已确认"),
                                                              ("赵一", "甲队三月", 2, "已确认")]
    assert found["导出2026年3月统计报表"] == "/exports/summary?year=2026&month=3"
    assert client.get(found["导出2026年3月统计报表"]).status_code == 200


def test_a_category_or_team_on_the_page_is_in_the_download(client, login_as, town):
    login_as("office")
    found = links(client, f"/reports/?year=2026&month=3&category_id={town['traffic'].id}")
    assert set(found) == {"导出本期服务记录明细"}  # the statistics workbook is town-wide
    assert records_in(client, found["导出本期服务记录明细"]) == [("孙三", "乙队三月", 1.5, "已确认")]
    found = links(client, f"/reports/?year=2026&team_id={town['a'].id}")
    assert records_in(client, found["导出本期服务记录明细"]) == [("赵一", "甲队三月", 2, "已确认"),
                                                              ("赵一", "甲队四月", 0.5, "已确认")]


def test_a_leader_gets_the_records_of_the_teams_they_lead_only(client, login_as, town):
    login_as("leader", teams=[town["a"]])
    found = links(client, "/reports/?year=2026")
    assert set(found) == {"导出本期服务记录明细"}
    assert [r[0] for r in records_in(client, found["导出本期服务记录明细"])] == ["赵一", "赵一"]
    assert links(client, "/reports/stars?year=2026") == {}


def test_the_office_downloads_the_star_list_of_the_period(client, login_as, town):
    login_as("office")
    found = links(client, "/reports/stars?date_from=2026-01-01&date_to=2026-06-30")
    assert found == {"导出公示名单": "/exports/stars?from=2026-01-01&to=2026-06-30"}
    assert client.get(found["导出公示名单"]).status_code == 200
