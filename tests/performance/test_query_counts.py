"""No N+1 queries: every main page sends the same number of SQL statements whatever the data.

A small world is built with the factories and each page's statements are counted (SQLAlchemy's
`before_cursor_execute` on db.engine); then the world grows (four times the teams, members,
activities, records, sign-ups, certificates, import batches, audit entries and logins, every
list still under one page of 50) and each page is counted again. A page whose count grew runs
a query per row (or per something else that grows with the data) and fails here, with the
statements that appeared.

Both paths are checked: with the figures cache off (every count and sum computed, as on the
first view after a change) and on (a repeated view).
"""
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event

from tests import factories as f
from tests.conftest import PASSWORD
from volunteer.activities.models import ActivitySignup
from volunteer.audit.services import record
from volunteer.extensions import db
from volunteer.hours.models import RecordRequest
from volunteer.clock import today_local


class World:
    """A team with its leader, a volunteer with a login (the one whose pages are asked for),
    an activity of that team; `grow()` adds one batch of everything around them."""

    def __init__(self):
        self.today = today_local()
        self.day = self.today - timedelta(days=1)
        self.categories = [f.make_category("助力创全"), f.make_category("文明交通")]
        self.team = f.make_team("测量队")
        self.office = f.make_user("office", username="office-q")
        self.leader = f.make_user("leader", username="leader-q", teams=[self.team])
        self.star = f.make_volunteer("星星", teams=[self.team])
        self.star_user = f.make_user("volunteer", username="13900009999", volunteer=self.star)
        self.activity = f.make_activity(self.team, title="测量活动", service_date=self.day,
                                        category=self.categories[0], start_time="09:00", end_time="12:00")
        self.batches = 0
        self.first_certificate = None
        self.ids = (self.team.id, self.office.id, self.star.id, self.activity.id)
        self.category_ids = [c.id for c in self.categories]
        self.usernames = {"office": self.office.username, "leader": self.leader.username,
                          "volunteer": self.star_user.username}

    def grow(self, batches: int = 1) -> None:
        from volunteer.certificates.services import issue_certificate
        from volunteer.imports.services import record_batch

        # Pages run between batches end the session the objects came from: load them again.
        self.team, self.office, self.star, self.activity = (
            db.session.get(type(o), key) for o, key in zip((self.team, self.office, self.star, self.activity),
                                                           self.ids))
        self.categories = [db.session.get(type(c), key) for c, key in zip(self.categories, self.category_ids)]
        for _ in range(batches):
            i = self.batches
            self.batches += 1
            day = self.day - timedelta(days=i)
            other = f.make_team(f"伙伴队{i}", kind="职能部门")
            f.make_user("leader", username=f"leader-q{i}", teams=[other])
            people = [f.make_volunteer(f"队员{i}号{k}", teams=[self.team] + ([other] if k % 2 else []),
                                       political_status="群众") for k in range(3)]
            f.make_user("volunteer", username=f"1380000{i:04d}", volunteer=people[0])
            acts = [f.make_activity(team, title=f"活动{i}-{n}", service_date=day, category=self.categories[n % 2],
                                    start_time="09:00", end_time="12:00")
                    for n, team in enumerate((self.team, other))]
            for act in acts + [self.activity]:
                for k, person in enumerate(people):
                    f.make_record(act, person, minutes=60 + k * 30, status=("approved", "pending", "void")[k])
            for act in acts:
                f.make_record(act, self.star, minutes=180, status="approved")
            db.session.add(ActivitySignup(activity_id=self.activity.id, volunteer_id=people[1].id))
            # Requests (hours/requests.py): pending ones, some overdue (start pages), and the star's.
            for k, person in enumerate(people[:2]):
                db.session.add(RecordRequest(volunteer_id=person.id, kind="missing", team_id=self.team.id,
                                             activity_id=acts[0].id, service_date=day, minutes=90, reason="漏记",
                                             created_at=datetime(2026, 1, 5) if k else datetime.now()))
            db.session.add(RecordRequest(volunteer_id=self.star.id, kind="missing", team_id=self.team.id,
                                         activity_title=f"漏记活动{i}", service_date=day, minutes=60, reason="漏记",
                                         status="declined", decline_reason="查无此活动"))
            record(self.office, "team.update", "team", other.id, f"修改队伍 {other.name}",
                   before={"name": "旧"}, after={"name": other.name})
            record_batch(self.office, "volunteers", f"名册{i}.xlsx", sha="0" * 64,
                         report={"rows": 3, "created": 3, "errors": [], "warnings": []}, status="done")
            db.session.flush()
            cert = issue_certificate(self.office, self.star, self.day - timedelta(days=30), self.today,
                                     today=self.today)
            self.first_certificate = self.first_certificate or cert.id
        db.session.commit()

    def pages(self) -> list[tuple[str, str]]:
        year = self.day.year
        t, _office, v, a = self.ids
        return [
            ("office", "/"),
            ("leader", "/"),
            ("office", "/requests/"),
            ("leader", "/requests/?status=all"),
            ("office", "/volunteers/"),
            ("office", "/volunteers/?q=%E9%98%9F%E5%91%98"),  # 队员
            ("office", f"/volunteers/?team_id={t}"),
            ("office", "/volunteers/?status=active&political_status=%E7%BE%A4%E4%BC%97&age_group=18-35"),
            ("office", "/volunteers/?last=1"),
            ("office", f"/volunteers/{v}"),
            ("leader", f"/volunteers/{v}"),
            ("office", "/teams/"),
            ("leader", "/teams/"),
            ("office", f"/teams/{t}"),
            ("office", "/activities/"),
            ("leader", "/activities/"),
            ("volunteer", "/activities/"),
            ("office", f"/activities/{a}"),
            ("office", f"/activities/{a}/hours"),
            ("office", "/hours/approvals"),
            ("office", f"/hours/approvals?team_id={t}"),
            ("volunteer", "/me"),
            ("office", f"/reports/?year={year}"),
            ("leader", f"/reports/?year={year}"),
            ("office", "/certificates/"),
            ("volunteer", f"/certificates/{self.first_certificate}"),
            ("office", "/imports/"),
            ("office", "/audit/"),
            ("office", "/users/"),
        ]


