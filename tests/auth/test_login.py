"""Logging in and out, throttling kept in the database (volunteer/throttle.py), account claim,
password rules."""
from datetime import timedelta

import volunteer.throttle
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.clock import utcnow

from tests import factories as f
from tests.conftest import PASSWORD


def test_login_page_has_the_contract_fields(client, app):
    html = client.get("/login").get_data(as_text=True)
    for name in ('name="username"', 'name="password"'):
        assert name in html


def test_wrong_password_says_so_in_chinese_and_keeps_username(client, app):
    f.make_user("office", username="clerk")
    db.session.commit()
    html = client.post("/login", data={"username": "clerk", "password": "nope-nope-1"}).get_data(as_text=True)
    assert "用户名或密码不正确" in html and 'value="clerk"' in html


def test_five_failures_lock_the_account_for_fifteen_minutes_then_longer(client, app, monkeypatch):
    f.make_user("office", username="clerk")
    db.session.commit()
    for _ in range(5):
        client.post("/login", data={"username": "clerk", "password": "wrong-pass-1"})
    html = client.post("/login", data={"username": "clerk", "password": PASSWORD}).get_data(as_text=True)
    assert "登录失败次数过多，请 15 分钟后再试" in html
    assert client.get("/").status_code == 302  # still not logged in
    # The lock lives in the database (shared by every worker), and expires; a second lock-out
    # lasts twice as long (back-off).
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(volunteer.throttle, "utcnow", lambda: later)
    for _ in range(5):
        client.post("/login", data={"username": "clerk", "password": "wrong-pass-1"})
    html = client.post("/login", data={"username": "clerk", "password": PASSWORD}).get_data(as_text=True)
    assert "登录失败次数过多，请 30 分钟后再试" in html
    later = later + timedelta(minutes=31)
    assert client.post("/login", data={"username": "clerk", "password": PASSWORD}).status_code == 302


def test_address_bound_is_higher_than_the_account_bound(client, app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 8
    try:
        for i in range(8):
            client.post("/login", data={"username": f"nobody{i}", "password": "wrong-pass-1"})
        f.make_user("office", username="clerk")
        db.session.commit()
        html = client.post("/login", data={"username": "clerk", "password": PASSWORD}).get_data(as_text=True)
        assert "登录失败次数过多" in html
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 50


def test_open_redirect_is_ignored(client, app):
    f.make_user("office", username="clerk")
    db.session.commit()
    r = client.post("/login?next=https://evil.example/", data={"username": "clerk", "password": PASSWORD})
    assert r.headers["Location"] == "/"


def test_logout_needs_post_and_ends_session(client, login_as):
    login_as("office")
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_disabled_user_cannot_log_in(client, app):
    f.make_user("office", username="gone", is_enabled=False)
    db.session.commit()
    html = client.post("/login", data={"username": "gone", "password": PASSWORD}).get_data(as_text=True)
    assert "用户名或密码不正确" in html or "已停用" in html


def test_volunteer_claims_account_with_matching_registry_data(client, app):
    v = f.make_volunteer("陈静", phone="13812345678")
    db.session.commit()
    data = {"name": "陈 静", "id_number": v.id_number.lower(), "phone": "138-1234-5678",
            "password": "abc12345", "confirm": "abc12345"}
    assert client.post("/claim", data=data).status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "13812345678"))
    assert user.role == "volunteer" and user.volunteer_id == v.id
    assert client.get("/me").status_code == 200


def test_claim_with_wrong_phone_is_refused_without_revealing_which(client, app):
    v = f.make_volunteer("陈静", phone="13812345678")
    db.session.commit()
    html = client.post("/claim", data={"name": "陈静", "id_number": v.id_number, "phone": "13900000000",
                                       "password": "abc12345", "confirm": "abc12345"}).get_data(as_text=True)
    assert "与登记信息不一致" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_password_rules(client, app):
    v = f.make_volunteer("陈静", phone="13812345678")
    db.session.commit()
    base = {"name": "陈静", "id_number": v.id_number, "phone": "13812345678"}
    html = client.post("/claim", data=base | {"password": "12345678", "confirm": "12345678"}).get_data(as_text=True)
    assert "不能全是数字" in html
    html = client.post("/claim", data=base | {"password": "abc", "confirm": "abc"}).get_data(as_text=True)
    assert "至少需要 8 个字符" in html


def test_password_change_ends_other_sessions(app, login_as):
    user = login_as("office")
    other = app.test_client()
    other.post("/login", data={"username": user.username, "password": PASSWORD})
    assert other.get("/").status_code == 200
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    client.post("/account/password", data={"current_password": PASSWORD, "password": "new-pass-456",
                                           "confirm": "new-pass-456"})
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_healthz(client, app):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_security_headers_on_every_page(csrf_app):
    r = csrf_app.test_client().get("/login")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_required_on_login(csrf_app):
    client = csrf_app.test_client()
    f.make_user("office", username="clerk")
    db.session.commit()
    r = client.post("/login", data={"username": "clerk", "password": PASSWORD})
    assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True)


def test_office_creates_a_family_members_login_when_the_mobile_is_taken(client, app, login_as):
    mother = f.make_volunteer("王芳", phone="13812345678")
    son = f.make_volunteer("李明", phone="13812345678")
    f.make_user("volunteer", username="13812345678", volunteer=mother)
    login_as("office")
    r = client.post("/users/new", data={"role": "volunteer", "volunteer_lookup": son.id_number,
                                        "password": "son-pass-22", "confirm": "son-pass-22"})
    assert r.status_code == 302
    son_client = app.test_client()
    assert son_client.post("/login", data={"username": "13812345678", "password": "son-pass-22"}).status_code == 302
    assert "李明" in son_client.get("/me").get_data(as_text=True)
