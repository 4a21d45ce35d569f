"""A separate process that keeps writing through the app's services, one transaction at a time:
each round creates an activity and logs hours for every volunteer given, then commits. After
each commit it appends the round to a ledger (JSON lines), so the ledger lists exactly the
acknowledged rounds, in commit order. It stops when the stop file appears.

    python -m tests.reliability.proc_writer URL LEDGER STOPFILE TEAM_ID CATEGORY_ID VOLUNTEER_ID...
"""
import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path


def main(url, ledger, stop, team_id, category_id, *volunteer_ids):
    from sqlalchemy import select

    from volunteer import create_app
    from volunteer.activities.services import create_activity
    from volunteer.cli_support import cli_write_intent
    from volunteer.extensions import db
    from volunteer.hours.models import ServiceRecord
    from volunteer.hours.services import log_hours

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": os.environ["SECRET_KEY"]})
    volunteer_ids = [int(v) for v in volunteer_ids]
    stop = Path(stop)
    with app.app_context(), open(ledger, "a", encoding="utf-8") as out:
        cli_write_intent()  # as the command line does: take the write lock at BEGIN
        n = 0
        while not stop.exists():
            n += 1
            day = date(2026, 1, 1) + timedelta(days=n % 300)
            activity = create_activity(None, {"team_id": int(team_id), "title": f"备份测试活动{n}",
                                              "category_id": int(category_id), "service_date": day,
                                              "status": "published"})
            minutes = {vid: 30 + (n * 7 + i * 11) % 300 for i, vid in enumerate(volunteer_ids)}
            log_hours(None, activity, minutes)
            records = {str(r.volunteer_id): r.id for r in db.session.scalars(
                select(ServiceRecord).where(ServiceRecord.activity_id == activity.id))}
            db.session.commit()
            # acknowledged: only now does the round go into the ledger
            out.write(json.dumps({"n": n, "activity": activity.id, "records": records,
                                  "minutes": {str(k): v for k, v in minutes.items()}}) + "\n")
            out.flush()
            db.session.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