def _clients(app, world: World) -> dict:
    clients = {}
    for role, username in world.usernames.items():
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        clients[role] = client
    return clients


def _count(app, clients, pages, repeat_first: bool) -> dict:
    """{(role, path): [statements]} of one request per page (after a first, uncounted one when
    `repeat_first`, so the figures cache is warm)."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    counts = {}
    for role, path in pages:
        if repeat_first:
            db.session.remove()
            clients[role].get(path)
        # The tests share one app context (and so one session) across requests: start every
        # request as production does, with a new session (no open transaction, no identity map).
        db.session.remove()
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            seen.clear()
            response = clients[role].get(path)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert response.status_code == 200, (role, path, response.status_code)
        counts[(role, path)] = list(seen)
    return counts


@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_statements_per_page_do_not_grow_with_the_data(app, cache):
    app.config["FIGURES_CACHE"] = cache == "warm"
    try:
        world = World()
        world.grow(1)
        clients = _clients(app, world)
        pages = world.pages()
        small = _count(app, clients, pages, repeat_first=cache == "warm")
        world.grow(3)  # four times the data
        large = _count(app, clients, pages, repeat_first=cache == "warm")
    finally:
        app.config.pop("FIGURES_CACHE", None)
    grown = {}
    for page in pages:
        if len(large[page]) > len(small[page]):
            extra = Counter(large[page]) - Counter(small[page])
            grown[page] = (len(small[page]), len(large[page]), [s[:160] for s in extra])
    assert not grown, "statements per page grew with the data (N+1?):\n" + "\n".join(
        f"{role} {path}: {a} -> {b}; new: {new}" for (role, path), (a, b, new) in grown.items())


def test_the_world_is_what_the_pages_show(app):
    """The counting test measures real pages: they list what was built (not empty pages)."""
    world = World()
    world.grow(2)
    clients = _clients(app, world)
    assert "测量队" in clients["office"].get("/teams/").get_data(as_text=True)
    team_id, _office, _star, activity_id = world.ids
    assert "队员1号2" in clients["office"].get(f"/teams/{team_id}").get_data(as_text=True)
    assert "队员0号1" in clients["office"].get(f"/activities/{activity_id}").get_data(as_text=True)
    assert "队员1号1" in clients["office"].get("/hours/approvals").get_data(as_text=True)
    assert "伙伴队1" in clients["office"].get(f"/reports/?year={world.day.year}").get_data(as_text=True)
    assert "名册1.xlsx" in clients["office"].get("/imports/").get_data(as_text=True)
    me = clients["volunteer"].get("/me").get_data(as_text=True)
    assert "活动1-0" in me
