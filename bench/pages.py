"""Page latency and throughput over HTTP, through gunicorn, at the scale of a town (and more).

    # a town on SQLite: 20,000 volunteers, 20,000 activities, 1,000,000 records (seeded if empty)
    .venv/bin/python bench/pages.py run --sqlite /tmp/town.sqlite3 --scale 1 --json sqlite-1x.json
    # the same on PostgreSQL, and ten times the data
    .venv/bin/python bench/pages.py run --database-url postgresql+psycopg://u@127.0.0.1:5432/town \\
        --scale 1 --json pg-1x.json
    .venv/bin/python bench/pages.py run --database-url postgresql+psycopg://u@127.0.0.1:5432/district \\
        --scale 10 --json pg-10x.json
    # how each figure grows
    .venv/bin/python bench/pages.py compare pg-1x.json pg-10x.json

`run` seeds an empty database with the app's own commands (`flask db upgrade`, `flask seed demo
--volunteers 20000*S --activities 20000*S --records 1000000*S`), finds the pages' subjects (the
volunteer with the most records, the largest team, an activity with 50 records, ...), creates
the volunteer's login with `flask users create`, starts `gunicorn -w 4` on 127.0.0.1, logs in
(office, leader01, the volunteer) through POST /login with the CSRF token, and then:

* latency: `--requests` rounds (default 200); each round asks every page once, one request at a
  time, so the pages and /healthz share whatever else the machine is doing at that moment. p50
  and p95 per page, and each p50 as a ratio to /healthz's p50 in the same run;
* throughput: the volunteers list and /me (and /healthz, the ceiling) under a bounded load of
  `--concurrency` clients for `--load-seconds` (bench/load.py);
* with `--excel`: `flask export hours` of about 1,000,000 records (the newest ones, so at 10x
  it is the same volume out of a bigger table) and `flask import volunteers` of a 20,000-row
  roster of new people, both through the CLI (interpreter start included); the imported rows
  are deleted afterwards so the database can be reused. With `--excel-bench` it also runs
  bench/excel.py (its own SQLite data) and prints its figures.

Each run prints the machine, the load average before and after, and writes everything to
`--json`. The machine is shared: repeat runs (`--repeat N` runs the latency rounds N times and
reports the median of each figure).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (DEMO_PASSWORD, ROOT, Gunicorn, Session, flask_cli, load_average,  # noqa: E402
                          median, percentile)
from bench.load import run_load  # noqa: E402

TOP_VOLUNTEER_PASSWORD = DEMO_PASSWORD
TARGET_P50_MS, TARGET_P95_MS, TARGET_REPORTS_MS = 50, 150, 200
# Report pages, first view after a change (issue 18): at 1x the town, and at 10x a district.
TARGET_REPORTS_COLD_MS = {1: 60, 10: 100}


# --- the database ----------------------------------------------------------------------------------

def engine_for(url: str):
    from sqlalchemy import create_engine

    return create_engine(url)


def counts(engine) -> dict:
    from sqlalchemy import text

    with engine.connect() as conn:
        def n(table):
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()

        return {"volunteers": n("volunteers"), "activities": n("activities"), "records": n("service_records"),
                "teams": n("teams"), "memberships": n("team_memberships")}


def is_empty(url: str) -> bool:
    from sqlalchemy import inspect, text

    engine = engine_for(url)
    try:
        if "volunteers" not in inspect(engine).get_table_names():
            return True
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM volunteers")).scalar() == 0
    finally:
        engine.dispose()


def seed(url: str, scale: float) -> dict:
    volunteers, activities, records = int(20_000 * scale), int(20_000 * scale), int(1_000_000 * scale)
    flask_cli(url, "db", "upgrade")
    t0 = time.perf_counter()
    flask_cli(url, "seed", "demo", "--volunteers", str(volunteers), "--activities", str(activities),
              "--records", str(records))
    seconds = time.perf_counter() - t0
    print(f"seeded {volunteers:,} volunteers, {activities:,} activities, {records:,} records in {seconds:.1f} s")
    return {"seconds": round(seconds, 1), "volunteers": volunteers, "activities": activities, "records": records}


def ensure_report_facts(url: str) -> dict | None:
    """Until a migration creates them: the report facts' tables and triggers (create_all adds only
    what is missing, and its hook the triggers), then every fact counted from the records."""
    from volunteer.figures import facts

    engine = engine_for(url)
    try:
        if set(facts.FACT_TABLES) <= _tables(engine):
            return None
    finally:
        engine.dispose()
    from volunteer import create_app
    from volunteer.extensions import db

    app = create_app({"SECRET_KEY": "bench-only-secret-4f1c2a9e7b3d5f60", "DATABASE_URL": url,
                      "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        with db.engine.begin() as conn:
            for statement in facts.rebuild_sql(conn.dialect.name):
                conn.exec_driver_sql(statement)
        seconds = round(time.perf_counter() - t0, 1)
        db.engine.dispose()
    print(f"report facts created and counted from the records in {seconds} s")
    return {"rebuild_seconds": seconds}


def subjects(url: str) -> dict:
    """The ids the pages are asked about; creates the top volunteer's login when missing."""
    from sqlalchemy import text

    engine = engine_for(url)
    with engine.connect() as conn:
        top_id, top_records = conn.execute(text(
            "SELECT volunteer_id, count(*) FROM service_records GROUP BY volunteer_id "
            "ORDER BY count(*) DESC, volunteer_id LIMIT 1")).one()
        top = conn.execute(text("SELECT id, name, id_number, phone FROM volunteers WHERE id = :i"),
                           {"i": top_id}).one()
        team_id, team_members = conn.execute(text(
            "SELECT team_id, count(*) FROM team_memberships GROUP BY team_id "
            "ORDER BY count(*) DESC, team_id LIMIT 1")).one()
        # An activity with 50 records (or the one closest to 50), among the recent ones.
        recent = conn.execute(text("SELECT max(activity_id) FROM service_records")).scalar() or 0
        activity = conn.execute(text(
            "SELECT activity_id, count(*) AS n FROM service_records WHERE activity_id > :lo "
            "GROUP BY activity_id ORDER BY abs(count(*) - 50), activity_id DESC LIMIT 1"),
            {"lo": max(0, recent - 5000)}).one()
        pending = conn.execute(text("SELECT count(*) FROM service_records WHERE status = 'pending'")).scalar()
        user = conn.execute(text("SELECT username FROM users WHERE volunteer_id = :i"), {"i": top_id}).scalar()
        certificate = None
        try:
            certificate = conn.execute(text(
                "SELECT id, code FROM certificates WHERE volunteer_id = :i ORDER BY id DESC LIMIT 1"),
                {"i": top_id}).first()
        except Exception:  # noqa: BLE001 - no certificates table yet
            pass
    engine.dispose()
    if user is None:
        user = top.phone
        flask_cli(url, "users", "create", "--role", "volunteer", "--volunteer", top.id_number,
                  "--username", user, "--password", TOP_VOLUNTEER_PASSWORD)
    return {"top_volunteer_id": top_id, "top_volunteer_records": top_records, "top_volunteer_name": top.name,
            "top_username": user, "team_id": team_id, "team_members": team_members,
            "activity_id": activity[0], "activity_records": activity[1], "pending": pending,
            "certificate": list(certificate) if certificate else None}


