"""The client's address behind the reverse proxy (PROXY_HOPS): login throttles and audit entries
use it, so failures through the proxy neither lock a whole town out nor let one guesser lock an
account for everybody."""
import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from volunteer import create_app
from volunteer.audit.models import AuditLog
from volunteer.extensions import db

from tests import factories as f
from tests.conftest import PASSWORD

PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # every request reaches gunicorn from the proxy


def _via(address: str) -> dict:
    return {"headers": {"X-Forwarded-For": address}, "environ_base": PROXY}


def test_failures_of_one_client_do_not_lock_out_the_others_behind_the_proxy(client, app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 8
    try:
        f.make_user("office", username="clerk")
        db.session.commit()
        for i in range(10):
            client.post("/login", data={"username": f"nobody{i}", "password": "wrong-pass-1"}, **_via("198.51.100.66"))
        html = client.post("/login", data={"username": "clerk", "password": PASSWORD},
                           **_via("198.51.100.66")).get_data(as_text=True)
        assert "登录失败次数过多" in html
        other = app.test_client()
        assert other.post("/login", data={"username": "clerk", "password": PASSWORD},
                          **_via("203.0.113.7")).status_code == 302
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 50


def test_wrong_passwords_from_one_address_do_not_lock_the_account_for_another(client, app):
    f.make_user("office", username="office")
    db.session.commit()
    for _ in range(8):
        client.post("/login", data={"username": "office", "password": "wrong-pass-1"}, **_via("198.51.100.66"))
    assert "登录失败次数过多" in client.post("/login", data={"username": "office", "password": PASSWORD},
                                       **_via("198.51.100.66")).get_data(as_text=True)
    assert app.test_client().post("/login", data={"username": "office", "password": PASSWORD},
                                  **_via("203.0.113.7")).status_code == 302


def test_audit_entries_carry_the_client_address_not_the_proxys(client, app):
    v = f.make_volunteer("陈静", phone="13812345678")
    db.session.commit()
    # A client may send its own X-Forwarded-For: only the hop the proxy appended is trusted.
    r = client.post("/claim", data={"name": v.name, "id_number": v.id_number, "phone": v.phone,
                                    "password": "abc12345", "confirm": "abc12345"},
                    **_via("6.6.6.6, 203.0.113.7"))
    assert r.status_code == 302
    entry = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "user.create"))
    assert entry.ip == "203.0.113.7"


def test_proxy_hops_setting(monkeypatch, database_url):
    base = {"SECRET_KEY": "x", "DATABASE_URL": database_url, "SQLALCHEMY_DATABASE_URI": database_url}
    default = create_app(dict(base))
    assert default.config["PROXY_HOPS"] == 1
    assert isinstance(default.wsgi_app, ProxyFix) and default.wsgi_app.x_for == 1
    assert not isinstance(create_app(base | {"PROXY_HOPS": 0}).wsgi_app, ProxyFix)
    monkeypatch.setenv("PROXY_HOPS", "2")
    assert create_app(dict(base)).wsgi_app.x_for == 2
    monkeypatch.setenv("PROXY_HOPS", "0")
    assert not isinstance(create_app(dict(base)).wsgi_app, ProxyFix)


def test_without_a_proxy_the_header_is_ignored(database_url):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url, "SQLALCHEMY_DATABASE_URI": database_url,
                      "PROXY_HOPS": 0})
    seen = []
    app.before_request(lambda: seen.append(__import__("flask").request.remote_addr))
    app.test_client().get("/healthz", headers={"X-Forwarded-For": "6.6.6.6"}, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert seen == ["192.0.2.1"]


def test_a_malformed_proxy_hops_stops_the_start(monkeypatch, database_url):
    monkeypatch.setenv("PROXY_HOPS", "one")
    with pytest.raises(RuntimeError, match="PROXY_HOPS"):
        create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url, "SQLALCHEMY_DATABASE_URI": database_url})
