"""The reports read from the pre-aggregated facts give exactly what the GROUP BYs over the
records give, for every scope the pages offer (town, one team, a leader's several teams, a
category) and every period kind (a year, a month, a range of whole months, a cut range).

The world is the demo seed (Pareto-like hours, ties, second teams, star levels crossed in many
months) plus writes after it, so the facts have been built by the bulk rebuild and then moved
by the per-row (SQLite) or per-statement (PostgreSQL) triggers.
"""
from datetime import date

import pytest
from sqlalchemy import select

from volunteer.activities.models import Activity
from volunteer.activities.services import update_activity
from volunteer.periods import period_for
from volunteer.extensions import db
from volunteer.hours import services as hours
from volunteer.hours.models import ServiceRecord
from volunteer.reports import services
from volunteer.teams.models import ServiceCategory, Team

from tests import factories as f


@pytest.fixture
def world(app, today):
    from volunteer.seed.services import seed_demo

    seed_demo(volunteers=400, activities=200, records=6000, seed=11, today=today)
    db.session.commit()
    office = f.make_user("office")
    pending = db.session.scalars(select(ServiceRecord.id).where(ServiceRecord.status == "pending")).all()
    hours.approve_records(office, pending[: len(pending) // 2])
    some = db.session.scalars(select(ServiceRecord).where(ServiceRecord.status == "approved").limit(20)).all()
    for rec in some[:10]:
        hours.void_record(office, rec, "测试作废")
    for rec in some[10:]:
        hours.correct_record(office, rec, rec.minutes + 600, "测试更正")
    # Someone's every approved record voided: they leave the counts of every period and team.
    gone = some[0].volunteer_id
    for rec in db.session.scalars(select(ServiceRecord).where(ServiceRecord.volunteer_id == gone,
                                                              ServiceRecord.status == "approved")):
        hours.void_record(office, rec, "测试作废")
    # An activity moved to another team and month: its records follow it.
    act = db.session.get(Activity, some[-1].activity_id)
    other = db.session.scalars(select(Team).where(Team.id != act.team_id)).first()
    update_activity(office, act, {"title": act.title, "team_id": other.id,
                                  "service_date": act.service_date.replace(day=1)})
    db.session.commit()
    return today


def both(app, fn, *args, **kw):
    app.config["REPORT_FACTS"] = True
    fast = fn(*args, **kw)
    app.config["REPORT_FACTS"] = False
    try:
        slow = fn(*args, **kw)
    finally:
        app.config["REPORT_FACTS"] = True
    return fast, slow


def scopes():
    teams = db.session.scalars(select(Team.id).order_by(Team.id)).all()
    category = db.session.scalars(select(ServiceCategory.id).order_by(ServiceCategory.id)).first()
    return [dict(), dict(team_ids=[teams[0]]), dict(team_ids=teams[1:4]), dict(category_ids=[category]),
            dict(team_ids=[teams[0]], category_ids=[category]), dict(team_ids=[])]


def periods(today):
    y = today.year
    return [period_for(y), period_for(y - 1), period_for(y, today.month),
            period_for(y - 1, 3), (date(y - 1, 2, 1), date(y - 1, 6, 30)), (date(y - 1, 2, 3), date(y, 1, 9))]


def test_dashboard_and_summaries_agree(app, world):
    for period in periods(world):
        for scope in scopes():
            fast, slow = both(app, services.dashboard, *period, **scope, top=7)
            assert fast == slow, (period, scope)
            assert both(app, services.summary_by_team, *period, **scope)[0] == fast["by_team"]


def test_ranking_pages_agree_ties_included(app, world):
    for period in periods(world)[:4]:
        for scope in scopes():
            full_fast, full_slow = both(app, services.ranking_page, *period, **scope)
            assert full_fast == full_slow
            rows, total = full_fast
            for offset in (0, 3, 50, max(total - 5, 0), total + 10):
                fast, slow = both(app, services.ranking_page, *period, **scope, limit=11, offset=offset)
                assert fast == slow == (rows[offset:offset + 11], total if offset < total or not offset else total), \
                    (period, scope, offset)


def test_star_lists_agree(app, world):
    for period in periods(world):
        for scope in (dict(), dict(team_ids=scopes()[1]["team_ids"]), dict(team_ids=scopes()[2]["team_ids"])):
            fast, slow = both(app, services.star_page, *period, **scope)
            assert fast == slow, (period, scope)
            rows, total = fast
            assert total == len(rows)
            assert both(app, services.star_page, *period, **scope, limit=5, offset=2)[0] == (rows[2:7], total)
    assert services.star_page(*period_for(world.year))[1] > 0  # the seed makes promotions
