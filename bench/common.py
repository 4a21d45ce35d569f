"""Shared pieces of the page benchmarks: an HTTP client with a cookie jar (http.client only),
logging in, starting gunicorn, running the app's own CLI, and percentiles.

Nothing here needs a package the project does not already depend on.
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEMO_PASSWORD = "demo-pass-2026"
BENCH_SECRET = "bench-only-secret-4f1c2a9e7b3d5f60"


# --- statistics -----------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100), linear interpolation between the nearest ranks."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def median(values):
    return percentile(list(values), 50)


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


# --- HTTP ---------------------------------------------------------------------------------------------

class Session:
    """A tiny browser: one cookie jar, a new connection per request (gunicorn's sync workers close
    the connection after each response anyway), redirects not followed."""

    def __init__(self, host: str, port: int, timeout: float = 60):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, float]:
        """(status, body, seconds from sending the request to the last byte of the response)."""
        headers = {"Host": f"{self.host}:{self.port}", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            t0 = time.perf_counter()
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            elapsed = time.perf_counter() - t0
            for name, value in resp.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    val = rest.split(";", 1)[0]
                    if "expires=thu, 01 jan 1970" in value.lower() or val == "":
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = val
            return resp.status, payload, elapsed
        finally:
            conn.close()

    def get(self, path: str):
        return self.request("GET", path)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        status, body, _ = self.get("/login")
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or \
            re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', body)
        if status != 200 or not match:
            raise SystemExit(f"GET /login answered {status} without a CSRF token")
        status, body, _ = self.request("POST", "/login", {
            "csrf_token": match.group(1).decode(), "username": username, "password": password})
        if status != 302:
            raise SystemExit(f"login as {username} failed ({status}): {body[:300]!r}")


# --- the app's own command line and gunicorn ---------------------------------------------------------

def app_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, SECRET_KEY=env.get("SECRET_KEY") or BENCH_SECRET,
               FLASK_APP="volunteer", PYTHONUNBUFFERED="1")
    env.pop("VOLUNTEER_ENV", None)
    return env


def flask_cli(database_url: str, *args: str, check: bool = True, timeout: float | None = None):
    """Run `flask --app volunteer ARGS` against a database; returns the CompletedProcess."""
    cmd = [str(VENV_BIN / "flask"), "--app", "volunteer", *args]
    done = subprocess.run(cmd, cwd=ROOT, env=app_env(database_url), capture_output=True, text=True,
                          timeout=timeout)
    if check and done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done


class Gunicorn:
    """`gunicorn -w N -b 127.0.0.1:PORT 'volunteer:create_app()'` for the length of a `with`."""

    def __init__(self, database_url: str, port: int, workers: int = 4, log: Path | None = None):
        self.database_url, self.port, self.workers = database_url, port, workers
        self.log = log
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        cmd = [str(VENV_BIN / "gunicorn"), "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
               "--timeout", "120", "volunteer:create_app()"]
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=app_env(self.database_url), stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode} (log: {self.log})")
            try:
                status, _, _ = Session("127.0.0.1", self.port, timeout=5).get("/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the master and its workers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return False


def catch_up_schema(app) -> list[str]:
    """Columns and tables the models have and the database lacks, added (the benches run on the
    working tree, whose newest model changes may not have their migration yet). Returns what
    was added; a database already up to date is left alone."""
    from sqlalchemy import inspect
    from sqlalchemy.schema import CreateColumn

    from volunteer.extensions import db

    added = []
    with app.app_context():
        db.create_all()  # missing tables (and their triggers)
        inspector = inspect(db.engine)
        with db.engine.begin() as conn:
            for table in db.metadata.sorted_tables:
                have = {c["name"] for c in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in have:
                        ddl = CreateColumn(column).compile(dialect=conn.dialect)
                        conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {ddl}")
                        added.append(f"{table.name}.{column.name}")
        db.engine.dispose()
    if added:
        print("schema caught up with the models:", ", ".join(added))
    return added