# --- the pages ---------------------------------------------------------------------------------------

def page_list(s: dict, app_routes: set[str]) -> list[tuple[str, str, str]]:
    """(label, role, path) of every page measured; /healthz first (the yardstick)."""
    year = datetime.now(timezone(timedelta(hours=8))).year  # Beijing
    pages = [
        ("/healthz", "anon", "/healthz"),
        ("start page (office)", "office", "/"),
        ("volunteers list", "office", "/volunteers/"),
        ("volunteers ?q=王 (surname)", "office", f"/volunteers/?q={_q('王')}"),
        ("volunteers ?q=full name", "office", f"/volunteers/?q={_q(s['top_volunteer_name'])}"),
        ("volunteers ?team_id (largest team)", "office", f"/volunteers/?team_id={s['team_id']}"),
        ("volunteers last page", "office", "/volunteers/?last=1"),
        ("volunteer page (top volunteer)", "office", f"/volunteers/{s['top_volunteer_id']}"),
        ("team page (largest team)", "office", f"/teams/{s['team_id']}"),
        ("teams list", "office", "/teams/"),
        ("activities list", "office", "/activities/"),
        (f"activity ({s['activity_records']} records)", "office", f"/activities/{s['activity_id']}"),
        ("activity hours entry", "office", f"/activities/{s['activity_id']}/hours"),
        ("approvals queue", "office", "/hours/approvals"),
        ("/me (most records)", "volunteer", "/me"),
        (f"/reports/ year {year}", "office", f"/reports/?year={year}"),
        (f"/reports/ year {year}, leader01", "leader", f"/reports/?year={year}"),
        (f"/reports/ year {year}, one month", "office", f"/reports/?year={year}&month=3"),
        (f"/reports/ranking year {year}", "office", f"/reports/ranking?year={year}"),
        (f"/reports/ranking year {year}, page 20", "office", f"/reports/ranking?year={year}&page=20"),
        (f"/reports/ranking year {year}, leader01", "leader", f"/reports/ranking?year={year}"),
        (f"/reports/stars year {year}", "office", f"/reports/stars?year={year}"),
        (f"/reports/stars year {year}, leader01", "leader", f"/reports/stars?year={year}"),
    ]
    pages += certificate_pages(s, app_routes)
    return pages


