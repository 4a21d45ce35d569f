"""A bounded, closed-loop load generator on threads and http.client.

`concurrency` clients each send a request, wait for the whole answer, and send the next, until
`duration` seconds have passed or `max_requests` have been sent in total: the load is bounded
(never more than `concurrency` requests in flight), so the figure is the server's throughput at
that concurrency, not how many requests a queue can absorb. It runs on the same 2-core machine
as the server, so it takes some of the CPU it measures (a few per cent: one request costs the
client about 0.3 ms of CPU, a page costs the server 10-40 ms).

    .venv/bin/python bench/load.py --port 8000 --path /healthz --concurrency 8 --duration 10

`suite` starts `gunicorn -w 4` on a seeded database itself, logs in (office, leader01, the
volunteer with the most records) and runs every main page and the check-in pages at 8 and 32
clients, printing req/s, p50, p95 and the p50 as a multiple of /healthz's in the same run:

    .venv/bin/python bench/load.py suite --sqlite /tmp/town.sqlite3 --concurrency 8 32 --duration 10
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:
    from .common import Session, percentile
except ImportError:  # run as a script
    from common import Session, percentile


def run_load(host: str, port: int, path: str, *, cookies: dict | None = None, concurrency: int = 8,
             duration: float = 10.0, max_requests: int = 100_000, warmup: float = 1.0) -> dict:
    """Requests per second, latency percentiles and error count for one path under load.

    The first `warmup` seconds are run but not counted.
    """
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sent = 0
    start = time.perf_counter()
    count_from = start + warmup
    stop_at = count_from + duration
    counted_first: list[float] = []

    def client():
        nonlocal sent
        session = Session(host, port)
        session.cookies = dict(cookies or {})
        while True:
            now = time.perf_counter()
            with lock:
                if now >= stop_at or sent >= max_requests:
                    return
                sent += 1
            try:
                status, _body, seconds = session.get(path)
                key = None if status == 200 else f"HTTP {status}"
            except OSError as exc:
                seconds, key = 0.0, type(exc).__name__
            done = time.perf_counter()
            with lock:
                if key:
                    errors[key] = errors.get(key, 0) + 1
                elif done >= count_from and done <= stop_at:
                    latencies.append(seconds)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = min(time.perf_counter(), stop_at) - count_from
    return {"path": path, "concurrency": concurrency, "seconds": round(elapsed, 2), "requests": len(latencies),
            "rps": len(latencies) / elapsed if elapsed > 0 else 0.0,
            "p50_ms": percentile(latencies, 50) * 1000, "p95_ms": percentile(latencies, 95) * 1000,
            "errors": errors}


def suite_pages(url: str) -> list[tuple[str, str, str]]:
    """(label, login, path) of the main pages and check-in, /healthz first (the yardstick)."""
    from datetime import datetime, timedelta, timezone

    from bench.pages import subjects

    s = subjects(url)
    year = datetime.now(timezone(timedelta(hours=8))).year  # Beijing
    return s, [
        ("/healthz", "anon", "/healthz"),
        ("start page (office)", "office", "/"),
        ("start page (leader01)", "leader", "/"),
        ("activities list", "office", "/activities/"),
        ("/me (most records)", "volunteer", "/me"),
        ("approvals queue", "office", "/hours/approvals"),
        ("approvals queue, last page", "office", "/hours/approvals?last=1"),
        (f"/reports/ year {year}", "office", f"/reports/?year={year}"),
        (f"/reports/ranking year {year}", "office", f"/reports/ranking?year={year}"),
        ("check-in: venue screen (leader's QR, reloads)", "office", f"/activities/{s['activity_id']}/checkin"),
        ("check-in: code entry page (volunteer)", "volunteer", "/c"),
    ]


def suite(url: str, concurrencies: list[int], duration: float, workers: int, port: int) -> dict:
    """Every main page under `concurrency` closed-loop clients through `gunicorn -w workers`:
    p50 / p95 / throughput, and the p50 as a multiple of /healthz's at the same concurrency."""
    from bench.common import Gunicorn, Session, catch_up_schema, load_average
    from bench.pages import TOP_VOLUNTEER_PASSWORD
    from volunteer import create_app

    catch_up_schema(create_app({"SECRET_KEY": "bench-only-secret-4f1c2a9e7b3d5f60", "DATABASE_URL": url,
                                "SQLALCHEMY_DATABASE_URI": url}))
    s, pages = suite_pages(url)
    report = {"url": url.split("@")[-1], "workers": workers, "runs": {}}
    with Gunicorn(url, port, workers=workers):
        cookies = {"anon": {}}
        for role, user, password in (("office", "office", None), ("leader", "leader01", None),
                                     ("volunteer", s["top_username"], TOP_VOLUNTEER_PASSWORD)):
            session = Session("127.0.0.1", port)
            session.login(user, password) if password else session.login(user)
            cookies[role] = dict(session.cookies)
        for concurrency in concurrencies:
            print(f"\n{report['url']}: gunicorn -w {workers}, {concurrency} clients, {duration:g} s a page; "
                  f"load average {load_average()}")
            print(f"{'page':48} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p50 x healthz':>14} errors")
            rows = {}
            for label, role, path in pages:
                r = run_load("127.0.0.1", port, path, cookies=cookies[role], concurrency=concurrency,
                             duration=duration, warmup=min(1.0, duration / 5))
                rows[label] = r
                base = rows["/healthz"]["p50_ms"] or float("nan")
                print(f"{label:48} {r['rps']:8.1f} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['p50_ms'] / base:13.1f}x "
                      f"{r['errors'] or ''}")
            report["runs"][concurrency] = rows
    return report


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "suite":
        return suite_main(sys.argv[2:])
    parser = argparse.ArgumentParser(description="Closed-loop HTTP load on one path.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--cookie", action="append", default=[], help="name=value, repeatable")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
    cookies = dict(c.split("=", 1) for c in args.cookie)
    r = run_load(args.host, args.port, args.path, cookies=cookies, concurrency=args.concurrency,
                 duration=args.duration, max_requests=args.max_requests)
    print(f"{r['path']}: {r['rps']:.1f} req/s at concurrency {r['concurrency']} over {r['seconds']} s, "
          f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, errors {r['errors'] or 0}")


def suite_main(argv) -> None:
    parser = argparse.ArgumentParser(prog="load.py suite", description="The main pages and check-in under load.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", help="path of a seeded SQLite file (bench/pages.py seeds one)")
    where.add_argument("--database-url", help="a seeded database's SQLAlchemy URL")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--duration", type=float, default=10, help="seconds per page and concurrency")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8411)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    url = f"sqlite:///{os.path.abspath(args.sqlite)}" if args.sqlite else args.database_url
    report = suite(url, args.concurrency, args.duration, args.workers, args.port)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
