"""Shared machinery for the reliability tests: fresh databases, the app in subprocesses and under
gunicorn, a small cookie-keeping HTTP client that fills forms the way a browser does, and
seeding through the services.

Each test gets a database of its own: a SQLite file in its tmp_path, or, when TEST_DATABASE_URL
is set (the PostgreSQL pass of .ci/run), a dedicated PostgreSQL database created for it and
dropped afterwards. The schema is built with `flask db upgrade`, as in production.
"""
from __future__ import annotations

import glob
import html
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SECRET_KEY = "reliability-tests-" + "k" * 32
PASSWORD = "reliable-pass-2026"


# --- databases -------------------------------------------------------------------------------------

def backend() -> str:
    """The database these tests run on: PostgreSQL when TEST_DATABASE_URL is set, else SQLite."""
    return "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"


def _admin_url() -> str:
    return os.environ["TEST_DATABASE_URL"]


def pg_database_url(name: str) -> str:
    return _admin_url().rsplit("/", 1)[0] + "/" + name


def create_pg_database(name: str) -> str:
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return pg_database_url(name)


def drop_pg_database(name: str) -> None:
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def pg_name(label: str) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "master")
    return re.sub(r"\W", "_", f"volunteer_rel_{worker}_{label}")[:63]


@contextmanager
def fresh_database(tmp_path: Path, label: str, *, migrate_schema: bool = True):
    """Yield the SQLAlchemy URL of an empty, migrated database of this test's own."""
    if backend() == "sqlite":
        url = f"sqlite:///{tmp_path / (label + '.sqlite3')}"
        if migrate_schema:
            migrate(url)
        yield url
        return
    name = pg_name(label)
    url = create_pg_database(name)
    try:
        if migrate_schema:
            migrate(url)
        yield url
    finally:
        dispose_engines()
        drop_pg_database(name)


def dispose_engines() -> None:
    """Close the pooled connections of every app made here (so a database can be dropped)."""
    from volunteer.extensions import db

    for app in list(_APPS):
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
    _APPS.clear()


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database)


