"""The reports pages: permissions per role, a leader's scope, the filter, server-side charts."""
from datetime import date

import pytest

from volunteer.extensions import db

from tests import factories as f

PAGES = ["/reports/", "/reports/ranking", "/reports/stars"]


def _two_teams():
    mine, theirs = f.make_team("我的队"), f.make_team("别人的队")
    cat = f.make_category("文明交通")
    a = f.make_volunteer("甲", teams=[mine])
    b = f.make_volunteer("乙", teams=[theirs])
    f.make_record(f.make_activity(mine, service_date=date(2026, 3, 1), category=cat), a, minutes=150)
    f.make_record(f.make_activity(theirs, service_date=date(2026, 4, 1), category=cat), b, minutes=600)
    db.session.commit()
    return mine, theirs


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", PAGES)
def test_volunteer_is_refused(client, login_as, url):
    login_as("volunteer", volunteer=f.make_volunteer())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_office_and_leader_see_the_pages(client, login_as, url):
    mine, _ = _two_teams()
    login_as("leader", teams=[mine])
    assert client.get(url + "?year=2026").status_code == 200


def test_office_sees_everything(client, login_as):
    _two_teams()
    login_as("office")
    html = client.get("/reports/?year=2026").get_data(as_text=True)
    assert 'data-total="hours">12.5<' in html and 'data-total="records">2<' in html
    assert "我的队" in html and "别人的队" in html
    assert html.count("<svg") >= 4 and "<script>" not in html and "onclick" not in html
    assert "2026年 · 全镇" in html


def test_leader_sees_only_own_teams(client, login_as):
    mine, theirs = _two_teams()
    login_as("leader", teams=[mine])
    html = client.get("/reports/?year=2026").get_data(as_text=True)
    assert 'data-total="hours">2.5<' in html and 'data-total="active">1<' in html and "别人的队" not in html
    ranking = client.get("/reports/ranking?year=2026").get_data(as_text=True)
    assert "甲" in ranking and "<td>乙</td>" not in ranking
    assert client.get(f"/reports/?year=2026&team_id={mine.id}").status_code == 200
    assert client.get(f"/reports/?year=2026&team_id={theirs.id}").status_code == 404
    assert client.get(f"/reports/ranking?team_id={theirs.id}").status_code == 404


def test_month_and_range_filters(client, login_as):
    _two_teams()
    login_as("office")
    march = client.get("/reports/?year=2026&month=3").get_data(as_text=True)
    assert 'data-total="hours">2.5<' in march and "2026年3月" in march
    both = client.get("/reports/?date_from=2026-03-01&date_to=2026-04-30").get_data(as_text=True)
    assert 'data-total="hours">12.5<' in both and "2026-03-01 至 2026-04-30" in both
    bad = client.get("/reports/?date_from=2026-05-01&date_to=2026-04-30")
    assert bad.status_code == 200 and "截止日期不能早于起始日期" in bad.get_data(as_text=True)
    assert client.get("/reports/?category_id=99999").status_code == 404


def test_ranking_page_lists_everyone_with_hours(client, login_as):
    _two_teams()
    login_as("office")
    html = client.get("/reports/ranking?year=2026").get_data(as_text=True)
    assert html.index("乙") < html.index("甲") and "★" not in html.split('id="ranking"')[1]


def test_star_promotions_page(client, login_as):
    team = f.make_team("甲队")
    v = f.make_volunteer("升星者", teams=[team])
    f.make_record(f.make_activity(team, service_date=date(2026, 2, 1)), v, minutes=100 * 60)
    db.session.commit()
    login_as("office")
    html = client.get("/reports/stars?year=2026").get_data(as_text=True)
    assert "升星者" in html and "★" in html
    assert "升星者" not in client.get("/reports/stars?year=2025").get_data(as_text=True)


@pytest.mark.parametrize("url", PAGES)
def test_office_sees_every_report_page(client, login_as, url):
    _two_teams()
    login_as("office")
    assert client.get(url + "?year=2026").status_code == 200


def test_unusable_filters_fall_back_quietly(client, login_as, today):
    _two_teams()
    login_as("office")
    html = client.get("/reports/?year=1800&month=13").get_data(as_text=True)
    assert f"{today.year}年 · 全镇" in html and "Not a valid" not in html
    assert client.get("/reports/?date_from=nonsense&date_to=2026-01-01").status_code == 200
    assert client.get("/reports/?team_id=abc").status_code == 404


def test_leader_without_teams_sees_zeros(client, login_as):
    _two_teams()
    login_as("leader")
    for url in PAGES:
        response = client.get(url + "?year=2026")
        assert response.status_code == 200
    assert 'data-total="hours">0<' in client.get("/reports/?year=2026").get_data(as_text=True)
