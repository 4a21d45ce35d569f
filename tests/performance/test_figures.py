"""The figures that pages no longer compute from every row stay exact (volunteer/figures.py).

* record_tallies equals a fresh GROUP BY over service_records after every kind of write: the
  ORM, the hours services (log, approve, void, correct), an activity moved to another team and
  date, a Core bulk insert, raw SQL, deletes, and the demo seed (executemany on SQLite, COPY on
  PostgreSQL).
* a cached figure is reused only while nothing it is made of changed: every such change,
  whichever way it is written, and a rollback, give the fresh value on the next read; and the
  pages that use them show the same numbers as a fresh count.
"""
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text

from tests import factories as f
from volunteer import figures, periods
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.hours import services as hours
from volunteer.hours.models import ServiceRecord
from volunteer.clock import today_local
from volunteer.hours.totals import minutes_by_team
from volunteer.volunteers.models import Volunteer


def fresh_tallies() -> dict:
    """{(team_id, "YYYY-MM", status): (records, minutes)} counted from every record now."""
    out = {}
    for team_id, day, status, minutes in db.session.execute(
            select(ServiceRecord.team_id, ServiceRecord.service_date, ServiceRecord.status, ServiceRecord.minutes)):
        key = (team_id, f"{day:%Y-%m}", status)
        n, m = out.get(key, (0, 0))
        out[key] = (n + 1, m + minutes)
    return out


def stored_tallies() -> dict:
    rows = db.session.execute(select(figures.RecordTally.team_id, figures.RecordTally.month,
                                     figures.RecordTally.status, figures.RecordTally.records,
                                     figures.RecordTally.minutes))
    return {(t, mo, s): (n, m) for t, mo, s, n, m in rows if n or m}


def assert_tallies_exact():
    db.session.flush()
    assert stored_tallies() == fresh_tallies()


def test_tallies_follow_every_kind_of_write(app):
    office = f.make_user("office")
    one, two = f.make_team("一队"), f.make_team("二队")
    people = [f.make_volunteer(f"人{i}", teams=[one]) for i in range(6)]
    march, april = f.make_activity(one, service_date=date(2026, 3, 15)), f.make_activity(two, service_date=date(2026, 4, 2))
    db.session.commit()
    assert_tallies_exact()

    f.make_record(march, people[0], minutes=90)  # ORM insert
    hours.log_hours(f.make_user("leader", teams=[one]), march, {p.id: 120 for p in people[1:4]})  # pending
    assert_tallies_exact()

    pending = db.session.scalars(select(ServiceRecord.id).where(ServiceRecord.status == "pending")).all()
    hours.approve_records(office, pending[:2])
    hours.void_record(office, db.session.get(ServiceRecord, pending[2]), "重复登记", correction=True)
    hours.correct_record(office, db.session.get(ServiceRecord, pending[0]), 45, "登记有误")
    assert_tallies_exact()

    # An activity moved to another team and month: its records follow (activities.services does
    # this with one UPDATE).
    db.session.execute(ServiceRecord.__table__.update().where(ServiceRecord.activity_id == march.id)
                       .values(team_id=two.id, service_date=date(2026, 5, 1)))
    assert_tallies_exact()

    db.session.execute(insert(ServiceRecord.__table__), [  # Core bulk insert (imports, seed)
        dict(activity_id=april.id, volunteer_id=p.id, team_id=two.id, category_id=april.category_id,
             service_date=april.service_date, minutes=30 + i, status=("approved", "pending")[i % 2], source="import",
             created_at=date(2026, 4, 3), version=1) for i, p in enumerate(people)])
    assert_tallies_exact()

    db.session.execute(text("UPDATE service_records SET minutes = minutes + 1 WHERE status = 'approved'"))
    db.session.execute(text("UPDATE service_records SET note = 'x'"))  # a column tallies do not hold
    db.session.execute(text("DELETE FROM service_records WHERE minutes < 40"))
    assert_tallies_exact()
    db.session.commit()
    assert_tallies_exact()

    db.session.execute(text("UPDATE service_records SET status = 'void' WHERE volunteer_id = :v"), {"v": people[1].id})
    db.session.rollback()  # a rolled-back change leaves the tallies as they were
    assert_tallies_exact()


def test_tallies_of_the_demo_seed(app, today):
    from volunteer.seed.services import seed_demo

    seed_demo(volunteers=300, activities=120, records=2500, seed=7, today=today)
    db.session.commit()
    assert_tallies_exact()
    assert sum(n for n, _m in stored_tallies().values()) == 2500


def test_team_minutes_from_tallies_equal_a_fresh_sum(app):
    teams = [f.make_team(f"队{i}") for i in range(3)]
    volunteer = f.make_volunteer()
    for i, day in enumerate((date(2025, 12, 31), date(2026, 1, 1), date(2026, 6, 30), date(2026, 12, 31),
                             date(2027, 1, 1))):
        for n, status in enumerate(("approved", "pending", "void", "approved")):
            act = f.make_activity(teams[(i + n) % 3], service_date=day)
            f.make_record(act, volunteer, minutes=10 * (i + 1) + n, status=status)
    db.session.commit()

    def fresh(date_from, date_to):
        rows = db.session.execute(select(ServiceRecord.team_id, func.sum(ServiceRecord.minutes)).where(
            ServiceRecord.status == "approved", ServiceRecord.service_date >= date_from,
            ServiceRecord.service_date <= date_to).group_by(ServiceRecord.team_id))
        return {t: int(m) for t, m in rows}

    ids = [t.id for t in teams]
    for period in ((date(2026, 1, 1), date(2026, 12, 31)), (date(2026, 6, 1), date(2026, 6, 30)),
                   (date(2025, 12, 1), date(2027, 1, 31)), (date(2026, 1, 2), date(2026, 12, 31)),
                   (date(2026, 6, 30), date(2026, 6, 30))):
        assert periods.whole_months(*period) is not None or period[0].day != 1 or period[1].day == 30
        assert minutes_by_team(ids, *period) == fresh(*period), period
    assert figures.tally_count("pending") == 5
    assert figures.tally_count("pending", team_id=teams[1].id) == sum(
        1 for r in db.session.scalars(select(ServiceRecord)) if r.status == "pending" and r.team_id == teams[1].id)
    assert figures.tally_count("pending", month="2026-06") == 1


