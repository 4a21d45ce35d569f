"""On-site check-in under a crowd: 500 volunteers sign in to one activity within 60 seconds
through `gunicorn -w 4`, then sign out within the next 60, on SQLite or PostgreSQL.

    .venv/bin/python bench/checkin.py --sqlite /tmp/checkin.sqlite3
    .venv/bin/python bench/checkin.py --database-url postgresql+psycopg://postgres@127.0.0.1:54329/checkin_bench

The database is built from empty with create_all (the bench's own, like bench/excel.py): one
team, today's activity (Beijing day), 500 volunteers each with a login (one cheap password
hash shared by all: the bench measures check-in, not scrypt). Every volunteer logs in first
(not timed). Then each one, at a random moment of the 60 s (open loop: arrivals do not wait
for each other), opens the QR's URL `/c/<token>` and taps 签到 (POST with its CSRF token); one
in ten taps twice at once (two requests racing, as a double tap through two workers). A leader's
venue screen reloads every 5 s throughout. Then every volunteer taps 签退 in the next 60 s.

Printed: p50/p95/max of the sign-in POST (single taps; the double taps' two racing requests
apart: the second waits for the first's write), the scan GET, the sign-out POST and the venue screen;
errors; and what the database holds afterwards: sign-ins lost (a volunteer with no pair) and
duplicated (more than one pair, or more than one record). Targets: none lost, none duplicated,
sign-in p95 <= 300 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_SECRET, DEMO_PASSWORD, Gunicorn, Session, load_average, percentile  # noqa: E402

TARGET_P95_MS = 300
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')


def _app(url: str):
    from volunteer import create_app

    return create_app({"SECRET_KEY": BENCH_SECRET, "DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


def build(url: str, people: int) -> dict:
    """An empty schema, one team, today's activity, `people` volunteers with logins, a leader."""
    from stdnum.iso7064 import mod_11_2
    from werkzeug.security import generate_password_hash

    from volunteer.activities.models import Activity
    from volunteer.auth.models import User
    from volunteer.checkin.services import today_beijing
    from volunteer.extensions import db
    from volunteer.teams.models import ServiceCategory, Team, TeamMembership
    from volunteer.volunteers.models import Volunteer
    from datetime import date

    app = _app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        team = Team(name="虹桥镇志愿服务总队", kind="居委")
        category = ServiceCategory(name="助力创全")
        db.session.add_all([team, category])
        db.session.flush()
        activity = Activity(team_id=team.id, title="万人健步走志愿服务", category_id=category.id,
                            service_date=today_beijing(), status="published", place="虹桥公园")
        db.session.add(activity)
        hashed = generate_password_hash(DEMO_PASSWORD, method="pbkdf2:sha256:1000")
        volunteers = []
        for i in range(people):
            body = f"310104{1960 + i % 40}0{1 + i % 9}1{i % 10}{i % 1000:03d}"
            id_number = body + mod_11_2.calc_check_digit(body)
            volunteers.append(Volunteer(name=f"志愿者{i:04d}", id_number=id_number, id_last4=id_number[-4:],
                                        phone=f"137{i:08d}", registered_on=date(2025, 1, 1), status="active"))
        db.session.add_all(volunteers)
        db.session.flush()
        db.session.add_all([TeamMembership(team_id=team.id, volunteer_id=v.id) for v in volunteers])
        db.session.add_all([User(role="volunteer", username=v.phone, password_hash=hashed, volunteer_id=v.id,
                                 session_token="b") for v in volunteers])
        leader = User(role="leader", username="bench_leader", password_hash=hashed, session_token="b")
        leader.led_teams = [team]
        db.session.add(leader)
        db.session.commit()
        out = {"activity": activity.id, "usernames": [v.phone for v in volunteers]}
        db.engine.dispose()
    return out


def token(app, activity_id: int) -> str:
    """What the venue screen's QR holds at this minute (same key as the server's)."""
    from volunteer.checkin import tokens
    from volunteer.checkin.services import today_beijing
    from volunteer.clock import utcnow

    with app.app_context():
        return tokens.qr_token(activity_id, today_beijing(), tokens.counter_at(utcnow()))


def crowd(port: int, sessions: list[Session], seconds: float, act, workers: int = 64) -> None:
    """Call act(session) for every session at a random moment within `seconds` (open loop)."""
    start = time.perf_counter()
    moments = sorted((random.uniform(0, seconds), s) for s in sessions)

    def one(item):
        at, session = item
        delay = start + at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        act(session)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, moments))


def summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (f"{name:<22} n={len(ms):4d}  p50 {percentile(ms, 50):6.1f} ms  p95 {percentile(ms, 95):6.1f} ms  "
            f"max {max(ms) if ms else float('nan'):6.1f} ms")