def certificate_pages(s: dict, app_routes: set[str]) -> list[tuple[str, str, str]]:
    """The certificate pages that exist in this build (the feature may still be in progress)."""
    found = []
    if "/certificates/" in app_routes:
        found.append(("certificates register", "office", "/certificates/"))
    if "/certificates/issue" in app_routes:
        found.append(("certificate issue form (own)", "volunteer", "/certificates/issue"))
    if s.get("certificate"):
        cert_id, code = s["certificate"]
        if "/certificates/<int:cert_id>" in app_routes:
            found.append(("certificate page (top volunteer)", "volunteer", f"/certificates/{cert_id}"))
        if "/certificates/verify/<code>" in app_routes:
            found.append(("certificate verify (public)", "anon", f"/certificates/verify/{code}"))
    return found


def ensure_certificate(url: str, s: dict, session: Session, app_routes: set[str]) -> None:
    """Issue one certificate for the top volunteer through the page itself when there is none."""
    if s.get("certificate") or "/certificates/issue" not in app_routes:
        return
    status, body, _ = session.get("/certificates/issue")
    fields = dict(re.findall(rb'name="(csrf_token|period_from|period_to)"[^>]*value="([^"]*)"', body))
    if status != 200 or b"csrf_token" not in fields:
        return
    status, _, _ = session.request("POST", "/certificates/issue", {k.decode(): v.decode() for k, v in fields.items()})
    from sqlalchemy import text

    engine = engine_for(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, code FROM certificates WHERE volunteer_id = :i ORDER BY id DESC LIMIT 1"),
                           {"i": s["top_volunteer_id"]}).first()
    engine.dispose()
    s["certificate"] = list(row) if row else None


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def app_routes(url: str) -> set[str]:
    env_url = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        from volunteer import create_app

        app = create_app({"SECRET_KEY": "bench-only-secret-4f1c2a9e7b3d5f60", "DATABASE_URL": url,
                          "SQLALCHEMY_DATABASE_URI": url})
        return {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods}
    finally:
        if env_url is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = env_url


def probe(sessions: dict, pages) -> tuple[list, dict]:
    """Drop the certificate pages this build does not serve yet; any other failure stops the run."""
    kept, missing = [], {}
    for label, role, path in pages:
        status, _, _ = sessions[role].get(path)
        if status == 200:
            kept.append((label, role, path))
        elif label.startswith("certificate"):
            missing[label] = f"{path} answered {status}"
        else:
            raise SystemExit(f"{label} ({path}) as {role} answered {status}")
    return kept, missing


