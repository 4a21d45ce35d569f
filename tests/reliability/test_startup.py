"""Startup safety: production refuses to start half-configured, with a guessable key or in debug
mode; its cookies are Secure; and an error shows the Chinese 500 page, never a traceback."""
import subprocess
import time

import pytest
from sqlalchemy import text

from tests.reliability import helpers as h
from volunteer import create_app

STRONG_KEY = "f3b9c2d47a1e8b06c5d4e3f2a1b0c9d8e7f6a5b4"


@pytest.fixture
def clean_env(monkeypatch):
    """No SECRET_KEY / DATABASE_URL / VOLUNTEER_ENV / FLASK_DEBUG from the surrounding shell."""
    for key in ("SECRET_KEY", "DATABASE_URL", "VOLUNTEER_ENV", "FLASK_DEBUG"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'startup.sqlite3'}"


def production(url, **config):
    return create_app({"VOLUNTEER_ENV": "production", "DATABASE_URL": url, **config})


def test_production_refuses_to_start_without_secret_key(clean_env, sqlite_url):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        production(sqlite_url)


def test_production_refuses_to_start_without_database_url(clean_env):
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app({"VOLUNTEER_ENV": "production", "SECRET_KEY": STRONG_KEY})


def test_production_settings_from_the_environment_are_enough(clean_env, monkeypatch, sqlite_url):
    monkeypatch.setenv("VOLUNTEER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    app = create_app()
    assert app.config["SECRET_KEY"] == STRONG_KEY and not app.debug


@pytest.mark.parametrize("key", ["dev", "changeme", "secret", "CHANGE-ME", "development", "secret-key",
                                 "please-change-me-in-production", "your-secret-key-here", "short-key-123",
                                 "a" * 40, "test-secret"])
def test_a_guessable_secret_key_is_refused_outside_development(clean_env, sqlite_url, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        production(sqlite_url, SECRET_KEY=key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"VOLUNTEER_ENV": "staging", "DATABASE_URL": sqlite_url, "SECRET_KEY": key})


def test_development_accepts_any_key(clean_env, sqlite_url):
    app = create_app({"DATABASE_URL": sqlite_url, "SECRET_KEY": "dev"})
    assert app.config["SECRET_KEY"] == "dev"


def test_production_refuses_debug_mode(clean_env, monkeypatch, sqlite_url):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="debug"):
        production(sqlite_url, SECRET_KEY=STRONG_KEY)


def test_production_cookies_are_secure(clean_env, sqlite_url):
    app = production(sqlite_url, SECRET_KEY=STRONG_KEY)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    response = app.test_client().get("/login")  # the CSRF token goes into the session cookie
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_development_cookies_work_over_plain_http(clean_env, sqlite_url):
    app = create_app({"DATABASE_URL": sqlite_url, "SECRET_KEY": "dev"})
    assert not app.config["SESSION_COOKIE_SECURE"]


def _gunicorn_exit(env_extra: dict, tmp_path) -> tuple[int, str]:
    env = h.subprocess_env(None, **env_extra)
    for key in ("SECRET_KEY", "DATABASE_URL"):
        if key not in env_extra:
            env.pop(key, None)
    log = tmp_path / "gunicorn-refused.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([h.PYTHON, "-m", "gunicorn", "-w", "1", "-b", "127.0.0.1:0", "volunteer:create_app()"],
                                cwd=h.REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("gunicorn kept running although the configuration is unsafe")
    return code, log.read_text(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize("env_extra, reason", [
    ({"VOLUNTEER_ENV": "production", "DATABASE_URL": "sqlite:////nonexistent/x.sqlite3"}, "SECRET_KEY"),
    ({"VOLUNTEER_ENV": "production", "SECRET_KEY": STRONG_KEY}, "DATABASE_URL"),
    ({"VOLUNTEER_ENV": "production", "SECRET_KEY": "changeme", "DATABASE_URL": "sqlite:////nonexistent/x.sqlite3"},
     "SECRET_KEY"),
])
def test_gunicorn_exits_non_zero_on_unsafe_production_config(clean_env, tmp_path, env_extra, reason):
    started = time.monotonic()
    code, log = _gunicorn_exit(env_extra, tmp_path)
    assert code != 0, log
    assert reason in log, log[-2000:]
    assert time.monotonic() - started < 60


# --- error pages ----------------------------------------------------------------------------------

SECRET_DETAIL = "internal-detail-7f3a"


def _app_with_failing_routes(url, **config):
    """A fresh app (not the product's) with routes that fail on purpose."""
    from volunteer.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": STRONG_KEY, "WTF_CSRF_ENABLED": False, **config})

    @app.route("/_test/boom")
    def boom():
        raise RuntimeError(SECRET_DETAIL)

    @app.route("/_test/db-boom", methods=["POST"])
    def db_boom():
        """A write that fails in the flush (as a lost race on a unique index does)."""
        from volunteer.auth.models import User

        db.session.add(User(username="office-err", password_hash=SECRET_DETAIL, role="office", session_token="x"))
        db.session.commit()
        return "unreachable"

    @app.route("/_test/sql-boom", methods=["POST"])
    def sql_boom():
        db.session.execute(text("SELECT * FROM no_such_table_" + SECRET_DETAIL.replace("-", "_")))
        return "unreachable"

    return app


def _assert_chinese_500(response):
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "系统出错" in body and "您的操作没有保存" in body
    for leak in ("Traceback", SECRET_DETAIL, "RuntimeError", "IntegrityError", "File \"", "werkzeug", "no_such_table"):
        assert leak not in body, leak
    assert response.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("env", ["development", "production"])
def test_an_exception_shows_the_chinese_500_page_without_traceback(clean_env, sqlite_url, env):
    app = _app_with_failing_routes(sqlite_url, VOLUNTEER_ENV=env)
    assert not app.debug and not app.testing
    _assert_chinese_500(app.test_client().get("/_test/boom"))


def test_a_database_error_in_a_logged_in_request_shows_the_chinese_500_page(clean_env, tmp_path):
    """The error page is drawn after the failed transaction: for a logged-in user too (the page's
    menu reads the user from the database)."""
    with h.fresh_database(tmp_path, "errors") as url:
        from volunteer.auth.services import create_user
        from volunteer.extensions import db

        app = _app_with_failing_routes(url)
        with app.app_context():
            create_user(None, role="office", username="office-err", password=h.PASSWORD)
            db.session.commit()
            db.session.remove()
        client = app.test_client()
        assert client.post("/login", data={"username": "office-err", "password": h.PASSWORD}).status_code == 302
        _assert_chinese_500(client.post("/_test/sql-boom"))
        _assert_chinese_500(client.post("/_test/db-boom"))
        assert client.get("/").status_code == 200  # and the next request is fine


def test_the_documented_gunicorn_command_gives_exports_minutes_not_30_seconds(clean_env, tmp_path):
    """README's `gunicorn 'volunteer:create_app()'`, run from the checkout, reads gunicorn.conf.py:
    a whole year's export (about 90 s for 1,000,000 records) is not cut off by the 30 s default."""
    result = subprocess.run([h.PYTHON, "-m", "gunicorn", "--print-config", "volunteer:create_app()"],
                            cwd=h.REPO, env=h.subprocess_env(None), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    settings = {key.strip(): value.strip() for key, _, value in
                (line.partition("=") for line in result.stdout.splitlines() if "=" in line)}
    assert int(settings["timeout"]) >= 300 and int(settings["workers"]) == 4
    assert settings["bind"] == "['127.0.0.1:8000']"
