"""Shared fixtures: an app on a real database, a client, logins by role, and factories.

The schema is built once per test process; every test starts from empty tables. Set
TEST_DATABASE_URL=postgresql+psycopg://... to run the whole suite on PostgreSQL (each xdist
worker gets a database of its own).
"""
import os
import re
from datetime import date

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from volunteer import create_app
from volunteer.extensions import db
from tests import factories

PASSWORD = "test-pass-123"


def _database_url(tmp_path_factory, worker: str) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    # TEST_DB_PREFIX keeps suites run side by side on one server out of each other's databases.
    name = re.sub(r"\W", "_", f"volunteer_test_{os.environ.get('TEST_DB_PREFIX', '')}{worker}")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id="master"):
    return _database_url(tmp_path_factory, os.environ.get("PYTEST_XDIST_WORKER", "master"))


class Client(FlaskClient):
    """Tests keep one app context pushed, so `g` outlives a request; forget the cached login
    user before each request so every request loads its user from its own cookie, as in production."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # real hashing, but cheap for tests
    })
    app.test_client_class = Client
    with app.app_context():
        db.create_all()  # tests only; the product uses `flask db upgrade`
    return app


def _empty_tables():
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    else:
        for t in tables:
            db.session.execute(text(f'DELETE FROM "{t}"'))
    db.session.commit()


@pytest.fixture(autouse=True)
def _reset_write_intent():
    """A test-client POST or an in-process CLI call leaves the write flag set in this thread."""
    from volunteer.database import write_intent

    token = write_intent.set(False)
    yield
    write_intent.reset(token)


@pytest.fixture
def app(_app):
    # A test that changes a setting (a small look-up budget, say) must not leak it into the next.
    config = dict(_app.config)
    with _app.app_context():
        _empty_tables()
        yield _app
        db.session.rollback()
        db.session.remove()
    _app.config.clear()
    _app.config.update(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF checks on, for tests that prove CSRF protection."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def login_as(app, client):
    """login_as("office") / login_as("leader", teams=[team]) / login_as(user) -> the User."""

    def _login(role_or_user, **kwargs):
        user = role_or_user if not isinstance(role_or_user, str) else factories.make_user(role=role_or_user, **kwargs)
        db.session.commit()
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login


@pytest.fixture
def today():
    from volunteer.clock import today_local

    return today_local()


@pytest.fixture
def sample_date():
    return date(2026, 3, 15)
