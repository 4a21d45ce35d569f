"""bulk.insert_tuples: the bulk insert of the roster import (tuples, bind processors
once per distinct value, new ids by a unique key)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from tests import factories
from volunteer.activities.models import Activity
from volunteer.bulk import insert_tuples
from volunteer.extensions import db


def test_ids_by_a_key_with_a_date_column_and_values_as_the_orm_reads_them(app):
    team = factories.make_team("甲队")
    now = datetime(2026, 3, 1, 8, 30, 15, 123456)
    columns = ("team_id", "title", "service_date", "start_time", "status", "created_at", "updated_at", "version")
    rows = [(team.id, f"活动{i}", date(2026, 1, 1 + i % 28), None if i % 2 else "09:00", "closed", now, now, 1)
            for i in range(2500)]  # more than one statement's worth
    ids = insert_tuples(Activity.__table__, columns, rows, "team_id", "title", "service_date")
    assert list(ids) == [(team_id, title, day) for team_id, title, day, *_ in rows]  # dates as dates, in order
    assert sorted(ids.values()) == sorted(db.session.scalars(select(Activity.id)))
    got = db.session.get(Activity, ids[(team.id, "活动3", date(2026, 1, 4))])
    assert (got.title, got.service_date, got.start_time, got.created_at) == ("活动3", date(2026, 1, 4), None, now)
    assert db.session.scalar(select(Activity.start_time).where(Activity.title == "活动2")) == "09:00"


def test_nothing_to_insert(app):
    assert insert_tuples(Activity.__table__, ("title",), [], "title") == {}
    assert insert_tuples(Activity.__table__, ("title",), []) is None


def test_new_ids_follow_the_rows_already_there_and_a_repeated_key_is_refused(app):
    import pytest

    team = factories.make_team("乙队")
    old = factories.make_activity(team, title="已有")
    db.session.commit()
    now = datetime(2026, 3, 1, 8, 0)
    columns = ("team_id", "title", "service_date", "status", "created_at", "updated_at", "version")
    ids = insert_tuples(Activity.__table__, columns, [(team.id, "新", date(2026, 2, 1), "closed", now, now, 1)],
                        "title")
    assert ids[("新",)] > old.id
    assert db.session.get(Activity, ids[("新",)]).title == "新"
    with pytest.raises(ValueError):
        insert_tuples(Activity.__table__, columns, [(team.id, "同名", date(2026, 2, 1), "closed", now, now, 1)] * 2,
                      "title")


def test_a_bulk_write_enlarges_the_page_cache_only_for_its_own_duration(app):
    """Each pooled connection keeping 64 MiB of cache after one import would add up."""
    import pytest

    from volunteer.bulk import bulk_write

    conn = db.session.connection()
    if conn.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    with bulk_write():
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -64 * 1024
    assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before


def _index_definitions(table: str) -> dict:
    """name -> definition of every index on ``table`` (SQLite: its SQL; PostgreSQL: indexdef)."""
    from sqlalchemy import text

    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"),
                                  {"t": table})
    else:
        rows = db.session.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t"), {"t": table})
    return dict(rows.all())


def test_a_load_bigger_than_its_table_leaves_every_index_as_it_was(app):
    """Set aside for the load and built again after it (SQLite), within the same transaction."""
    from volunteer.teams.models import TeamMembership

    team = factories.make_team("丙队")
    people = [factories.make_volunteer(f"成员{i}") for i in range(3)]
    db.session.commit()
    before = {t: _index_definitions(t) for t in ("team_memberships", "activities")}
    insert_tuples(TeamMembership.__table__, ("team_id", "volunteer_id"), [(team.id, p.id) for p in people])
    now = datetime(2026, 3, 1, 8, 0)
    insert_tuples(Activity.__table__, ("team_id", "title", "service_date", "status", "created_at", "updated_at",
                                       "version"),
                  [(team.id, f"活动{i}", date(2026, 2, 1), "closed", now, now, 1) for i in range(5)], "title")
    db.session.commit()
    assert {t: _index_definitions(t) for t in before} == before
    assert db.session.scalar(select(func.count()).select_from(TeamMembership)) == 3


def test_a_load_that_breaks_a_unique_key_changes_nothing(app):
    """The primary key keeps guarding the load while the other indexes are set aside."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from volunteer.teams.models import TeamMembership

    team = factories.make_team("丁队")
    person = factories.make_volunteer("重复")
    db.session.commit()
    before = _index_definitions("team_memberships")
    with pytest.raises(IntegrityError):
        insert_tuples(TeamMembership.__table__, ("team_id", "volunteer_id"), [(team.id, person.id)] * 2)
    db.session.rollback()
    assert _index_definitions("team_memberships") == before
    assert db.session.scalar(select(func.count()).select_from(TeamMembership)) == 0