def _count_volunteers():
    return figures.cached("test.volunteers", None, lambda: db.session.scalar(select(func.count()).select_from(Volunteer)))


def test_cached_figure_changes_with_any_write_to_its_tables(app):
    figures.clear()
    team = f.make_team()
    f.make_volunteer(teams=[team])
    db.session.commit()
    assert _count_volunteers() == 1

    # Reused while nothing changed, and after a change to a table the figures do not depend on.
    calls = []
    assert figures.cached("test.volunteers", None, lambda: calls.append(1) or -1) == 1 and not calls
    f.make_user("office")
    db.session.commit()
    assert figures.cached("test.volunteers", None, lambda: calls.append(1) or -1) == 1 and not calls

    f.make_volunteer()  # ORM
    db.session.commit()
    assert _count_volunteers() == 2
    db.session.execute(text("UPDATE volunteers SET note = 'n'"))  # raw SQL on a tracked table
    db.session.commit()
    assert figures.cached("test.volunteers", None, lambda: 99) == 99
    db.session.execute(text("DELETE FROM team_memberships"))
    db.session.commit()
    assert _count_volunteers() == 2

    # Computed inside a transaction that rolls back: never served afterwards.
    f.make_volunteer()
    assert _count_volunteers() == 3
    db.session.rollback()
    assert _count_volunteers() == 2

    # A transaction that writes, reads a figure, then writes again: the figure must not be
    # served after it commits (PostgreSQL replaces the token once per transaction, so such a
    # transaction does not use the cache at all; SQLite replaces it on every row).
    f.make_volunteer()
    assert _count_volunteers() == 3
    f.make_volunteer()
    db.session.commit()
    assert _count_volunteers() == 4


def test_pages_show_fresh_counts_after_changes(client, login_as):
    figures.clear()
    team = f.make_team("计数队")
    people = [f.make_volunteer(f"计数{i}", teams=[team]) for i in range(3)]
    act = f.make_activity(team, service_date=today_local() - timedelta(days=2))
    for p in people:
        f.make_record(act, p, status="pending")
    db.session.commit()
    team_id, office_id = team.id, login_as("office").id

    def page(path):
        db.session.remove()
        return client.get(path).get_data(as_text=True)

    assert "共 3 人" in page("/volunteers/") and "待审核 3 条" in page("/hours/approvals")
    assert page("/volunteers/").count("共 3 人") == 1  # served from the cache, same figure
    f.make_volunteer("计数新人", teams=[db.session.get(type(team), team_id)])
    db.session.commit()
    assert "共 4 人" in page("/volunteers/")
    ids = db.session.scalars(select(ServiceRecord.id).where(ServiceRecord.status == "pending")).all()
    hours.approve_records(db.session.get(User, office_id), ids[:2])
    db.session.commit()
    assert "待审核 1 条" in page("/hours/approvals")
    html = page("/")
    assert ">1<" in html.replace(" ", "").replace("\n", "")  # the start page's pending count


def _token():
    return db.session.scalar(select(figures.DataVersion.token).where(figures.DataVersion.name == figures.FIGURES))


def test_a_bulk_write_replaces_the_token_once_and_caches_nothing_meanwhile(app):
    figures.clear()
    team = f.make_team()
    db.session.commit()
    assert _count_volunteers() == 0
    before = _token()
    with figures.bulk_changes():
        for i in range(3):
            f.make_volunteer(f"批量{i}", teams=[team])
        db.session.flush()
        # Mid-write the figure is computed fresh and not cached: it must not outlive the block.
        assert _count_volunteers() == 3
        assert figures.current_token() is None
        if db.engine.dialect.name == "sqlite":
            assert _token() == before  # the per-row triggers were set aside
    db.session.commit()
    assert _token() != before
    assert figures.current_token() == _token()  # caching again after the block
    assert _count_volunteers() == 3
    if db.engine.dialect.name == "sqlite":  # and are back
        assert db.session.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                       "AND name LIKE 'trg_figures_%'")).scalar() == 18


def test_a_bulk_write_that_fails_leaves_the_triggers_working(app):
    figures.clear()
    team = f.make_team()
    db.session.commit()
    assert _count_volunteers() == 0
    try:
        with figures.bulk_changes():
            f.make_volunteer("失败", teams=[team])
            db.session.flush()
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    db.session.rollback()
    assert _count_volunteers() == 0
    f.make_volunteer("之后")  # an ordinary write afterwards still replaces the token
    db.session.commit()
    assert _count_volunteers() == 1


def test_a_bulk_write_inside_another_resumes_only_at_the_outer_end(app):
    figures.clear()
    f.make_team()
    db.session.commit()
    with figures.bulk_changes():
        with figures.bulk_changes():
            f.make_volunteer("内层")
            db.session.flush()
        assert figures.current_token() is None  # still paused: the outer block is not done
        f.make_volunteer("外层")
        db.session.flush()
    db.session.commit()
    assert figures.current_token() is not None
    assert _count_volunteers() == 2
