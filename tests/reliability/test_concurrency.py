"""Many people at once against the real server: gunicorn with 4 worker processes, on SQLite (WAL,
BEGIN IMMEDIATE) or, in the PostgreSQL pass, on a dedicated PostgreSQL database.

20 clients (16 team leaders, 4 office clerks) each make 50 writes through the pages, exactly as
a browser does (GET the form, read the CSRF token, POST, follow the redirect, read the flash):
hours on the one-screen hours form, approvals, volunteer and activity edits. Each client keeps a
ledger of the writes the server acknowledged. Afterwards the database must hold every
acknowledged write exactly once and nothing else: no lost update, no double approval, no
half-written change, no server error, and no "database is locked" in gunicorn's log.

A second test aims everyone at the same objects at the same instant (one activity form, one
volunteer's hours, the last places of an activity): the later saves are told the truth (已被他人修改,
报名人数已满), never a 500 and never a silent overwrite.
"""
import random
import re
import threading
import time
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.reliability import helpers as h

pytestmark = pytest.mark.slow

LEADERS, OFFICE_CLERKS, WRITES = 16, 4, 50
VOLUNTEERS_PER_TEAM, ACTIVITIES_PER_TEAM = 5, 4
CLIENT_PHASE_LIMIT = 240  # seconds: a guard against hangs; a run takes 30-90 s (docs/RELIABILITY.md)
STALE_TEXT = "已被他人修改"
SERVER_LOG_FORBIDDEN = ("database is locked", "Traceback", "Exception on", "WORKER TIMEOUT")


# --- seeding through the services -----------------------------------------------------------------

def seed(url: str) -> dict:
    """Teams, their leaders, members and activities, and the office logins; all via services."""
    from volunteer.activities.services import create_activity
    from volunteer.auth.services import create_user
    from volunteer.extensions import db
    from volunteer.clock import today_local
    from volunteer.teams.services import create_category, create_team
    from volunteer.volunteers.services import register_volunteer

    app = h.make_app(url)
    today = today_local()
    layout = {"teams": [], "office": []}
    with app.app_context():
        category = create_category(None, "文明传播")
        for i in range(OFFICE_CLERKS):
            create_user(None, role="office", username=f"office{i}", password=h.PASSWORD)
            layout["office"].append(f"office{i}")
        serial = 0
        for i in range(LEADERS):
            team = create_team(None, {"name": f"并发测试第{i}志愿服务队", "kind": "居委"})
            create_user(None, role="leader", username=f"leader{i}", password=h.PASSWORD, teams=[team])
            volunteers = []
            for j in range(VOLUNTEERS_PER_TEAM):
                serial += 1
                v = register_volunteer(None, {"name": f"队员{i}号{j}", "id_number": h.make_id_number(serial),
                                              "phone": f"1380000{serial:04d}", "teams": [team.name]}, today=today)
                volunteers.append(v.id)
            activities = []
            for j in range(ACTIVITIES_PER_TEAM):
                a = create_activity(None, {"team_id": team.id, "title": f"第{i}队活动{j}", "category_id": category.id,
                                           "service_date": today, "start_time": "08:00", "end_time": "18:00",
                                           "status": "published"})
                activities.append(a.id)
            layout["teams"].append({"id": team.id, "leader": f"leader{i}", "volunteers": volunteers,
                                    "activities": activities})
        db.session.commit()
        db.session.remove()
    return layout


# --- the clients ----------------------------------------------------------------------------------

