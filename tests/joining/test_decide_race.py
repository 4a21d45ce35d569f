"""Two leaders deciding the same join application at once: the member is added exactly once,
one acceptance is audited, and the other leader is told it was already handled.

Each thread has its own app context, so its own session and connection (as a request has).
With the app's write lock (a POST's write intent) writers queue; without it, on PostgreSQL, the
conditional UPDATE in joining/applications._decide alone must hold: the second UPDATE waits
for the first to commit, re-reads the row and finds it no longer pending. Run on PostgreSQL
with TEST_DATABASE_URL.
"""
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories as f
from volunteer.audit.models import AuditLog
from volunteer.auth.models import User
from volunteer.database import write_intent
from volunteer.errors import ServiceError
from volunteer.extensions import db
from volunteer.joining import applications
from volunteer.joining.applications import GONE
from volunteer.joining.models import TeamApplication
from volunteer.teams.models import TeamMembership

TODAY = date(2026, 12, 7)


def _race(app, application_id, deciders, with_lock):
    barrier, outcomes, errors = threading.Barrier(len(deciders)), [], []

    def worker(user_id, decision):
        try:
            with app.app_context():  # its own session and connection
                write_intent.set(with_lock)
                barrier.wait(timeout=10)
                leader = db.session.get(User, user_id)
                application = db.session.get(TeamApplication, application_id)
                try:
                    if decision == "accept":
                        applications.accept(leader, application, TODAY)
                    else:
                        applications.decline(leader, application, "人数已满")
                    db.session.commit()
                    outcomes.append(decision)
                except ServiceError as exc:
                    db.session.rollback()
                    outcomes.append(str(exc))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=d) for d in deciders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    return outcomes


def _setup():
    team = f.make_team("阳光队")
    person = f.make_volunteer(name="张申请")
    leaders = [f.make_user("leader", teams=[team]) for _ in range(2)]
    application = TeamApplication(team_id=team.id, volunteer_id=person.id, status="pending")
    db.session.add(application)
    db.session.flush()
    ids = team.id, person.id, [u.id for u in leaders], application.id
    db.session.commit()  # after reading the ids: a read now would hold an old SQLite snapshot
    return ids


def _lock_cases(app):
    cases = [True]
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        cases.append(False)  # SQLite without BEGIN IMMEDIATE would only say "database is locked"
    return cases


@pytest.mark.parametrize("with_lock", [True, False], ids=["write-lock", "update-only"])
def test_two_leaders_accept_at_once_member_added_once(app, with_lock):
    if with_lock not in _lock_cases(app):
        pytest.skip("SQLite relies on the write lock")
    team_id, person_id, leader_ids, application_id = _setup()
    outcomes = _race(app, application_id, [(u, "accept") for u in leader_ids], with_lock)
    assert sorted(outcomes) == sorted(["accept", GONE])
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(TeamMembership).where(
        TeamMembership.team_id == team_id, TeamMembership.volunteer_id == person_id)) == 1
    actions = list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions.count("team.application_accept") == 1
    assert actions.count("team.add_member") == 1
    assert db.session.get(TeamApplication, application_id).status == "accepted"


@pytest.mark.parametrize("with_lock", [True, False], ids=["write-lock", "update-only"])
def test_accept_and_decline_at_once_one_wins_whole(app, with_lock):
    if with_lock not in _lock_cases(app):
        pytest.skip("SQLite relies on the write lock")
    team_id, person_id, leader_ids, application_id = _setup()
    outcomes = _race(app, application_id, [(leader_ids[0], "accept"), (leader_ids[1], "decline")], with_lock)
    assert GONE in outcomes and len(outcomes) == 2
    won = next(o for o in outcomes if o != GONE)
    db.session.expire_all()
    application = db.session.get(TeamApplication, application_id)
    members = db.session.scalar(select(func.count()).select_from(TeamMembership).where(
        TeamMembership.team_id == team_id, TeamMembership.volunteer_id == person_id))
    actions = list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    if won == "accept":
        assert (application.status, members) == ("accepted", 1)
        assert actions.count("team.application_accept") == 1 and "team.application_decline" not in actions
    else:
        assert (application.status, members, application.reason) == ("declined", 0, "人数已满")
        assert actions.count("team.application_decline") == 1 and "team.application_accept" not in actions