def subprocess_env(url: str | None = None, **extra) -> dict:
    """The environment of the app's processes: this checkout, this database, a fixed key."""
    env = dict(os.environ)
    for key in ("VOLUNTEER_ENV", "FLASK_DEBUG"):
        env.pop(key, None)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["SECRET_KEY"] = SECRET_KEY
    env["PYTHONUNBUFFERED"] = "1"
    if url:
        env["DATABASE_URL"] = url
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask_cli(url: str, *args, timeout: float = 120, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """Run `flask --app volunteer ARGS` on `url` as a separate process."""
    return subprocess.run([PYTHON, "-m", "flask", "--app", "volunteer", *args], cwd=REPO,
                          env=subprocess_env(url, **(env_extra or {})), capture_output=True, text=True,
                          timeout=timeout)


def migrate(url: str) -> None:
    result = flask_cli(url, "db", "upgrade")
    assert result.returncode == 0, result.stderr[-2000:]


def pg_tool(name: str) -> str:
    """A PostgreSQL client program (pg_restore, createdb...) on PATH or in Debian's layout."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if not candidates:
        raise RuntimeError(f"{name} not found")
    return candidates[-1]


def make_url_parts(url: str) -> dict:
    u = make_url(url)
    return {"host": u.host or "localhost", "port": u.port or 5432, "user": u.username or "postgres",
            "database": u.database}


# --- the app in this process -----------------------------------------------------------------------

_APPS: list = []


def make_app(url: str):
    """A fresh app instance on `url`, for seeding and for reading the results back."""
    from volunteer import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "DATABASE_URL": url,
                      "SQLALCHEMY_DATABASE_URI": url})
    _APPS.append(app)
    return app


def make_id_number(serial: int, birth: date = date(1985, 6, 1)) -> str:
    from stdnum.iso7064 import mod_11_2

    body = f"310112{birth:%Y%m%d}{serial % 1000:03d}"
    return body + mod_11_2.calc_check_digit(body)


# --- gunicorn --------------------------------------------------------------------------------------

class Server:
    def __init__(self, proc, log_path: Path, port: int):
        self.proc, self.log_path, self.port = proc, log_path, port

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def gunicorn(url: str, tmp_path: Path, *, workers: int = 4, env_extra: dict | None = None, boot_timeout=60):
    """Serve `volunteer:create_app()` with gunicorn on 127.0.0.1 (a free port) until the block ends."""
    log_path = tmp_path / "gunicorn.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-w", str(workers), "-b", "127.0.0.1:0", "--timeout", "120",
         "--graceful-timeout", "10", "volunteer:create_app()"],
        cwd=REPO, env=subprocess_env(url, **(env_extra or {})), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + boot_timeout
        port = None
        while time.monotonic() < deadline:
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text(errors="replace"))
            if found:
                port = int(found.group(1))
                break
            if proc.poll() is not None:
                raise AssertionError("gunicorn exited:\n" + log_path.read_text(errors="replace")[-3000:])
            time.sleep(0.05)
        assert port, "gunicorn did not start:\n" + log_path.read_text(errors="replace")[-3000:]
        client = Browser(port)
        while time.monotonic() < deadline:
            try:
                if client.get("/healthz").status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError("gunicorn never answered /healthz:\n" + log_path.read_text(errors="replace")[-3000:])
        yield Server(proc, log_path, port)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


# --- a browser-like HTTP client ----------------------------------------------------------------------

class Response:
    def __init__(self, status: int, headers: dict, body: str, method: str, path: str):
        self.status, self.headers, self.body, self.method, self.path = status, headers, body, method, path

    @property
    def location(self) -> str | None:
        loc = self.headers.get("location")
        if not loc:
            return None
        parts = urlsplit(loc)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def flashes(self) -> list[tuple[str, str]]:
        return flashes(self.body)


class Browser:
    """One user's browser: a cookie jar, form filling, redirects followed on request.

    Every response is kept in `history` (method, path, status), so a test can prove that no
    request anywhere was answered with a server error.
    """

    def __init__(self, port: int, timeout: float = 60):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.history: list[tuple[str, str, int, float]] = []  # method, path, status, seconds

    def request(self, method: str, path: str, fields=None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        started = time.monotonic()
        if fields is not None:
            body = urlencode(list(fields.items()) if isinstance(fields, dict) else fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            data = raw.read().decode("utf-8", errors="replace")
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    jar = SimpleCookie()
                    jar.load(value)
                    for key, morsel in jar.items():
                        if morsel["expires"] and "1970" in morsel["expires"] or morsel.value == "":
                            self.cookies.pop(key, None)
                        else:
                            self.cookies[key] = morsel.value
            response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data, method, path)
        finally:
            conn.close()
        self.history.append((method, path, response.status, time.monotonic() - started))
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, fields) -> Response:
        return self.request("POST", path, fields)

    def follow(self, response: Response) -> Response:
        """Follow redirects (GET), as a browser does after a POST."""
        hops = 0
        while response.status in (301, 302, 303) and response.location and hops < 5:
            response = self.get(response.location)
            hops += 1
        return response

    def login(self, username: str, password: str = PASSWORD) -> Response:
        page = self.get("/login")
        form = find_form(page.body, "password")
        form.set("username", username)
        form.set("password", password)
        response = self.post("/login", form.pairs())
        assert response.status == 302, f"login as {username} failed: {response.status} {flashes(response.body)}"
        return self.follow(response)

    def server_errors(self) -> list[tuple]:
        return [h for h in self.history if h[2] >= 500]


def flashes(body: str) -> list[tuple[str, str]]:
    """The flash messages on a page: [(category, text)]."""
    found = re.findall(r'<div class="alert alert-(\w+)[^"]*" role="alert">(.*?)</div>', body, re.S)
    return [(cat, html.unescape(re.sub(r"<[^>]+>", "", msg)).strip()) for cat, msg in found]


# --- forms -----------------------------------------------------------------------------------------

class Form:
    def __init__(self, attrs: dict):
        self.attrs = attrs
        self.fields: list[dict] = []

    @property
    def action(self) -> str:
        return self.attrs.get("action") or ""

    def names(self) -> set[str]:
        return {f["name"] for f in self.fields}

    def get(self, name: str):
        for f in self.fields:
            if f["name"] == name:
                return f["value"]
        return None

    def set(self, name: str, value) -> None:
        for f in self.fields:
            if f["name"] == name:
                f["value"] = value
                f["checked"] = True
                return
        self.fields.append({"name": name, "value": value, "kind": "text", "checked": True})

    def pairs(self) -> list[tuple[str, str]]:
        """What the browser submits: no buttons, only checked boxes, a select's chosen options."""
        out = []
        for f in self.fields:
            if f["kind"] in ("submit", "button", "reset", "image"):
                continue
            if f["kind"] in ("checkbox", "radio") and not f["checked"]:
                continue
            if f["kind"] == "select-multiple":
                out.extend((f["name"], v) for v in f["value"])
                continue
            out.append((f["name"], "" if f["value"] is None else str(f["value"])))
        return out


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            self._form.fields.append({"name": a["name"], "value": a.get("value", "on" if kind == "checkbox" else ""),
                                      "kind": kind, "checked": "checked" in a})
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "kind": "select-multiple" if "multiple" in a else "select",
                            "options": [], "checked": True}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "value": "", "kind": "textarea", "checked": True}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            sel = self._select
            for o in sel["options"]:
                if o["value"] is None:
                    o["value"] = o["text"].strip()
            chosen = [o["value"] for o in sel["options"] if o["selected"]]
            if sel["kind"] == "select":
                sel["value"] = chosen[0] if chosen else (sel["options"][0]["value"] if sel["options"] else "")
            else:
                sel["value"] = chosen
            if self._form is not None:
                self._form.fields.append(sel)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            value = self._textarea["value"]
            self._textarea["value"] = value[1:] if value.startswith("\n") else value
            if self._form is not None:
                self._form.fields.append(self._textarea)
            self._textarea = None


def forms(body: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(body)
    return parser.forms


def find_form(body: str, field: str) -> Form:
    """The first form on the page with a field of that name."""
    for form in forms(body):
        if field in form.names():
            return form
    raise AssertionError(f"no form with field {field!r} on the page:\n{body[:3000]}")


def csrf_token(body: str) -> str:
    for form in forms(body):
        token = form.get("csrf_token")
        if token:
            return token
    raise AssertionError("no csrf_token on the page")
