"""`seed demo`: the town's shape, valid identities, determinism, record shares, and the CLI."""
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select, text

from volunteer.activities.models import Activity
from volunteer.audit.models import AuditLog
from volunteer.auth.models import User
from volunteer.database import write_intent
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord
from volunteer.positions.models import Position
from volunteer.seed.services import DEFAULT_PASSWORD, NOT_EMPTY_MESSAGE, seed_demo
from volunteer.teams.models import ServiceCategory, Team, TeamMembership, team_leaders
from volunteer.volunteers.models import Volunteer
from volunteer.volunteers.validators import birth_date_from_id, gender_from_id, normalize_id_number

TODAY = date(2026, 6, 15)
CONTRACT_CATEGORIES = ("助力创全", "疫情防控", "文明传播", "文明交通", "垃圾分类", "为民服务")


@pytest.fixture(autouse=True)
def _reset_write_intent():
    yield
    write_intent.set(False)  # the CLI command sets it for the rest of the process


def _seed(**kw):
    values = dict(volunteers=120, activities=60, records=600, seed=1, password=DEFAULT_PASSWORD, today=TODAY)
    values.update(kw)
    summary = seed_demo(**values)
    db.session.commit()
    return summary


def _empty():
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def _fingerprint():
    people = db.session.execute(select(Volunteer.name, Volunteer.id_number).order_by(Volunteer.id)).all()
    minutes = db.session.execute(select(ServiceRecord.volunteer_id, func.sum(ServiceRecord.minutes))
                                 .group_by(ServiceRecord.volunteer_id).order_by(ServiceRecord.volunteer_id)).all()
    statuses = db.session.execute(select(ServiceRecord.status, func.count()).group_by(ServiceRecord.status)
                                  .order_by(ServiceRecord.status)).all()
    return [tuple(r) for r in people], [tuple(r) for r in minutes], [tuple(r) for r in statuses]


def test_builds_the_town_structure(app):
    summary = _seed()
    teams = db.session.scalars(select(Team)).all()
    assert len(teams) == 50
    assert Counter(t.kind for t in teams) == {"居委": 34, "职能部门": 16}
    assert len({t.name for t in teams}) == 50
    assert all(t.name.endswith("志愿服务队") for t in teams)

    positions = db.session.scalars(select(Position)).all()
    assert len(positions) >= 35
    kinds = Counter(p.kind for p in positions)
    assert kinds["center"] == 1 and kinds["station"] == 34 and kinds["point"] >= 1
    center = next(p for p in positions if p.kind == "center")
    assert center.name == "虹桥镇新时代文明实践分中心"
    stations = {p.id: p.name for p in positions if p.kind == "station"}
    resident = [t for t in teams if t.kind == "居委"]
    assert sorted(t.position_id for t in resident) == sorted(stations)  # one team per station
    assert all(t.name == stations[t.position_id] + "志愿服务队" for t in resident)

    categories = db.session.scalars(select(ServiceCategory).order_by(ServiceCategory.sort_order)).all()
    names = [c.name for c in categories]
    assert list(CONTRACT_CATEGORIES) == names[:6]
    assert "扶老助残" in names and "平安守护" in names

    assert summary["teams"] == 50 and summary["office"] == "office" and summary["leader"] == "leader01"
    logs = db.session.scalars(select(AuditLog).where(AuditLog.action == "seed.demo")).all()
    assert len(logs) == 1 and logs[0].actor_name == "cli"
    assert logs[0].changes["counts"]["records"] == summary["records"]


