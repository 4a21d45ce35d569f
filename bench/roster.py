"""The hours screen of a team of 10,000 (issue 18: <= 40 ms): page 1, the last page, a search by
name and by ID tail, a page turn carrying typed hours, against `/healthz` in the same run and
against the whole roster on one page (what the screen did before it paged).

    .venv/bin/python bench/roster.py --sqlite /tmp/roster.sqlite3
    .venv/bin/python bench/roster.py --database-url postgresql+psycopg://postgres@127.0.0.1:54329/roster_bench

The database is the bench's own, built from empty (`flask db upgrade`, `flask seed demo` with
12,000 volunteers), then the largest team topped up to `--members` active members and 50 of
them signed up. In-process through Flask's test client (no HTTP, no gunicorn): the figure is
the app's own cost of the page, the median of `--repeat` requests (p95 beside it).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (BENCH_SECRET, DEMO_PASSWORD, catch_up_schema, flask_cli, load_average,  # noqa: E402
                          percentile)

TARGET_MS = 40


def _app(url: str):
    from volunteer import create_app

    return create_app({"SECRET_KEY": BENCH_SECRET, "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url,
                       "WTF_CSRF_ENABLED": False})


def build(url: str, members: int) -> None:
    """Seed a small town when the database is empty, then make one team `members` strong."""
    from sqlalchemy import text

    flask_cli(url, "db", "upgrade")
    app = _app(url)
    catch_up_schema(app)
    from volunteer.extensions import db

    with app.app_context():
        empty = not db.session.execute(text("SELECT 1 FROM volunteers LIMIT 1")).first()
        db.session.rollback()
        db.engine.dispose()
    if empty:
        t0 = time.perf_counter()
        flask_cli(url, "seed", "demo", "--volunteers", str(int(members * 1.2)), "--activities", "2000",
                  "--records", "100000", "--password", DEMO_PASSWORD)
        print(f"seeded in {time.perf_counter() - t0:.1f} s")
    with app.app_context():
        team_id = db.session.execute(text(
            "SELECT team_id FROM team_memberships GROUP BY team_id ORDER BY count(*) DESC, team_id LIMIT 1")).scalar()
        have = db.session.execute(text("SELECT count(*) FROM team_memberships WHERE team_id = :t"),
                                  {"t": team_id}).scalar()
        if have < members:
            db.session.execute(text(
                "INSERT INTO team_memberships (team_id, volunteer_id) SELECT :t, v.id FROM volunteers v "
                "WHERE v.status = 'active' AND NOT EXISTS (SELECT 1 FROM team_memberships m "
                "WHERE m.team_id = :t AND m.volunteer_id = v.id) ORDER BY v.id LIMIT :n"),
                {"t": team_id, "n": members - have})
        activity_id = db.session.execute(text(
            "SELECT id FROM activities WHERE team_id = :t ORDER BY service_date DESC, id LIMIT 1"),
            {"t": team_id}).scalar()
        db.session.execute(text(
            "INSERT INTO activity_signups (activity_id, volunteer_id, created_at) SELECT :a, m.volunteer_id, "
            "CURRENT_TIMESTAMP FROM team_memberships m WHERE m.team_id = :t AND NOT EXISTS (SELECT 1 FROM "
            "activity_signups s WHERE s.activity_id = :a AND s.volunteer_id = m.volunteer_id) "
            "ORDER BY m.volunteer_id DESC LIMIT 50"), {"a": activity_id, "t": team_id})
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        db.engine.dispose()


def run(url: str, members: int, repeat: int) -> dict:
    from sqlalchemy import text

    build(url, members)
    app = _app(url)
    from volunteer.extensions import db

    with app.app_context():
        team_id = db.session.execute(text(
            "SELECT team_id FROM team_memberships GROUP BY team_id ORDER BY count(*) DESC, team_id LIMIT 1")).scalar()
        size = db.session.execute(text("SELECT count(*) FROM team_memberships WHERE team_id = :t"),
                                  {"t": team_id}).scalar()
        activity_id = db.session.execute(text(
            "SELECT id FROM activities WHERE team_id = :t ORDER BY service_date DESC, id LIMIT 1"),
            {"t": team_id}).scalar()
        name, tail = db.session.execute(text(
            "SELECT v.name, substr(v.id_number, 15, 4) FROM volunteers v JOIN team_memberships m ON "
            "m.volunteer_id = v.id WHERE m.team_id = :t ORDER BY v.id LIMIT 1"), {"t": team_id}).one()
        db.session.rollback()
    client = app.test_client()
    answer = client.post("/login", data={"username": "office", "password": DEMO_PASSWORD})
    assert answer.status_code == 302, answer.status_code
    screen = f"/activities/{activity_id}/hours"
    pages = -(-size // app.config["PAGE_SIZE"])  # at least
    typed = {f"hours-{vid}": "2" for vid in _first_ids(app, team_id, 20)}
    cases = [
        ("/healthz", lambda: client.get("/healthz")),
        ("page 1", lambda: client.get(screen)),
        (f"last page (?page={pages + 5})", lambda: client.get(f"{screen}?page={pages + 5}")),
        ("search a surname", lambda: client.get(f"{screen}?q={name[0]}")),
        ("search a full name", lambda: client.get(f"{screen}?q={name}")),
        ("search an ID tail", lambda: client.get(f"{screen}?q={tail}")),
        ("turn a page carrying 20 typed boxes (POST)", lambda: client.post(screen, data=typed | {"goto": "7"})),
    ]
    times: dict[str, list[float]] = {label: [] for label, _ in cases}
    cpu: dict[str, list[float]] = {label: [] for label, _ in cases}  # this process's CPU: steadier on a busy machine
    for _ in range(3):  # warm
        for _label, call in cases:
            call()
    for _ in range(repeat):  # interleaved, so every case shares what the machine does meanwhile
        for label, call in cases:
            t0, c0 = time.perf_counter(), time.process_time()
            response = call()
            times[label].append((time.perf_counter() - t0) * 1000)
            cpu[label].append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, (label, response.status_code)
    whole, whole_cpu = [], []
    app.config["PAGE_SIZE"] = size + 100  # everyone on one page: the screen before it paged
    for _ in range(max(3, repeat // 10)):
        t0, c0 = time.perf_counter(), time.process_time()
        body = client.get(screen).get_data()
        whole.append((time.perf_counter() - t0) * 1000)
        whole_cpu.append((time.process_time() - c0) * 1000)
    healthz = statistics.median(times["/healthz"])
    print(f"\n{url.split('@')[-1]}: team of {size:,} members, {pages} pages of 50; load average {load_average()}")
    print(f"{'case':48} {'p50 ms':>8} {'p95 ms':>8} {'x healthz':>10} {'CPU ms':>8}")
    report = {"members": size, "cases": {}}
    for label, values in times.items():
        p50, p95 = statistics.median(values), percentile(values, 95)
        report["cases"][label] = (p50, p95)
        flag = "" if label == "/healthz" or statistics.median(cpu[label]) <= TARGET_MS else f"  (CPU > {TARGET_MS} ms)"
        print(f"{label:48} {p50:8.1f} {p95:8.1f} {p50 / healthz:9.1f}x {statistics.median(cpu[label]):8.1f}{flag}")
    print(f"{'the whole roster on one page (before)':48} {statistics.median(whole):8.1f} {max(whole):8.1f} "
          f"{statistics.median(whole) / healthz:9.1f}x {statistics.median(whole_cpu):8.1f}  ({len(body) / 1e6:.1f} MB of HTML)")
    return report


def _first_ids(app, team_id: int, n: int) -> list[int]:
    from sqlalchemy import text

    from volunteer.extensions import db

    with app.app_context():
        ids = db.session.execute(text("SELECT volunteer_id FROM team_memberships WHERE team_id = :t "
                                      "ORDER BY volunteer_id LIMIT :n"), {"t": team_id, "n": n}).scalars().all()
        db.session.rollback()
        return ids


def main() -> None:
    parser = argparse.ArgumentParser(description="The hours screen of a team of 10,000.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", help="path of a SQLite file (seeded when empty)")
    where.add_argument("--database-url", help="a PostgreSQL database (seeded when empty)")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    url = f"sqlite:///{os.path.abspath(args.sqlite)}" if args.sqlite else args.database_url
    run(url, args.members, args.repeat)


if __name__ == "__main__":
    main()