def run(url: str, people: int, seconds: float, port: int, workers: int) -> dict:
    print(f"load average before: {load_average()}")
    world = build(url, people)
    app = _app(url)
    lock = threading.Lock()
    times = {"scan GET": [], "sign-in POST": [], "sign-in double tap": [], "sign-out POST": [],
             "venue screen GET": []}
    errors: list[str] = []

    def note(kind, status, elapsed, expected):
        with lock:
            if status != expected:
                errors.append(f"{kind}: HTTP {status}")
            else:
                times[kind].append(elapsed)

    with tempfile.TemporaryDirectory() as tmp, Gunicorn(url, port, workers=workers, log=Path(tmp) / "gunicorn.log"):
        sessions = [Session("127.0.0.1", port) for _ in world["usernames"]]
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(lambda pair: pair[0].login(pair[1]), zip(sessions, world["usernames"])))
        leader = Session("127.0.0.1", port)
        leader.login("bench_leader")
        print(f"{people} volunteers and a leader logged in")
        stop = threading.Event()

        def venue():
            while not stop.is_set():
                status, _, elapsed = leader.get(f"/activities/{world['activity']}/checkin")
                note("venue screen GET", status, elapsed, 200)
                stop.wait(5)

        screen = threading.Thread(target=venue, daemon=True)
        screen.start()
        double = set(random.sample(range(len(sessions)), max(1, len(sessions) // 10)))
        index = {id(s): i for i, s in enumerate(sessions)}

        def sign_in(session):
            path = f"/c/{token(app, world['activity'])}"
            status, body, elapsed = session.get(path)
            note("scan GET", status, elapsed, 200)
            match = CSRF.search(body)
            if not match:
                with lock:
                    errors.append("scan GET: no sign-in form")
                return
            form = {"csrf_token": match.group(1).decode(), "lat": "", "lng": "", "acc": ""}
            taps = 2 if index[id(session)] in double else 1
            if taps == 1:
                status, _, elapsed = session.request("POST", path, form)
                note("sign-in POST", status, elapsed, 302)
                return
            twin = Session("127.0.0.1", port)
            twin.cookies = dict(session.cookies)
            with ThreadPoolExecutor(max_workers=2) as both:
                for status, _, elapsed in both.map(lambda s: s.request("POST", path, form), (session, twin)):
                    note("sign-in double tap", status, elapsed, 302)

        def sign_out(session):
            status, body, _ = session.get("/c")
            match = CSRF.search(body)
            status, _, elapsed = session.request("POST", "/c/out", {"csrf_token": match.group(1).decode()})
            note("sign-out POST", status, elapsed, 302)

        t0 = time.perf_counter()
        crowd(port, sessions, seconds, sign_in)
        in_seconds = time.perf_counter() - t0
        # Everyone has been in for a while: move the sign-ins back an hour so that sign-outs credit hours.
        with app.app_context():
            from sqlalchemy import text

            from volunteer.extensions import db

            shift = ("signed_in_at - interval '1 hour'" if db.engine.dialect.name == "postgresql"
                     else "strftime('%Y-%m-%d %H:%M:%f', signed_in_at, '-1 hour')")
            db.session.execute(text(f"UPDATE checkins SET signed_in_at = {shift}"))
            db.session.commit()
            db.engine.dispose()
        t1 = time.perf_counter()
        crowd(port, sessions, seconds, sign_out)
        out_seconds = time.perf_counter() - t1
        stop.set()
        screen.join(10)

    with app.app_context():
        from sqlalchemy import func, select

        from volunteer.checkin.models import Checkin
        from volunteer.extensions import db
        from volunteer.hours.models import ServiceRecord

        per_person = dict(db.session.execute(select(Checkin.volunteer_id, func.count()).group_by(Checkin.volunteer_id)).all())
        records = dict(db.session.execute(select(ServiceRecord.volunteer_id, func.count())
                                          .group_by(ServiceRecord.volunteer_id)).all())
        states = dict(db.session.execute(select(Checkin.state, func.count()).group_by(Checkin.state)).all())
        db.engine.dispose()
    lost = people - len(per_person)
    duplicated = sum(1 for n in per_person.values() if n > 1) + sum(1 for n in records.values() if n > 1)
    result = {"database": url.split(":", 1)[0], "people": people, "workers": workers,
              "sign_in_seconds": round(in_seconds, 1), "sign_out_seconds": round(out_seconds, 1),
              "lost": lost, "duplicated": duplicated, "states": states, "records": len(records),
              "errors": errors[:20], "error_count": len(errors)}
    for kind, values in times.items():
        ms = [v * 1000 for v in values]
        result[kind] = {"n": len(ms), "p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1),
                        "max_ms": round(max(ms), 1) if ms else None}
        print(summary(kind, values))
    print(f"sign-ins: {people} people in {in_seconds:.1f} s ({len(double)} double taps); sign-outs in {out_seconds:.1f} s")
    print(f"pairs by state {states}; records {len(records)}; lost {lost}; duplicated {duplicated}; "
          f"errors {len(errors)} {errors[:5]}")
    p95 = result["sign-in POST"]["p95_ms"]
    verdict = lost == 0 and duplicated == 0 and not errors and p95 <= TARGET_P95_MS
    print(f"{'OK' if verdict else 'NOT MET'}: none lost, none duplicated, sign-in p95 {p95} ms <= {TARGET_P95_MS} ms")
    print(f"load average after: {load_average()}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="500 sign-ins to one activity within 60 s through gunicorn.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", help="path of a SQLite file (rebuilt)")
    where.add_argument("--database-url", help="a PostgreSQL database (its tables are dropped and rebuilt)")
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    random.seed(args.seed)
    url = f"sqlite:///{os.path.abspath(args.sqlite)}" if args.sqlite else args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    result = run(url, args.people, args.seconds, args.port, args.workers)
    sys.exit(0 if result["lost"] == 0 and result["duplicated"] == 0 else 1)


if __name__ == "__main__":
    main()
