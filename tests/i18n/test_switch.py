"""Which language a page is answered in: the remembered switch, else the browser, else Chinese."""
import pytest

from tests import factories

EN_FIRST = "en-US,en;q=0.9,zh-CN;q=0.8"


def _lang(client, **headers):
    html = client.get("/login", headers=headers).get_data(as_text=True)
    return "en" if '<html lang="en">' in html else "zh"


def test_chinese_is_the_default(client):
    assert _lang(client) == "zh"
    assert "登录" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("header, expected", [
    (EN_FIRST, "en"),
    ("en", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("en;q=0.5,zh;q=0.5", "zh"),  # a tie goes to Chinese
    ("fr-FR,fr;q=0.9,en;q=0.8", "en"),
    ("fr-FR", "zh"),
    ("zh-TW,en;q=0.5", "zh"),
])
def test_accept_language(client, header, expected):
    assert _lang(client, **{"Accept-Language": header}) == expected


def test_the_switch_is_remembered_over_the_browser(client):
    response = client.post("/language", data={"lang": "zh", "next": "/login?x=1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login?x=1")
    assert _lang(client, **{"Accept-Language": EN_FIRST}) == "zh"
    client.post("/language", data={"lang": "en", "next": "/login"})
    assert _lang(client) == "en"


def test_the_switch_refuses_other_languages_and_foreign_next(client):
    assert client.post("/language", data={"lang": "fr"}).status_code == 400
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_the_switch_is_a_post_with_csrf(csrf_app):
    client = csrf_app.test_client()
    assert client.get("/language").status_code == 405
    assert client.post("/language", data={"lang": "en"}).status_code == 400
    html = client.get("/login").get_data(as_text=True)
    assert 'action="/language"' in html and 'name="csrf_token"' in html


def test_staff_pages_stay_chinese_but_their_volunteer_pages_follow(client, login_as):
    team = factories.make_team()
    login_as("leader", teams=[team])
    client.post("/language", data={"lang": "en"})
    assert '<html lang="zh-CN">' in client.get("/teams/").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/account/password").get_data(as_text=True)


def test_the_switch_shows_on_the_volunteers_pages_not_the_offices(client, login_as):
    assert 'action="/language"' in client.get("/login").get_data(as_text=True)
    login_as("office")
    assert 'action="/language"' not in client.get("/teams/").get_data(as_text=True)


def test_switching_changes_nothing_else(client, login_as):
    """The switch keeps the login and writes nothing but its cookie (CONTRACT.md section 11)."""
    from sqlalchemy import func, select

    from volunteer.audit.models import AuditLog
    from volunteer.extensions import db

    volunteer = factories.make_volunteer()
    login_as(factories.make_user("volunteer", volunteer=volunteer))
    before = db.session.scalar(select(func.count()).select_from(AuditLog))
    response = client.post("/language", data={"lang": "en", "next": "/me"})
    assert "lang=en" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/me")
    assert page.status_code == 200 and "My volunteer service" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == before


def test_dates_follow_the_language(app):
    from datetime import date, datetime

    from flask_babel import refresh

    from volunteer.i18n import l10n

    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()  # the fixture's app context outlives one request: choose afresh, as each request does
        assert l10n(date(2026, 3, 5)) == "Mar 5, 2026"
        assert l10n(datetime(2026, 3, 5, 2, 30)) == "Mar 5, 2026 10:30"  # stored UTC, shown in Beijing time
        assert l10n(1234.5) == "1,234.5"
    with app.test_request_context():
        refresh()
        assert l10n(date(2026, 3, 5)) == "2026-03-05"
        assert l10n(datetime(2026, 3, 5, 2, 30)) == "2026-03-05 10:30"
        assert l10n(1234) == "1234"
