"""The report facts (volunteer/figures/facts.py) equal fresh GROUP BYs after every way of writing.

After each write path — hours logged, approved, voided, corrected, an activity edited so its
records move to another team, category and month, Core bulk inserts, raw SQL updates and
deletes, a rollback, an hours import (a bulk write that collects its rows and applies them
once), the demo seed (a bulk load into an empty database: every table rebuilt) — each fact
table is compared with the same figure computed in Python from every service record. The
distinct counts (活动次数, 参与志愿者数) are the point: they do not add up across rows.
"""
from collections import defaultdict
from datetime import date, time

import pytest
from sqlalchemy import insert, select, text

from tests import factories as f
from tests.imports.helpers import TODAY, id_number, workbook_bytes
from volunteer import figures
from volunteer.activities.services import update_activity
from volunteer.excel.importers import import_hours
from volunteer.extensions import db
from volunteer.hours import services as hours
from volunteer.hours.models import ServiceRecord
from volunteer.hours.stars import star_level
from volunteer.volunteers.models import Volunteer


def fresh() -> dict:
    """Every fact table as a GROUP BY over the approved records would give it."""
    cells, acts = defaultdict(lambda: [0, 0, set()]), defaultdict(int)
    periods = defaultdict(lambda: [0, 0])
    by_volunteer = defaultdict(lambda: defaultdict(int))
    rows = db.session.execute(select(ServiceRecord.team_id, ServiceRecord.category_id, ServiceRecord.service_date,
                                     ServiceRecord.volunteer_id, ServiceRecord.activity_id, ServiceRecord.minutes)
                              .where(ServiceRecord.status == "approved"))
    for team, cat, day, vol, act, minutes in rows:
        month, year, cat = f"{day:%Y-%m}", f"{day:%Y}", cat or 0
        cell = cells[(team, cat, month)]
        cell[0] += 1
        cell[1] += minutes
        cell[2].add(act)
        acts[(act, team, cat, month)] += 1
        for key in ((month, team, vol), (month, 0, vol), (year, team, vol), (year, 0, vol)):
            periods[key][0] += 1
            periods[key][1] += minutes
        by_volunteer[vol][month] += minutes
        by_volunteer[vol][year] += minutes
    counts = defaultdict(int)
    for period, team, _vol in periods:
        counts[(period, team)] += 1
    rises = {}
    for vol, sums in by_volunteer.items():
        for width in (4, 7):  # years, then months: minutes before each and up to its end
            total = 0
            for period in sorted(p for p in sums if len(p) == width):
                before, total = total, total + sums[period]
                if star_level(total) > star_level(before):
                    rises[(vol, period)] = (star_level(before), star_level(total), before, total)
    registrations = defaultdict(int)
    for day, status in db.session.execute(select(Volunteer.registered_on, Volunteer.status)):
        registrations[(f"{day:%Y-%m}", status)] += 1
    return {"cells": {k: (n, m, len(a)) for k, (n, m, a) in cells.items()}, "activity_months": dict(acts),
            "registrations": dict(registrations),
            "periods": {k: tuple(v) for k, v in periods.items()}, "counts": dict(counts), "rises": rises}


def stored() -> dict:
    def rows(sql):
        return db.session.execute(text(sql)).all()

    return {
        "cells": {(t, c, m): (n, mi, a) for t, c, m, n, mi, a in rows(
            "SELECT team_id, category_id, month, records, minutes, activities FROM report_cells")
            if n or mi or a},
        "activity_months": {tuple(r[:4]): r[4] for r in rows(
            "SELECT activity_id, team_id, category_id, month, records FROM activity_months")},
        "periods": {tuple(r[:3]): (r[3], r[4]) for r in rows(
            "SELECT period, team_id, volunteer_id, records, minutes FROM volunteer_periods")},
        "counts": {(p, t): n for p, t, n in rows("SELECT period, team_id, volunteers FROM period_counts") if n},
        "registrations": {(m, s): n for m, s, n in rows("SELECT month, status, volunteers FROM registration_months")
                          if n},
        "rises": {(v, p): (lf, lt, mf, mt) for v, p, lf, lt, mf, mt in rows(
            "SELECT volunteer_id, period, level_from, level_to, minutes_from, minutes_to FROM star_rises")},
    }


def assert_exact():
    db.session.flush()
    expected, actual = fresh(), stored()
    for name in expected:
        assert actual[name] == expected[name], name
    assert db.session.execute(text("SELECT count(*) FROM fact_deltas")).scalar() == 0


