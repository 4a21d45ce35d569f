"""No race lets more people in than the quota: concurrent sign-ups, each thread its own session.

The app's write lock (volunteer/database.py: BEGIN IMMEDIATE on SQLite, an advisory lock on
PostgreSQL) serialises writers, so "places left?" and the insert cannot interleave. Run it on
PostgreSQL with TEST_DATABASE_URL.
"""
import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from tests import factories as f
from volunteer.activities import signups
from volunteer.activities.models import Activity, ActivitySignup
from volunteer.database import write_intent
from volunteer.extensions import db
from volunteer.volunteers.models import Volunteer


def test_eight_at_once_for_three_places(app):
    team = f.make_team()
    act = f.make_activity(team, service_date=date.today() + timedelta(days=5), start_time="09:00", headcount=3)
    ids = [f.make_volunteer(teams=[team]).id for _ in range(8)]
    act_id = act.id
    db.session.commit()
    barrier, outcomes, errors = threading.Barrier(len(ids)), [], []

    def worker(volunteer_id):
        try:
            with app.app_context():  # its own session and connection
                write_intent.set(True)
                barrier.wait(timeout=10)
                activity = db.session.get(Activity, act_id)
                person = db.session.get(Volunteer, volunteer_id)
                outcomes.append(signups.sign_up(None, activity, person).status)
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert sorted(outcomes) == ["confirmed"] * 3 + ["waitlist"] * 5
    db.session.expire_all()
    counts = dict(db.session.execute(select(ActivitySignup.status, func.count()).where(
        ActivitySignup.activity_id == act_id).group_by(ActivitySignup.status)).all())
    assert counts == {"confirmed": 3, "waitlist": 5}