class Client:
    """One person's session and ledger. `errors` collects anything a user would call a failure."""

    def __init__(self, port: int, username: str, deadline: float):
        self.browser = h.Browser(port)
        self.username = username
        self.deadline = deadline
        self.errors: list[str] = []
        self.writes = 0
        self.hours_acked = 0  # acknowledged hours POSTs (each writes one hours.log entry)
        self.hours: dict[tuple[int, int], list[int]] = defaultdict(list)  # (activity, volunteer) -> minutes
        self.approved = 0  # records the server said it approved
        self.volunteer_edits: list[tuple[int, int, str]] = []  # (volunteer id, version loaded, note)
        self.activity_edits: list[tuple[int, int, str]] = []  # (activity id, version loaded, place)
        self.refused = defaultdict(int)  # polite refusals by kind (stale form, already approved...)

    def check_time(self):
        if time.monotonic() > self.deadline:
            raise TimeoutError(f"{self.username}: client phase over its time limit")

    def fail(self, what: str, response: h.Response):
        self.errors.append(f"{self.username} {what}: {response.method} {response.path} -> {response.status} "
                           f"{response.flashes() or response.body[:300]}")

    # each write returns after the redirect (or the re-rendered form) has been read

    def edit_volunteer(self, vid: int, note: str):
        self.check_time()
        page = self.browser.get(f"/volunteers/{vid}/edit")
        if page.status != 200:
            return self.fail("volunteer form", page)
        form = h.find_form(page.body, "note")
        version = int(form.get("version"))
        form.set("note", note)
        response = self.browser.post(f"/volunteers/{vid}/edit", form.pairs())
        self.writes += 1
        if response.status == 302:
            final = self.browser.follow(response)
            if ("success", "已保存。") in final.flashes():
                self.volunteer_edits.append((vid, version, note))
                return
            return self.fail("volunteer save without success message", final)
        if response.status == 200 and STALE_TEXT in response.body:
            self.refused["volunteer_stale"] += 1
            return
        self.fail("volunteer save", response)

    def edit_activity(self, aid: int, place: str):
        self.check_time()
        page = self.browser.get(f"/activities/{aid}/edit")
        if page.status != 200:
            return self.fail("activity form", page)
        form = h.find_form(page.body, "place")
        version = int(form.get("version"))
        form.set("place", place)
        response = self.browser.post(f"/activities/{aid}/edit", form.pairs())
        self.writes += 1
        if response.status == 302:
            final = self.browser.follow(response)
            if ("success", "活动已保存。") in final.flashes():
                self.activity_edits.append((aid, version, place))
                return
            return self.fail("activity save without success message", final)
        if response.status == 200 and STALE_TEXT in response.body:
            self.refused["activity_stale"] += 1
            return
        self.fail("activity save", response)


class Leader(Client):
    def __init__(self, port, team, deadline):
        super().__init__(port, team["leader"], deadline)
        self.team = team
        self.pages: dict[int, h.Response] = {}  # the hours screen last shown, per activity

    def log_hours(self, aid: int, vid: int, minutes: int, *, new: bool):
        self.check_time()
        page = self.pages.get(aid) or self.browser.get(f"/activities/{aid}/hours")
        form = h.find_form(page.body, f"hours-{vid}")
        form.set(f"hours-{vid}", f"{minutes / 60:g}")
        response = self.browser.post(f"/activities/{aid}/hours", form.pairs())
        self.writes += 1
        if response.status == 302:
            final = self.browser.follow(response)
            self.pages[aid] = final
        elif response.status == 200:  # refused: the form is shown again with a message
            final = response
            self.pages.pop(aid, None)
        else:
            self.pages.pop(aid, None)
            return self.fail("hours save", response)
        for category, text in final.flashes():
            counts = re.match(r"已保存：新增 (\d+) 条，修改 (\d+) 条", text)
            if category == "success" and counts:
                if (int(counts[1]), int(counts[2])) != ((1, 0) if new else (0, 1)):
                    return self.fail(f"hours counts {counts.group(0)}", final)
                self.hours_acked += 1
                self.hours[(aid, vid)].append(minutes)
                return
            if category == "danger" and "时长已确认" in text and not new:
                self.refused["hours_already_approved"] += 1  # the office approved it first: correct
                return
        self.fail("hours save without success message", final)

    def run(self):
        try:
            self.browser.login(self.username)
            pairs = [(a, v) for a in self.team["activities"] for v in self.team["volunteers"]]
            original = {p: 60 + 15 * (n % 8) for n, p in enumerate(pairs)}
            hours_ops = [(p, original[p], True) for p in pairs] + [(p, original[p] + 30, False) for p in pairs[:10]]
            for k in range(WRITES):
                if k % 5 == 3:
                    vid = self.team["volunteers"][k // 5 % VOLUNTEERS_PER_TEAM]
                    self.edit_volunteer(vid, f"{self.username} 第{k}次修改")
                elif k % 5 == 4:
                    aid = self.team["activities"][k // 5 % ACTIVITIES_PER_TEAM]
                    self.edit_activity(aid, f"{self.username} 地点{k}")
                else:
                    (aid, vid), minutes, new = hours_ops.pop(0)
                    self.log_hours(aid, vid, minutes, new=new)
        except Exception as exc:  # noqa: BLE001 - reported as a failure of the test
            self.errors.append(f"{self.username} crashed: {exc!r}")


class Clerk(Client):
    def __init__(self, port, username, layout, deadline, seed_value):
        super().__init__(port, username, deadline)
        self.layout = layout
        self.rng = random.Random(seed_value)
        self.page: h.Response | None = None

    def approve(self) -> bool:
        """Approve the first pending records on the queue (the other clerks pick the same ones)."""
        self.check_time()
        page = self.page or self.browser.get("/hours/approvals")
        self.page = None
        form = next((f for f in h.forms(page.body) if f.attrs.get("id") == "approve-form"), None)
        ids = [f["value"] for f in form.fields if f["name"] == "record_id"][:8] if form else []
        if not ids:
            return False
        pairs = [(k, v) for k, v in form.pairs() if k not in ("record_id", "scope")]
        pairs += [("scope", "selected")] + [("record_id", i) for i in ids]
        response = self.browser.post("/hours/approvals", pairs)
        self.writes += 1
        if response.status != 302:
            self.fail("approve", response)
            return True
        final = self.browser.follow(response)
        self.page = final
        for category, text in final.flashes():
            done = re.match(r"已审核通过 (\d+) 条记录。", text)
            if category == "success" and done:
                self.approved += int(done[1])
                skipped = re.search(r"(\d+) 条因已处理", text)
                if int(done[1]) + (int(skipped[1]) if skipped else 0) != len(ids):
                    self.fail("approval counts do not add up", final)
                return True
        self.fail("approve without success message", final)
        return True

    def run(self):
        try:
            self.browser.login(self.username)
            teams = self.layout["teams"]
            for k in range(WRITES):
                kind = k % 5
                if kind < 3 and self.approve():
                    continue
                team = self.rng.choice(teams)
                if kind == 4:
                    self.edit_activity(self.rng.choice(team["activities"]), f"{self.username} 改地点{k}")
                else:
                    self.edit_volunteer(self.rng.choice(team["volunteers"]), f"{self.username} 第{k}次修改")
        except Exception as exc:  # noqa: BLE001
            self.errors.append(f"{self.username} crashed: {exc!r}")


def run_all(clients) -> float:
    threads = [threading.Thread(target=c.run, name=c.username) for c in clients]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, CLIENT_PHASE_LIMIT + 30 - (time.monotonic() - started)))
    assert not any(t.is_alive() for t in threads), "clients still running after the time limit"
    return time.monotonic() - started