def measure_latency(port: int, sessions: dict, pages, rounds: int, warmup: int = 10, before=None) -> dict:
    """Rounds of one request per page, in turn; {label: [seconds, ...]} (warm-up rounds dropped).

    `before()` runs before every request (the cold runs: it invalidates the figures cache)."""
    times = {label: [] for label, _, _ in pages}
    sizes = {}
    for r in range(warmup + rounds):
        for label, role, path in pages:
            if before:
                before()
            status, body, seconds = sessions[role].get(path)
            if status != 200:
                raise SystemExit(f"{label} ({path}) as {role} answered {status}")
            sizes[label] = len(body)
            if r >= warmup:
                times[label].append(seconds)
    return {"times": times, "sizes": sizes}


class Invalidator:
    """Replaces the figures-cache token, as any change to the data does (volunteer/figures.py),
    so the next request computes every cached count and sum afresh."""

    def __init__(self, url: str):
        from sqlalchemy import text

        self.engine = engine_for(url)
        self.sql = text("UPDATE data_versions SET token = :t WHERE name = 'figures'")
        with self.engine.connect() as conn:
            self.available = conn.execute(text(
                "SELECT count(*) FROM data_versions WHERE name = 'figures'")).scalar() == 1 \
                if "data_versions" in _tables(self.engine) else False

    def __call__(self):
        with self.engine.begin() as conn:
            conn.execute(self.sql, {"t": os.urandom(16).hex()})

    def close(self):
        self.engine.dispose()


def _tables(engine) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(engine).get_table_names())


def summarise(times: dict) -> dict:
    health = percentile(times["/healthz"], 50)
    out = {}
    for label, values in times.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        out[label] = {"p50_ms": p50 * 1000, "p95_ms": p95 * 1000, "ratio": p50 / health, "n": len(values)}
    return out


def combine(runs: list[dict]) -> dict:
    """Median over repeated runs of each page's p50, p95 and ratio."""
    labels = runs[0].keys()
    return {label: {k: median(r[label][k] for r in runs) for k in ("p50_ms", "p95_ms", "ratio")}
            | {"n": sum(r[label]["n"] for r in runs), "runs_p50": [round(r[label]["p50_ms"], 1) for r in runs]}
            for label in labels}


# --- Excel through the CLI -------------------------------------------------------------------------

