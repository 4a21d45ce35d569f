"""A year's hours export: the workbook streamed while written (excel/streaming.py, stream-zip)
against the workbook built whole by XlsxWriter and then sent (what a background job would
build before offering the file), on the same records, each in a fresh process.

    .venv/bin/python bench/export_stream.py --sqlite /tmp/town.sqlite3 --from 2026-01-01 --to 2026-12-31
    .venv/bin/python bench/export_stream.py --synthetic 1000000      # the writers alone, no database

Printed per mode: seconds to the first byte, seconds to the last, the file's size, the peak
resident memory of the process (ru_maxrss), and the ratio of each to the XlsxWriter build.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_SECRET, load_average  # noqa: E402


def _rows(n: int):
    for i in range(n):
        yield (f"志愿者{i % 20000}", f"310104********{i % 10000:04d}", "13812345678", "虹桥居委志愿服务队",
               f"活动{i % 20000}", "社区服务", dt.date(2026, 1 + i % 12, 1 + i % 28), dt.time(9, 0), dt.time(11, 30),
               2.5, None, "已确认", "office", dt.datetime(2026, 3, 1, 9, 30))


def child(mode: str, url: str | None, synthetic: int, date_from: str | None, date_to: str | None) -> dict:
    """One measurement in this process: {'first': s, 'total': s, 'bytes': n, 'rss_mb': m, 'rows': n}."""
    from volunteer.excel import streaming, writer
    from volunteer.excel.columns import HOURS_COLUMNS  # noqa: F401 - the real export's shapes come from the app

    t0 = time.perf_counter()
    first = None
    size = 0
    rows = synthetic
    if url is None:
        spec = writer.SheetSpec("服务时长", [f"列{i}" for i in range(14)], _rows(synthetic), {1, 2}, None)
        if mode == "stream":
            for piece in streaming.stream_workbook([spec]):
                first = first or time.perf_counter() - t0
                size += len(piece)
        else:
            with tempfile.TemporaryFile() as f:
                writer.write_workbook(f, [spec])
                size = f.tell()
                f.seek(0)
                first = time.perf_counter() - t0
                while f.read(65536):
                    pass
    else:
        from volunteer import create_app

        app = create_app({"SECRET_KEY": BENCH_SECRET, "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url,
                          "WTF_CSRF_ENABLED": False})
        client = app.test_client()
        assert client.post("/login", data={"username": "office", "password": "demo-pass-2026"}).status_code == 302
        if mode == "stream":
            t0 = time.perf_counter()
            response = client.get(f"/exports/hours?from={date_from}&to={date_to}", buffered=False)
            for piece in response.response:
                first = first or time.perf_counter() - t0
                size += len(piece)
            response.close()
        else:
            from volunteer.auth.models import User
            from volunteer.excel import exporters
            from volunteer.extensions import db

            with app.app_context():
                office = db.session.scalar(db.select(User).where(User.username == "office"))
                t0 = time.perf_counter()
                with tempfile.TemporaryFile() as f:
                    rows = exporters.export_hours(office, f, date_from=dt.date.fromisoformat(date_from),
                                                  date_to=dt.date.fromisoformat(date_to))
                    size = f.tell()
                    f.seek(0)
                    first = time.perf_counter() - t0
                    while f.read(65536):
                        pass
    total = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "first": first, "total": total, "bytes": size, "rss_mb": rss, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description="Streamed against built-then-sent hours export.")
    parser.add_argument("--sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--synthetic", type=int, default=0, help="rows of made-up records (no database)")
    parser.add_argument("--from", dest="date_from", default="2026-01-01")
    parser.add_argument("--to", dest="date_to", default="2026-12-31")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each mode (interleaved); the fastest is kept")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = f"sqlite:///{os.path.abspath(args.sqlite)}" if args.sqlite else args.database_url
    if args.child:
        print(json.dumps(child(args.child, url, args.synthetic, args.date_from, args.date_to)))
        return
    if url:
        from bench.common import catch_up_schema
        from volunteer import create_app

        catch_up_schema(create_app({"SECRET_KEY": BENCH_SECRET, "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url}))
    results = {}
    for mode in ("build", "stream") * args.rounds:  # interleaved: the machine is shared
        cmd = [sys.executable, __file__, "--child", mode, "--synthetic", str(args.synthetic),
               "--from", args.date_from, "--to", args.date_to]
        if url:
            cmd += ["--database-url", url]
        out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, SECRET_KEY=BENCH_SECRET))
        if out.returncode:
            raise SystemExit(out.stderr[-3000:])
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(result), flush=True)
        best = results.get(mode)
        if best is None or result["total"] < best["total"]:
            results[mode] = result
    base = results["build"]
    print(f"load average {load_average()}; {'synthetic rows' if not url else url.split('@')[-1]}")
    print(f"{'mode':44} {'first byte s':>12} {'last byte s':>12} {'MB':>7} {'peak RSS MB':>12} {'total x build':>14}")
    labels = {"build": "(b) XlsxWriter builds, then the file is sent", "stream": "(a) streamed as written (stream-zip)"}
    for mode in ("build", "stream"):
        r = results[mode]
        print(f"{labels[mode]:44} {r['first']:12.2f} {r['total']:12.2f} {r['bytes'] / 1e6:7.1f} {r['rss_mb']:12.0f} "
              f"{r['total'] / base['total']:13.2f}x")


if __name__ == "__main__":
    main()