# --- checking the database against the ledgers ------------------------------------------------------

def check_chain(kind: str, edits: list[tuple[int, int, str]], current: dict[int, tuple[int, str]],
                audit_counts: dict[int, int]) -> list[str]:
    """Optimistic locking without lost updates: the acknowledged edits of an object loaded
    versions 1, 2, ... n in turn, the object is at version n + 1, holds the value of the edit that
    loaded version n, and has one audit entry per acknowledged edit."""
    problems = []
    by_object = defaultdict(list)
    for oid, version, value in edits:
        by_object[oid].append((version, value))
    for oid, acked in by_object.items():
        acked.sort()
        versions = [v for v, _ in acked]
        version_now, value_now = current[oid]
        if versions != list(range(1, len(acked) + 1)):
            problems.append(f"{kind} {oid}: acknowledged edits loaded versions {versions}")
        if version_now != len(acked) + 1 or value_now != acked[-1][1]:
            problems.append(f"{kind} {oid}: version {version_now} value {value_now!r}, ledger {acked}")
        if audit_counts.get(oid, 0) != len(acked):
            problems.append(f"{kind} {oid}: {audit_counts.get(oid, 0)} audit entries for {len(acked)} edits")
    return problems


def verify(url: str, layout: dict, leaders: list[Leader], clerks: list[Clerk]) -> dict:
    from volunteer.activities.models import Activity
    from volunteer.audit.models import AuditLog
    from volunteer.extensions import db
    from volunteer.hours.models import ServiceRecord
    from volunteer.volunteers.models import Volunteer

    problems = []
    app = h.make_app(url)
    with app.app_context():
        records = db.session.scalars(select(ServiceRecord)).all()
        live = defaultdict(list)
        for r in records:
            if r.status != "void":
                live[(r.activity_id, r.volunteer_id)].append(r)
        # hours: every acknowledged entry exactly once, with the last acknowledged minutes
        ledger = {}
        for leader in leaders:
            ledger.update({pair: minutes[-1] for pair, minutes in leader.hours.items()})
        for pair, minutes in ledger.items():
            got = live.get(pair, [])
            if len(got) != 1 or got[0].minutes != minutes:
                problems.append(f"hours {pair}: ledger {minutes} min, database {[(r.id, r.minutes) for r in got]}")
        extra = set(live) - set(ledger)
        if extra:
            problems.append(f"records nobody was told about: {sorted(extra)[:10]}")
        if any(r.status == "void" for r in records):
            problems.append("void records appeared")

        logs = db.session.scalars(select(AuditLog).where(AuditLog.action == "hours.log")).all()
        if len(logs) != sum(c.hours_acked for c in leaders):
            acked = sum(c.hours_acked for c in leaders)
            problems.append(f"{len(logs)} hours.log entries for {acked} acknowledged saves")
        by_id = {r.id: r for r in records}
        logged_ids = set()
        for entry in logs:
            for rid in entry.changes["records"]:
                logged_ids.add(rid)
                if rid not in by_id or str(by_id[rid].activity_id) != entry.object_id:
                    problems.append(f"hours.log entry {entry.id} lists record {rid} that is not on that activity")
        if logged_ids != set(by_id):
            problems.append("records without their hours.log entry: " + str(sorted(set(by_id) - logged_ids)[:10]))

        # approvals: each record approved once, by one audited batch; the counts the clerks saw add up
        approvals = db.session.scalars(select(AuditLog).where(AuditLog.action == "hours.approve")).all()
        approved_ids = [rid for entry in approvals for rid in entry.changes["records"]]
        if len(approved_ids) != len(set(approved_ids)):
            problems.append("a record was approved twice")
        approved_now = {r.id for r in records if r.status == "approved"}
        if set(approved_ids) != approved_now:
            problems.append(f"approved records {len(approved_now)} vs audited approvals {len(set(approved_ids))}")
        if any(r.approved_at is None or r.approved_by_id is None for r in records if r.status == "approved"):
            problems.append("an approved record lacks its approver or time")
        if sum(c.approved for c in clerks) != len(approved_ids):
            told = sum(c.approved for c in clerks)
            problems.append(f"clerks were told {told} approvals, audit has {len(approved_ids)}")

        # edits: no lost update, one audit entry each
        everyone = leaders + clerks
        vols = {v.id: (v.version, v.note) for v in db.session.scalars(select(Volunteer))}
        acts = {a.id: (a.version, a.place) for a in db.session.scalars(select(Activity))}

        def audit_counts(action):
            rows = db.session.execute(select(AuditLog.object_id, func.count()).where(AuditLog.action == action)
                                      .group_by(AuditLog.object_id)).all()
            return {int(oid): n for oid, n in rows}

        problems += check_chain("volunteer", [e for c in everyone for e in c.volunteer_edits], vols,
                                audit_counts("volunteer.update"))
        problems += check_chain("activity", [e for c in everyone for e in c.activity_edits], acts,
                                audit_counts("activity.update"))
        figures = {
            "records": len(records), "approved": len(approved_now), "approval_batches": len(approvals),
            "hours_saves": sum(c.hours_acked for c in leaders),
            "volunteer_edits": sum(len(c.volunteer_edits) for c in everyone),
            "activity_edits": sum(len(c.activity_edits) for c in everyone),
        }
        db.session.remove()
    assert not problems, "\n".join(problems[:30])
    return figures