def write_roster(path: Path, rows: int, team_names: list[str]) -> None:
    """A roster of `rows` people who are not in the database (area code 110101: the seed never
    uses it), in the import template's canonical columns."""
    import xlsxwriter
    from stdnum.iso7064 import mod_11_2

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("花名册")
    header = ["姓名", "性别", "证件类型", "证件号码", "手机号码", "所属队伍", "居住社区", "注册日期"]
    ws.write_row(0, 0, header)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚"
    first = date(1950, 1, 1)
    for i in range(rows):
        birth = first + timedelta(days=(i * 7) % 18_000)
        body = f"110101{birth:%Y%m%d}{i // 18_000 * 100 + i % 100:03d}"
        number = body + mod_11_2.calc_check_digit(body)
        ws.write_row(i + 1, 0, [surnames[i % 20] + given[(i // 20) % 20] + given[(i // 400) % 20],
                                "男" if int(number[16]) % 2 else "女", "居民身份证", number,
                                f"13{i % 10}{i:08d}"[:11], team_names[i % len(team_names)], "虹桥社区", "2026-01-05"])
    book.close()


def excel_via_cli(url: str, rows: int = 20_000, export_records: int = 1_000_000) -> dict:
    from sqlalchemy import text

    engine = engine_for(url)
    with engine.connect() as conn:
        # The newest `export_records` records: the first date from which that many remain.
        cut = conn.execute(text(
            "SELECT service_date FROM service_records ORDER BY service_date DESC LIMIT 1 OFFSET :n"),
            {"n": export_records - 1}).scalar()
        teams = [n for (n,) in conn.execute(text("SELECT name FROM teams WHERE is_active ORDER BY id"))]
        max_vol = conn.execute(text("SELECT coalesce(max(id), 0) FROM volunteers")).scalar()
        max_audit = conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_logs")).scalar()
    result = {}
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as work:
        out = Path(work) / "hours.xlsx"
        args = ["export", "hours", str(out)] + (["--from", str(cut)] if cut else [])
        t0 = time.perf_counter()
        flask_cli(url, *args)
        result["export_hours_seconds"] = round(time.perf_counter() - t0, 2)
        result["export_hours_from"] = str(cut) if cut else None
        out.unlink()
        roster = Path(work) / "roster.xlsx"
        write_roster(roster, rows, teams)
        t0 = time.perf_counter()
        done = flask_cli(url, "import", "volunteers", str(roster), "--json", check=False)
        result["import_roster_seconds"] = round(time.perf_counter() - t0, 2)
        try:
            report = json.loads(done.stdout)
            result["import_report"] = {k: report.get(k) for k in ("rows", "created", "updated", "rejected", "written")}
        except ValueError:
            result["import_report"] = {"exit": done.returncode, "stderr": done.stderr[-500:]}
    with engine.begin() as conn:  # put the database back as it was
        conn.execute(text("DELETE FROM team_memberships WHERE volunteer_id > :m"), {"m": max_vol})
        conn.execute(text("DELETE FROM volunteers WHERE id > :m"), {"m": max_vol})
        conn.execute(text("DELETE FROM audit_logs WHERE id > :m"), {"m": max_audit})
    with engine.connect() as conn:
        result["export_hours_rows"] = conn.execute(text(
            "SELECT count(*) FROM service_records WHERE service_date >= :d"), {"d": cut}).scalar() if cut else None
    engine.dispose()
    return result


def excel_bench() -> str | None:
    """bench/excel.py's own figures (its own SQLite data), or None when it is not there."""
    script = ROOT / "bench" / "excel.py"
    if not script.exists():
        return None
    done = subprocess.run([sys.executable, str(script), "--repeat", "1", "--no-openpyxl-write"], cwd=ROOT,
                          capture_output=True, text=True)
    return done.stdout + (done.stderr[-2000:] if done.returncode else "")


# --- run and compare -----------------------------------------------------------------------------------

def machine() -> dict:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            mem = f"{int(fh.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "kernel": platform.release()}


def run(args) -> dict:
    url = args.database_url or f"sqlite:///{Path(args.sqlite).resolve()}"
    report = {"label": args.label or url.rsplit("/", 1)[-1], "database": url.split(":", 1)[0],
              "machine": machine(), "started": datetime.now().isoformat(timespec="seconds"),
              "load_before": load_average(), "workers": args.workers}
    if is_empty(url):
        if not args.scale:
            raise SystemExit("the database is empty: give --scale to seed it")
        report["seed"] = seed(url, args.scale)
    report["facts"] = ensure_report_facts(url)
    report["counts"] = counts(engine_for(url))
    s = report["subjects"] = subjects(url)
    routes = app_routes(url)
    c = report["counts"]
    print(f"{report['label']}: {c['volunteers']:,} volunteers, {c['activities']:,} activities, "
          f"{c['records']:,} records; load average {report['load_before']}; {args.requests} rounds per page, "
          f"gunicorn -w {args.workers}")
    log = Path(tempfile.gettempdir()) / f"bench-gunicorn-{args.port}.log"
    with Gunicorn(url, args.port, workers=args.workers, log=log):
        sessions = {"anon": Session("127.0.0.1", args.port), "office": Session("127.0.0.1", args.port),
                    "leader": Session("127.0.0.1", args.port), "volunteer": Session("127.0.0.1", args.port)}
        sessions["office"].login("office")
        sessions["leader"].login("leader01")
        sessions["volunteer"].login(s["top_username"], TOP_VOLUNTEER_PASSWORD)
        ensure_certificate(url, s, sessions["volunteer"], routes)
        pages = page_list(s, routes)
        pages, report["missing"] = probe(sessions, pages)
        runs = []
        for i in range(args.repeat if args.requests else 0):
            measured = measure_latency(args.port, sessions, pages, args.requests)
            runs.append(summarise(measured["times"]))
            report["sizes"] = measured["sizes"]
            print(f"  latency run {i + 1}/{args.repeat} done (load average {load_average()})")
        report["pages"] = combine(runs) if runs else {}
        report["paths"] = {label: path for label, _, path in pages}
        invalidate = Invalidator(url)
        if args.requests and args.cold_requests and invalidate.available:
            measured = measure_latency(args.port, sessions, pages, args.cold_requests, warmup=2, before=invalidate)
            report["cold"] = combine([summarise(measured["times"])])
            print(f"  cold run done (load average {load_average()})")
        invalidate.close()
        report["throughput"] = {}
        if args.load_seconds:
            for label, role, path in (("/healthz", "anon", "/healthz"), ("volunteers list", "office", "/volunteers/"),
                                      ("/me (most records)", "volunteer", "/me")):
                runs = [run_load("127.0.0.1", args.port, path, cookies=sessions[role].cookies,
                                 concurrency=args.concurrency, duration=args.load_seconds)
                        for _ in range(args.load_repeat)]
                best = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]  # the median run
                report["throughput"][label] = best | {"runs_rps": [round(r["rps"], 1) for r in runs]}
    if args.excel:
        print("  export / import through the CLI ...")
        report["excel_cli"] = excel_via_cli(url)
    if args.excel_bench:
        print("  bench/excel.py ...")
        report["excel_bench"] = excel_bench()
    report["load_after"] = load_average()
    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    return report


def verdict(label: str, p: dict) -> str:
    if label == "/healthz":
        return ""
    if label.startswith("/reports/"):
        ok = p["p50_ms"] <= TARGET_REPORTS_MS and p["p95_ms"] <= TARGET_REPORTS_MS
        return "ok" if ok else "SLOW (target p50, p95 <= 200 ms)"
    ok = p["p50_ms"] <= TARGET_P50_MS and p["p95_ms"] <= TARGET_P95_MS
    return "ok" if ok else "SLOW (target p50 <= 50, p95 <= 150 ms)"


def cold_verdict(label: str, cold: dict | None, records: int) -> str:
    """Report pages' first view after a change against issue 18's target for this scale."""
    if cold is None or not label.startswith("/reports/"):
        return ""
    target = TARGET_REPORTS_COLD_MS[1] if records <= 1_500_000 else TARGET_REPORTS_COLD_MS[10]
    return f"cold {'ok' if cold['p50_ms'] <= target else 'SLOW'} (<= {target} ms, {cold['ratio']:.1f}x healthz)"


def print_report(report: dict) -> None:
    m = report["machine"]
    print(f"\n== {report['label']} ({report['database']}) — {m['cpus']} CPUs ({m['cpu']}), {m['memory']}, "
          f"Python {m['python']}; load average before {report['load_before']}, after {report['load_after']}")
    c = report["counts"]
    print(f"   {c['volunteers']:,} volunteers, {c['activities']:,} activities, {c['records']:,} service records, "
          f"{c['teams']} teams; top volunteer {report['subjects']['top_volunteer_records']} records")
    cold = report.get("cold", {})
    if not report["pages"]:
        print("\n   (latency not measured: --requests 0)")
    print(f"\n   {'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'x healthz':>10} {'KB':>6}  {'cold p50':>8} {'cold p95':>8}"
          f"  runs(p50)")
    for label, p in report["pages"].items():
        size = report.get("sizes", {}).get(label, 0) / 1024
        c = cold.get(label)
        cells = f"{c['p50_ms']:8.1f} {c['p95_ms']:8.1f}" if c else f"{'':8} {'':8}"
        print(f"   {label:<40} {p['p50_ms']:8.1f} {p['p95_ms']:8.1f} {p['ratio']:10.1f} {size:6.0f}  {cells}  "
              f"{'/'.join(str(x) for x in p['runs_p50'])}  {verdict(label, p)} "
              f"{cold_verdict(label, c, report['counts']['records'])}")
    for label, why in report.get("missing", {}).items():
        print(f"   {label:<40} not measured: {why}")
    if report.get("throughput"):
        print("\n   throughput (gunicorn -w {}, closed loop)".format(report["workers"]))
        for label, r in report["throughput"].items():
            runs = "/".join(str(x) for x in r.get("runs_rps", []))
            print(f"   {label:<40} {r['rps']:8.1f} req/s at concurrency {r['concurrency']}, p50 {r['p50_ms']:.0f} ms,"
                  f" p95 {r['p95_ms']:.0f} ms, {r['requests']} requests, errors {r['errors'] or 0}; runs {runs}")
    if report.get("excel_cli"):
        e = report["excel_cli"]
        print(f"\n   flask export hours --from {e['export_hours_from']}: {e['export_hours_rows']:,} records in "
              f"{e['export_hours_seconds']} s; flask import volunteers (20,000 new rows): "
              f"{e['import_roster_seconds']} s {e['import_report']}")
    if report.get("excel_bench"):
        print("\n   bench/excel.py:\n" + "\n".join("   " + line for line in report["excel_bench"].splitlines()))
    elif "excel_bench" in report:
        print("\n   bench/excel.py is not there yet")


def compare(paths: list[str]) -> None:
    reports = [json.loads(Path(p).read_text()) for p in paths]
    base = reports[0]
    head = "".join(f"{r['label'][:18]:>20}" for r in reports)
    print(f"{'p50 ms (x first)':<42}{head}")
    for label in base["pages"]:
        cells = []
        for r in reports:
            p = r["pages"].get(label) or _match(r["pages"], label)
            if p is None:
                cells.append(f"{'—':>20}")
                continue
            growth = p["p50_ms"] / base["pages"][label]["p50_ms"]
            cells.append(f"{p['p50_ms']:>10.1f} ({growth:4.2f}x)")
        print(f"{label:<42}" + "".join(cells))
    for label in base.get("throughput", {}):
        cells = []
        for r in reports:
            t = r.get("throughput", {}).get(label)
            cells.append(f"{t['rps']:>10.1f} ({t['rps'] / base['throughput'][label]['rps']:4.2f}x)" if t else f"{'—':>20}")
        print(f"{'req/s ' + label:<42}" + "".join(cells))


def _match(pages: dict, label: str):
    """Labels that carry a varying part (a record count, a year) match on their first word(s)."""
    stem = label.split("(")[0].split(" year")[0].strip()
    for other, p in pages.items():
        if other.split("(")[0].split(" year")[0].strip() == stem and (" leader01" in other) == (" leader01" in label):
            return p
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="measure one database")
    where = r.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", help="path of a SQLite file")
    where.add_argument("--database-url", help="any SQLAlchemy URL (postgresql+psycopg://...)")
    r.add_argument("--scale", type=float, default=None, help="seed an empty database at S x the town")
    r.add_argument("--label")
    r.add_argument("--requests", type=int, default=200, help="requests per page (rounds)")
    r.add_argument("--repeat", type=int, default=1, help="latency runs; the median of each figure is reported")
    r.add_argument("--port", type=int, default=8311)
    r.add_argument("--workers", type=int, default=4)
    r.add_argument("--cold-requests", type=int, default=30,
                   help="requests per page with the figures cache invalidated before each (0: none)")
    r.add_argument("--concurrency", type=int, default=8, help="clients of the throughput runs")
    r.add_argument("--load-seconds", type=float, default=10, help="seconds per throughput run (0: none)")
    r.add_argument("--load-repeat", type=int, default=3, help="throughput runs per path; the median is reported")
    r.add_argument("--excel", action="store_true", help="time export of ~1M records and a 20,000-row import (CLI)")
    r.add_argument("--excel-bench", action="store_true", help="also run bench/excel.py")
    r.add_argument("--json", help="write the figures here")
    c = sub.add_parser("compare", help="growth of each figure between runs (first = 1x)")
    c.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    else:
        compare(args.files)


if __name__ == "__main__":
    main()
