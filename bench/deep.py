"""Deep pages and key look-ups, in-process (Flask's test client, no HTTP), against /healthz in
the same rounds (issue 18): the approvals queue's first and deepest page (keyset), the volunteers
list's last page, the audit log's oldest page, and the office's search by a full ID number and
by a mobile number (an index each).

    .venv/bin/python bench/deep.py --sqlite /tmp/town.sqlite3
    .venv/bin/python bench/deep.py --database-url postgresql+psycopg://postgres@127.0.0.1:54329/town10x

Needs a seeded database (bench/pages.py or `flask seed demo`). Prints p50 / p95 of --repeat
rounds and each p50 as a multiple of /healthz's.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_SECRET, DEMO_PASSWORD, catch_up_schema, load_average, percentile  # noqa: E402


def run(url: str, repeat: int) -> dict:
    from sqlalchemy import text

    from volunteer import create_app
    from volunteer.extensions import db

    app = create_app({"SECRET_KEY": BENCH_SECRET, "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False})
    catch_up_schema(app)
    with app.app_context():
        person = db.session.execute(text(
            "SELECT id_number, phone FROM volunteers WHERE phone IS NOT NULL ORDER BY id DESC LIMIT 1")).one()
        counts = {t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("volunteers", "service_records")}
        pending = db.session.execute(text("SELECT count(*) FROM service_records WHERE status = 'pending'")).scalar()
        db.session.rollback()
    client = app.test_client()
    assert client.post("/login", data={"username": "office", "password": DEMO_PASSWORD}).status_code == 302
    cases = [
        ("/healthz", "/healthz"),
        ("approvals queue, first page", "/hours/approvals"),
        (f"approvals queue, deepest page ({pending:,} pending)", "/hours/approvals?last=1"),
        ("volunteers list, last page", "/volunteers/?last=1"),
        ("audit log, first page", "/audit/"),
        ("search by a full ID number", f"/volunteers/?q={person.id_number}"),
        ("search by a mobile number", f"/volunteers/?q={person.phone}"),
    ]
    times: dict[str, list[float]] = {label: [] for label, _ in cases}
    cpu: dict[str, list[float]] = {label: [] for label, _ in cases}  # this process's CPU: steadier on a busy machine
    for _ in range(2):
        for _label, path in cases:
            client.get(path)
    for _ in range(repeat):
        for label, path in cases:
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(path)
            times[label].append((time.perf_counter() - t0) * 1000)
            cpu[label].append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, (label, response.status_code)
    healthz = statistics.median(times["/healthz"])
    print(f"\n{url.split('@')[-1]}: {counts['volunteers']:,} volunteers, {counts['service_records']:,} records; "
          f"load average {load_average()}")
    print(f"{'case':52} {'p50 ms':>8} {'p95 ms':>8} {'x healthz':>10} {'CPU ms':>8}")
    out = {}
    for label, values in times.items():
        p50, p95 = statistics.median(values), percentile(values, 95)
        out[label] = (p50, p95)
        print(f"{label:52} {p50:8.1f} {p95:8.1f} {p50 / healthz:9.1f}x {statistics.median(cpu[label]):8.1f}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Deep pages and key look-ups against /healthz.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite")
    where.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    run(f"sqlite:///{os.path.abspath(args.sqlite)}" if args.sqlite else args.database_url, args.repeat)


if __name__ == "__main__":
    main()