def test_twenty_clients_fifty_writes_each_lose_nothing(tmp_path, record_property):
    with h.fresh_database(tmp_path, "concurrency") as url:
        layout = seed(url)
        with h.gunicorn(url, tmp_path, workers=4) as server:
            deadline = time.monotonic() + CLIENT_PHASE_LIMIT
            leaders = [Leader(server.port, team, deadline) for team in layout["teams"]]
            clerks = [Clerk(server.port, name, layout, deadline, n) for n, name in enumerate(layout["office"])]
            elapsed = run_all(leaders + clerks)
        log = server.log()
        everyone = leaders + clerks
        errors = [e for c in everyone for e in c.errors]
        assert not errors, "\n".join(errors[:20])
        server_errors = [e for c in everyone for e in c.browser.server_errors()]
        assert not server_errors, server_errors[:20]
        for needle in SERVER_LOG_FORBIDDEN:
            assert needle not in log, log[-5000:]
        assert all(c.writes >= WRITES for c in everyone), [(c.username, c.writes) for c in everyone]
        figures = verify(url, layout, leaders, clerks)
        requests = sum(len(c.browser.history) for c in everyone)
        posts = sorted(t for c in everyone for m, _, _, t in c.browser.history if m == "POST")
        median, p95 = posts[len(posts) // 2], posts[int(len(posts) * .95)]
        latency = f"POST latency median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
        refused = defaultdict(int)
        for c in everyone:
            for k, n in c.refused.items():
                refused[k] += n
        summary = (f"[{h.backend()}] {len(everyone)} clients x {WRITES} writes = {sum(c.writes for c in everyone)} "
                   f"writes, {requests} requests in {elapsed:.1f}s ({latency}), 0 errors; {figures}; "
                   f"refused {dict(refused)}")
        record_property("figures", summary)
        print(summary)


# --- everyone at the same object at the same instant -------------------------------------------------

def seed_hot_spots(url: str) -> dict:
    from volunteer.activities.services import create_activity
    from volunteer.auth.services import create_user
    from volunteer.extensions import db
    from volunteer.clock import today_local
    from volunteer.teams.services import create_category, create_team
    from volunteer.volunteers.services import register_volunteer

    app = h.make_app(url)
    today = today_local()
    with app.app_context():
        category = create_category(None, "为民服务")
        team = create_team(None, {"name": "热点测试志愿服务队", "kind": "居委"})
        leaders = [create_user(None, role="leader", username=f"hot-leader{i}", password=h.PASSWORD, teams=[team])
                   for i in range(8)]
        person = register_volunteer(None, {"name": "热点队员", "id_number": h.make_id_number(900),
                                           "phone": "13700000900", "teams": [team.name]}, today=today)
        volunteers = []
        for i in range(10):
            v = register_volunteer(None, {"name": f"报名者{i}", "id_number": h.make_id_number(910 + i),
                                          "phone": f"137000009{10 + i}", "teams": [team.name]}, today=today)
            create_user(None, role="volunteer", username=v.phone, password=h.PASSWORD, volunteer=v)
            volunteers.append(v.phone)
        values = {"team_id": team.id, "category_id": category.id, "service_date": today, "start_time": "09:00",
                  "end_time": "17:00", "status": "published"}
        edited = create_activity(None, values | {"title": "多人同时编辑的活动"})
        logged = create_activity(None, values | {"title": "多人同时登记时长的活动"})
        popular = create_activity(None, values | {"title": "名额有限的活动", "headcount": 3,
                                                   "service_date": today + timedelta(days=7)})  # not yet started
        db.session.commit()
        out = {"leaders": [u.username for u in leaders], "volunteer_logins": volunteers, "person": person.id,
               "edited": edited.id, "logged": logged.id, "popular": popular.id}
        db.session.remove()
    return out


def all_at_once(actions) -> list:
    """Run the actions in threads that wait at a barrier, so their POSTs leave together."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(i, action):
        try:
            results[i] = action(barrier)
        except Exception as exc:  # noqa: BLE001
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def test_same_object_at_the_same_instant(tmp_path):
    with h.fresh_database(tmp_path, "hotspots") as url:
        spots = seed_hot_spots(url)
        with h.gunicorn(url, tmp_path, workers=4) as server:
            leaders = [h.Browser(server.port) for _ in spots["leaders"]]
            for browser, name in zip(leaders, spots["leaders"]):
                browser.login(name)
            edit_path = f"/activities/{spots['edited']}/edit"

            # Two leaders open the same activity; the one who saves second is told, not obeyed.
            first, second = (h.find_form(b.get(edit_path).body, "place") for b in leaders[:2])
            first.set("place", "第一位队长填写的地点")
            second.set("place", "第二位队长填写的地点")
            saved = leaders[0].post(edit_path, first.pairs())
            assert saved.status == 302 and ("success", "活动已保存。") in leaders[0].follow(saved).flashes()
            late = leaders[1].post(edit_path, second.pairs())
            assert late.status == 200 and STALE_TEXT in late.body, late.body[:2000]

            # Eight leaders who loaded the same version save at the same instant: one wins.
            def save_activity(browser, n):
                form = h.find_form(browser.get(edit_path).body, "place")

                def action(barrier):
                    form.set("place", f"同时保存{n}")
                    barrier.wait()
                    response = browser.post(edit_path, form.pairs())
                    if response.status == 302:
                        return ("saved", n) if ("success", "活动已保存。") in browser.follow(response).flashes() else response
                    return ("stale", n) if response.status == 200 and STALE_TEXT in response.body else response
                return action

            outcomes = all_at_once([save_activity(b, n) for n, b in enumerate(leaders)])
            assert all(isinstance(o, tuple) for o in outcomes), [getattr(o, "status", o) for o in outcomes]
            winners = [n for kind, n in outcomes if kind == "saved"]
            assert len(winners) == 1, outcomes

            # Eight leaders enter hours for the same person on the same activity at the same instant.
            hours_path = f"/activities/{spots['logged']}/hours"

            def save_hours(browser, n):
                form = h.find_form(browser.get(hours_path).body, f"hours-{spots['person']}")

                def action(barrier):
                    form.set(f"hours-{spots['person']}", str(1 + n))
                    barrier.wait()
                    response = browser.post(hours_path, form.pairs())
                    if response.status != 302:
                        return response
                    for category, text in browser.follow(response).flashes():
                        counts = re.match(r"已保存：新增 (\d+) 条，修改 (\d+) 条", text)
                        if category == "success" and counts:
                            return ("created" if counts[1] == "1" else "updated", n)
                    return response
                return action

            outcomes = all_at_once([save_hours(b, n) for n, b in enumerate(leaders)])
            assert all(isinstance(o, tuple) for o in outcomes), [getattr(o, "status", o) for o in outcomes]
            assert [kind for kind, _ in outcomes].count("created") == 1, outcomes

            # Ten volunteers sign up for the last 3 places at the same instant.
            signup_path = f"/activities/{spots['popular']}/signup"

            def sign_up(phone):
                browser = h.Browser(server.port)
                browser.login(phone)
                token = h.csrf_token(browser.get(f"/activities/{spots['popular']}").body)

                def action(barrier):
                    barrier.wait()
                    response = browser.post(signup_path, {"csrf_token": token})
                    if response.status != 302:
                        return response
                    messages = browser.follow(response).flashes()
                    if ("success", "报名成功。") in messages:
                        return ("in", phone)
                    if any(c == "info" and m.startswith("招募人数已满") for c, m in messages):
                        return ("full", phone)  # on the 候补 list
                    return response
                return action

            signups = all_at_once([sign_up(p) for p in spots["volunteer_logins"]])
            assert all(isinstance(o, tuple) for o in signups), [getattr(o, "status", o) for o in signups]
            log = server.log()
        for needle in SERVER_LOG_FORBIDDEN:
            assert needle not in log, log[-5000:]
        assert [kind for kind, _ in signups].count("in") == 3, signups

        from volunteer.activities.models import Activity, ActivitySignup
        from volunteer.audit.models import AuditLog
        from volunteer.extensions import db
        from volunteer.hours.models import ServiceRecord

        app = h.make_app(url)
        with app.app_context():
            activity = db.session.get(Activity, spots["edited"])
            assert (activity.version, activity.place) == (3, f"同时保存{winners[0]}")
            records = db.session.scalars(
                select(ServiceRecord).where(ServiceRecord.activity_id == spots["logged"])).all()
            assert len(records) == 1
            last = [n for kind, n in outcomes]  # every save was acknowledged; the record holds one of them
            assert records[0].minutes in {60 * (1 + n) for n in last}
            assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
                AuditLog.action == "hours.log", AuditLog.object_id == str(spots["logged"]))) == len(
                [o for o in outcomes if o[0] == "created"]) + len(
                [o for o in outcomes if o[0] == "updated"])
            assert db.session.scalar(select(func.count()).select_from(ActivitySignup).where(
                ActivitySignup.activity_id == spots["popular"], ActivitySignup.status == "confirmed")) == 3
            db.session.remove()
        kinds = [kind for kind, _ in outcomes]
        print(f"[{h.backend()}] same activity form saved by 8 at once: 1 saved, {len(leaders) - 1} told {STALE_TEXT}; "
              f"same person's hours by 8 at once: {kinds.count('created')} created, {kinds.count('updated')} updated, "
              f"1 live record; 10 sign-ups for 3 places: {[k for k, _ in signups].count('in')} in, "
              f"{[k for k, _ in signups].count('full')} told 报名人数已满")
