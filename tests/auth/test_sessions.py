"""Sessions end on the server: a copied cookie stops working after its logout, a password change
or reset, or a disabled login; other sessions of the login (a venue tablet) survive a logout;
pages for a logged-in user and downloads are never cached."""
from datetime import date, timedelta

import volunteer.auth.services as auth_services
from volunteer.certificates.services import issue_certificate
from volunteer.extensions import db

from tests import factories as f
from tests.conftest import PASSWORD


def _logged_in(app, username, password=PASSWORD):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302
    return client


def _replay(app, cookie):
    """A fresh browser presenting a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_a_copied_cookie_stops_working_after_logout(app):
    f.make_user("office", username="clerk")
    db.session.commit()
    client = _logged_in(app, "clerk")
    cookie = client.get_cookie("session").value
    assert _replay(app, cookie).get("/").status_code == 200
    client.post("/logout")
    assert _replay(app, cookie).get("/").status_code == 302


def test_logout_leaves_the_logins_other_sessions(app):
    f.make_user("leader", username="leader1")
    db.session.commit()
    tablet, phone = _logged_in(app, "leader1"), _logged_in(app, "leader1")
    phone.post("/logout")
    assert phone.get("/").status_code == 302
    assert tablet.get("/").status_code == 200


def test_changing_ones_password_needs_the_current_one(app):
    user = f.make_user("office", username="clerk")
    db.session.commit()
    client = _logged_in(app, "clerk")
    html = client.post("/account/password", data={"current_password": "wrong-pass-1", "password": "new-pass-456",
                                                  "confirm": "new-pass-456"}).get_data(as_text=True)
    assert "当前密码不正确" in html
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
    html = client.post("/account/password", data={"password": "new-pass-456",
                                                  "confirm": "new-pass-456"}).get_data(as_text=True)
    assert "请输入当前密码" in html
    assert app.test_client().post("/login", data={"username": "clerk", "password": "new-pass-456"}).status_code == 200


def test_changing_ones_password_ends_the_other_sessions_only(app):
    f.make_user("office", username="clerk")
    db.session.commit()
    other, client = _logged_in(app, "clerk"), _logged_in(app, "clerk")
    r = client.post("/account/password", data={"current_password": PASSWORD, "password": "new-pass-456",
                                               "confirm": "new-pass-456"})
    assert r.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert _logged_in(app, "clerk", "new-pass-456").get("/").status_code == 200


def test_an_office_reset_ends_every_session_of_the_login(app, client, login_as):
    victim = f.make_user("leader", username="leader1")
    db.session.commit()
    theirs = _logged_in(app, "leader1")
    login_as("office")
    r = client.post(f"/users/{victim.id}/password")  # a one-time password, shown on the answer
    assert r.status_code == 200 and "只显示这一次" in r.text
    assert theirs.get("/").status_code == 302
    assert client.get("/").status_code == 200  # the office's own session is untouched


def test_the_office_cannot_reset_its_own_password_there_and_keeps_its_sessions(app, client, login_as):
    me = login_as("office")
    other = _logged_in(app, me.username)
    r = client.post(f"/users/{me.id}/password")
    assert "自己的密码请在“修改密码”页面修改" in r.text
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 200


def test_disabling_ends_sessions_for_good(app, client, login_as):
    victim = f.make_user("leader", username="leader1")
    db.session.commit()
    theirs = _logged_in(app, "leader1")
    login_as("office")
    client.post(f"/users/{victim.id}/disable")
    assert theirs.get("/").status_code == 302
    client.post(f"/users/{victim.id}/enable")
    assert theirs.get("/").status_code == 302  # re-enabling does not revive the old session
    assert _logged_in(app, "leader1").get("/").status_code == 200


def test_pages_are_not_stored_and_static_files_are(app, client, login_as):
    team = f.make_team()
    v = f.make_volunteer("陈静", teams=[team])
    f.make_record(f.make_activity(team), v, status="approved")
    cert = issue_certificate(f.make_user("office"), v, date(2026, 1, 1), date(2026, 6, 30), today=date(2026, 7, 1))
    db.session.commit()
    assert "no-store" in client.get(f"/certificates/verify/{cert.code}").headers.get("Cache-Control", "")
    login_as("office")
    for path in ("/", "/volunteers/", f"/volunteers/{v.id}", "/users/", "/account/password"):
        assert "no-store" in client.get(path).headers.get("Cache-Control", ""), path
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")


def test_downloads_are_not_stored(client, login_as):
    login_as("office")
    r = client.get("/exports/volunteers")
    assert r.status_code == 200 and "attachment" in r.headers.get("Content-Disposition", "")
    assert "no-store" in r.headers["Cache-Control"]


def test_a_stolen_session_cannot_guess_the_current_password(app):
    f.make_user("office", username="clerk")
    db.session.commit()
    client = _logged_in(app, "clerk")
    for _ in range(5):
        client.post("/account/password", data={"current_password": "guess-pass-1", "password": "new-pass-456",
                                               "confirm": "new-pass-456"})
    html = client.post("/account/password", data={"current_password": PASSWORD, "password": "new-pass-456",
                                                  "confirm": "new-pass-456"}).get_data(as_text=True)
    assert "操作过于频繁" in html
    assert _logged_in(app, "clerk", PASSWORD)  # the password is unchanged


def test_a_session_expires_after_the_longest_life(app, monkeypatch):
    f.make_user("office", username="clerk")
    db.session.commit()
    client = _logged_in(app, "clerk")
    later = auth_services.utcnow() + timedelta(days=app.config["LOGIN_SESSION_MAX_DAYS"], hours=1)
    monkeypatch.setattr(auth_services, "utcnow", lambda: later)
    assert client.get("/").status_code == 302
