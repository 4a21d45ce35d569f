"""National pack benchmark: a year of a town (330,000 approved records) against the plain hours export.

    .venv/bin/python bench/national.py [--records 367000] [--volunteers 20000] [--repeat 1] [--data PATH]

Builds the data of bench/excel.py (its build_data: 20,000 volunteers, records 90 % approved,
every activity 09:00-12:00, about a quarter of the records overlapping another of the same
person, so 不能导出 is busy too) in a temporary SQLite database, then times, each in a fresh
interpreter so that the peak RSS is the case's own:

* ``flask export hours`` of every record (volunteer.excel.exporters.export_hours): the
  reference, one sheet, no rules;
* the national pack of everything (volunteer.national.pack.create_batch, committed: the
  register, the per-record state and the file kept in the database);
* a second pack ``--since-last`` right after it (nothing new: the whole scan, no rows written).

Target: the pack of 330,000 approved records in under 30 s, memory flat (peak RSS within
150 MB of the hours export's).
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from excel import _status_mb, build_data, make_app  # noqa: E402  (bench/excel.py)

TARGET_SECONDS = 30.0
FLAT_MB = 150.0


def run_case(case: str, db_path: Path, out: Path) -> dict:
    app = make_app(db_path)
    app.app_context().push()
    from volunteer.excel.exporters import export_hours
    from volunteer.extensions import db
    from volunteer.national.pack import create_batch

    db.session.connection()
    baseline = _status_mb("VmRSS")
    usage0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    if case == "hours":
        rows, extra = export_hours(None, out), {}
    else:
        with open(out, "w+b") as f:
            batch = create_batch(None, f, since_last=case == "since_last")
        db.session.commit()
        rows = batch.records + batch.refused
        extra = {"records": batch.records, "refused": batch.refused, "volunteers": batch.volunteers,
                 "file_mb": round(batch.size / 2 ** 20, 1)}
    seconds = time.perf_counter() - t0
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    return {"case": case, "seconds": seconds, "rows": rows, "peak_mb": _status_mb("VmHWM"), "baseline_mb": baseline,
            "cpu": (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime), **extra}


def measure(case: str, db_path: Path, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--case", case, "--db", str(db_path), "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"case {case} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def line(label: str, r: dict) -> str:
    rate = f"{r['rows'] / r['seconds']:>9,.0f} rows/s" if r["rows"] and r["seconds"] else " " * 16
    return (f"  {label:<38} {r['seconds']:7.2f} s  cpu {r['cpu']:6.2f} s {rate}  peak {r['peak_mb']:5.0f} MB"
            f" (start {r['baseline_mb']:.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=367_000, help="service records (90 %% approved)")
    parser.add_argument("--volunteers", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each case; the fastest counts")
    parser.add_argument("--data", help="keep the built database here and reuse it on the next run")
    parser.add_argument("--case")
    parser.add_argument("--db")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.db), Path(args.out))))
        return
    with tempfile.TemporaryDirectory(prefix="bench-national-") as tmp:
        work = Path(tmp)
        base = Path(args.data) if args.data else work / "base.sqlite"
        if not base.exists():
            t0 = time.perf_counter()
            facts = build_data(base, args.volunteers, args.records)
            print(f"data: {facts} in {time.perf_counter() - t0:.1f} s (SQLite)")
            with sqlite3.connect(base) as conn:  # into the main file: the runs copy only that
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        results: dict[str, list[dict]] = {"hours": [], "full": [], "since_last": []}
        for _ in range(args.repeat):
            db_path = work / "run.sqlite"
            shutil.copyfile(base, db_path)
            results["hours"].append(measure("hours", db_path, work / "hours.xlsx"))
            results["full"].append(measure("full", db_path, work / "national.xlsx"))
            results["since_last"].append(measure("since_last", db_path, work / "since.xlsx"))
        best = {case: min(runs, key=lambda r: r["seconds"]) for case, runs in results.items()}
        full = best["full"]
        print(f"national pack: {full['records']:,} in 服务时长, {full['refused']:,} in 不能导出, "
              f"{full['volunteers']:,} volunteers, file {full['file_mb']} MB")
        print(line("export hours (every record)", best["hours"]))
        print(line("national pack (everything)", full))
        print(line("national pack --since-last (nothing new)", best["since_last"]))
        ratio = full["seconds"] / best["hours"]["seconds"]
        grown = full["peak_mb"] - best["hours"]["peak_mb"]
        cpu_ratio = full["cpu"] / best["hours"]["cpu"]
        print(f"  pack / hours export: {ratio:.2f}x time, {cpu_ratio:.2f}x CPU, peak {grown:+.0f} MB")
        ok_time = full["seconds"] < TARGET_SECONDS
        ok_memory = grown < FLAT_MB
        print(f"  {'PASS' if ok_time else 'FAIL'}: pack under {TARGET_SECONDS:.0f} s;"
              f" {'PASS' if ok_memory else 'FAIL'}: peak within {FLAT_MB:.0f} MB of the hours export's")


if __name__ == "__main__":
    main()