def test_facts_follow_every_kind_of_write(app):
    office = f.make_user("office")
    one, two = f.make_team("一队"), f.make_team("二队")
    clean, help_ = f.make_category("清洁"), f.make_category("助老")
    people = [f.make_volunteer(f"人{i}", teams=[one]) for i in range(6)]
    march = f.make_activity(one, service_date=date(2026, 3, 15), category=clean)
    april = f.make_activity(two, service_date=date(2026, 4, 2), category=help_)
    bare = f.make_activity(two, service_date=date(2025, 12, 31), category=None)
    db.session.commit()
    assert_exact()

    # Enough hours for star levels to rise: 100 h is the first level.
    f.make_record(bare, people[0], minutes=100 * 60 - 30)
    f.make_record(march, people[0], minutes=90)            # the rise: 2026, 2026-03
    hours.log_hours(f.make_user("leader", teams=[one]), march, {p.id: 120 for p in people[1:4]})  # pending
    assert_exact()

    pending = db.session.scalars(select(ServiceRecord.id).where(ServiceRecord.status == "pending")).all()
    hours.approve_records(office, pending[:2])
    assert_exact()
    hours.void_record(office, db.session.get(ServiceRecord, pending[0]), "重复登记", correction=True)
    hours.correct_record(office, db.session.get(ServiceRecord, pending[1]), 45, "登记有误")
    hours.approve_records(office, pending[2:])
    assert_exact()

    # An activity edited to another team, category and month: its records move with it.
    update_activity(office, march, {"title": march.title, "team_id": two.id, "category_id": help_.id,
                                    "service_date": date(2026, 5, 1)})
    assert_exact()
    update_activity(office, march, {"title": march.title, "category_id": None})
    assert_exact()

    db.session.execute(insert(ServiceRecord.__table__), [  # Core bulk insert
        dict(activity_id=april.id, volunteer_id=p.id, team_id=two.id, category_id=help_.id,
             service_date=april.service_date, minutes=30 + i, status=("approved", "pending")[i % 2], source="import",
             created_at=date(2026, 4, 3), version=1) for i, p in enumerate(people)])
    assert_exact()

    db.session.execute(text("UPDATE service_records SET minutes = minutes + 7000 WHERE status = 'approved' "
                            "AND volunteer_id = :v"), {"v": people[2].id})  # a rise through raw SQL
    db.session.execute(text("UPDATE service_records SET note = 'x'"))      # a column facts do not hold
    newcomer = f.make_volunteer("新人")
    db.session.execute(text("UPDATE service_records SET volunteer_id = :a WHERE volunteer_id = :b"),
                       {"a": newcomer.id, "b": people[4].id})                # records change hands
    assert_exact()
    db.session.execute(text("DELETE FROM service_records WHERE minutes < 40"))
    db.session.commit()
    assert_exact()

    db.session.execute(text("UPDATE service_records SET status = 'void' WHERE volunteer_id = :v"),
                       {"v": people[0].id})
    db.session.rollback()  # a rolled-back change leaves the facts as they were
    assert_exact()
    db.session.execute(text("DELETE FROM service_records"))
    assert_exact()
    # Registrations: a status change, a corrected 注册日期, a removal.
    db.session.execute(text("UPDATE volunteers SET status = 'cancelled' WHERE id = :v"), {"v": people[1].id})
    db.session.execute(text("UPDATE volunteers SET registered_on = '2024-02-29' WHERE id = :v"), {"v": people[2].id})
    db.session.execute(text("DELETE FROM team_memberships WHERE volunteer_id = :v"), {"v": people[3].id})
    db.session.execute(text("DELETE FROM volunteers WHERE id = :v"), {"v": people[3].id})
    assert_exact()
    assert stored()["counts"] == {} and stored()["cells"] == {}


def test_a_bulk_write_applies_what_it_collected_once(app):
    """Into a database that has records: the rows are collected, then applied in one pass."""
    team = f.make_team("甲队")
    cat = f.make_category("助力创全")
    people = [f.make_volunteer(f"批{i}", teams=[team]) for i in range(4)]
    act = f.make_activity(team, service_date=date(2026, 2, 3), category=cat)
    f.make_record(act, people[0], minutes=6000)
    db.session.commit()
    with figures.bulk_changes():
        db.session.execute(insert(ServiceRecord.__table__), [
            dict(activity_id=act.id, volunteer_id=p.id, team_id=team.id, category_id=cat.id,
                 service_date=act.service_date, minutes=60 * (i + 1), status="approved", source="import",
                 created_at=date(2026, 2, 4), version=1) for i, p in enumerate(people[1:])])
        db.session.execute(text("UPDATE service_records SET minutes = minutes + 1 WHERE volunteer_id = :v"),
                           {"v": people[0].id})
        if db.engine.dialect.name == "sqlite":  # collected, not yet applied
            assert db.session.execute(text("SELECT count(*) FROM fact_deltas")).scalar() == 5
    assert_exact()
    assert stored()["counts"][("2026", 0)] == 4 and stored()["rises"]


def test_an_hours_import_keeps_the_facts_exact(app):
    office = f.make_user("office")
    team = f.make_team("甲队")
    f.make_category("助力创全")
    zhang = f.make_volunteer(name="张三", id_number=id_number(serial=1), phone="13912345678", teams=[team])
    li = f.make_volunteer(name="李四", id_number=id_number(serial=2), phone="13912345679", teams=[team])
    earlier = f.make_activity(team, service_date=date(2026, 1, 5))
    f.make_record(earlier, zhang, minutes=99 * 60)
    db.session.commit()
    header = ["姓名", "证件号码", "手机号码", "所属队伍", "活动名称", "服务类别", "活动日期", "开始时间", "结束时间",
              "服务时长", "备注"]
    rows = [[p.name, p.id_number, None, "甲队", title, "助力创全", day, time(9), time(12), 3, None]
            for p in (zhang, li) for title, day in (("清洁家园", date(2026, 3, 5)), ("敬老", date(2026, 4, 9)))]
    report = import_hours(office, workbook_bytes({"服务时长": [header, *rows]}), file_name="h.xlsx", today=TODAY)
    db.session.commit()
    assert report["created"] == 4, report
    assert_exact()
    assert (zhang.id, "2026-03") in stored()["rises"]


@pytest.mark.parametrize("records", [2500])
def test_the_demo_seed_rebuilds_every_table(app, today, records):
    from volunteer.seed.services import seed_demo

    seed_demo(volunteers=300, activities=120, records=records, seed=7, today=today)
    db.session.commit()
    assert_exact()
    assert stored()["rises"] and stored()["counts"]
    # and the triggers are back: an ordinary write afterwards still keeps the facts
    rec = db.session.scalars(select(ServiceRecord).where(ServiceRecord.status == "pending").limit(3)).all()
    hours.approve_records(f.make_user("office"), [r.id for r in rec])
    assert_exact()