def test_logins_one_leader_per_team(app, client):
    _seed(password="another-pass-9")
    users = db.session.scalars(select(User).order_by(User.username)).all()
    office = [u for u in users if u.role == "office"]
    leaders = [u for u in users if u.role == "leader"]
    assert [u.username for u in office] == ["office"]
    assert [u.username for u in leaders] == [f"leader{i:02d}" for i in range(1, 51)]
    assert all(u.display_name and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", u.display_name) for u in leaders)
    assert all(len(u.led_teams) == 1 for u in leaders)
    pairs = db.session.execute(select(team_leaders.c.team_id, team_leaders.c.user_id)).all()
    assert len(pairs) == 50 and len({t for t, _ in pairs}) == 50
    # A leader linked to a volunteer record is a member of the team they lead.
    for leader in leaders:
        if leader.volunteer_id:
            member = db.session.get(TeamMembership, (leader.led_teams[0].id, leader.volunteer_id))
            assert member is not None

    assert client.post("/login", data={"username": "office", "password": DEFAULT_PASSWORD}).status_code != 302
    for username in ("office", "leader01", "leader50"):
        response = client.post("/login", data={"username": username, "password": "another-pass-9"})
        assert response.status_code == 302, username
        client.post("/logout")


def test_volunteers_have_valid_consistent_identities(app):
    _seed(volunteers=400, activities=40, records=200)
    volunteers = db.session.scalars(select(Volunteer)).all()
    assert len(volunteers) == 400
    assert len({v.id_number for v in volunteers}) == 400
    ages = []
    for v in volunteers:
        assert normalize_id_number(v.id_number, today=TODAY) == v.id_number
        assert v.id_type == "居民身份证" and v.id_last4 == v.id_number[-4:]
        assert v.gender == gender_from_id(v.id_number)
        assert v.birth_date == birth_date_from_id(v.id_number)
        assert re.fullmatch(r"1[3-9]\d{9}", v.phone)
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,5}", v.name)
        assert v.registered_on <= TODAY
        ages.append((TODAY - v.birth_date).days // 365)
        if ages[-1] < 18:
            assert v.guardian_name and v.guardian_phone
    assert min(ages) >= 16 and sum(a <= 80 for a in ages) >= 0.95 * len(ages)
    registered = [v.registered_on for v in volunteers]
    assert min(registered) >= date(2023, 6, 15) and any(d.year == 2026 for d in registered)
    assert Counter(v.status for v in volunteers)["active"] >= 0.95 * len(volunteers)
    assert {v.political_status for v in volunteers} >= {"群众", "中共党员", "共青团员"}
    memberships = db.session.scalar(select(func.count()).select_from(TeamMembership))
    assert 400 <= memberships <= 400 * 1.3
    unattached = db.session.scalar(select(func.count()).select_from(Volunteer).where(
        ~select(TeamMembership.volunteer_id).where(TeamMembership.volunteer_id == Volunteer.id).exists()))
    assert unattached == 0


def test_records_shape(app):
    today = date(2026, 11, 15)
    summary = _seed(volunteers=1000, activities=300, records=4000, seed=5, today=today)
    assert summary["records"] == 4000
    records = db.session.scalars(select(ServiceRecord)).all()
    assert len(records) == 4000
    shares = Counter(r.status for r in records)
    assert abs(shares["approved"] / 4000 - 0.90) < 0.02
    assert abs(shares["pending"] / 4000 - 0.08) < 0.015
    assert abs(shares["void"] / 4000 - 0.02) < 0.01

    office_id = db.session.scalar(select(User.id).where(User.username == "office"))
    activities = {a.id: a for a in db.session.scalars(select(Activity))}
    leader_of = dict(db.session.execute(select(team_leaders.c.team_id, team_leaders.c.user_id)).all())
    registered = dict(db.session.execute(select(Volunteer.id, Volunteer.registered_on)).all())
    for r in records:
        a = activities[r.activity_id]
        assert (r.team_id, r.category_id, r.service_date) == (a.team_id, a.category_id, a.service_date)
        assert a.status == "closed" and a.service_date < today
        assert r.minutes % 30 == 0 and 30 <= r.minutes <= a.span_minutes
        assert registered[r.volunteer_id] <= r.service_date
        assert r.created_by_id == leader_of[r.team_id]
        if r.status == "approved":
            assert r.approved_by_id == office_id and r.approved_at >= r.created_at
        else:
            assert r.approved_at is None
        if r.status == "void":
            assert r.void_reason and r.voided_by_id == office_id
    live = Counter((r.activity_id, r.volunteer_id) for r in records if r.status != "void")
    assert max(live.values()) == 1
    days = Counter((r.volunteer_id, r.service_date) for r in records)
    assert max(days.values()) == 1  # nobody serves twice on one day

    # Activities: over the last three years, this year included, plus upcoming published ones.
    dates = [a.service_date for a in activities.values()]
    assert min(dates) > date(2023, 11, 15) and any(d.year == 2026 and d < today for d in dates)
    upcoming = [a for a in activities.values() if a.service_date >= today]
    assert upcoming and all(a.status in ("published", "draft") for a in upcoming)
    assert any(a.status == "published" for a in upcoming)
    assert all(a.category_id and a.start_time < a.end_time for a in activities.values())

    # Skewed counts and about a fifth inactive this year.
    per_volunteer = Counter(r.volunteer_id for r in records)
    counts = sorted(per_volunteer.get(v, 0) for v in registered)
    assert counts[-1] >= 4 * counts[len(counts) // 2]
    active_this_year = {r.volunteer_id for r in records if r.status == "approved" and r.service_date.year == 2026}
    inactive = 1 - len(active_this_year) / len(registered)
    assert 0.15 <= inactive <= 0.3
    # Volunteers serve mostly in their own teams' activities.
    members = set(db.session.execute(select(TeamMembership.team_id, TeamMembership.volunteer_id)).all())
    own = sum((r.team_id, r.volunteer_id) in members for r in records)
    assert own / len(records) >= 0.5  # about 0.6 at this size, 0.8 at the full scale


def test_same_seed_same_data_other_seed_other_data(app):
    _seed(seed=11)
    first = _fingerprint()
    _empty()
    _seed(seed=11)
    assert _fingerprint() == first
    _empty()
    _seed(seed=12)
    other = _fingerprint()
    assert other[0] != first[0] and other[1] != first[1]


def test_small_and_degenerate_sizes(app):
    summary = _seed(volunteers=0, activities=3, records=50)
    assert summary["records"] == 0 and summary["activities"] == 3
    assert db.session.scalar(select(func.count()).select_from(Team)) == 50
    _empty()
    summary = _seed(volunteers=5, activities=4, records=1000)  # more than there is room for
    live = db.session.execute(select(ServiceRecord.activity_id, ServiceRecord.volunteer_id)).all()
    assert summary["records"] == len(live) == len(set(live)) and summary["records"] <= 5 * 4


def test_refuses_a_database_with_data(app):
    from volunteer.errors import ServiceError

    _seed(volunteers=10, activities=5, records=20)
    with pytest.raises(ServiceError, match=NOT_EMPTY_MESSAGE):
        seed_demo(volunteers=10, activities=5, records=20, seed=1, password=DEFAULT_PASSWORD, today=TODAY)


def test_cli_seeds_once_then_refuses(app):
    runner = app.test_cli_runner()
    args = ["seed", "demo", "--volunteers", "60", "--activities", "30", "--records", "200", "--seed", "3",
            "--password", "cli-pass-2026", "--today", "2026-06-15"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "office" in result.stdout and "cli-pass-2026" in result.stdout and "leader01" in result.stdout
    assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) == 200
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 60
    user = db.session.scalar(select(User).where(User.username == "leader01"))
    assert user.check_password("cli-pass-2026")

    again = runner.invoke(args=args)
    assert again.exit_code == 1
    assert NOT_EMPTY_MESSAGE in again.stderr
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 60


def test_cli_rejects_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--password", "12345678"])
    assert result.exit_code == 2
    assert db.session.execute(text("SELECT COUNT(*) FROM teams")).scalar() == 0
