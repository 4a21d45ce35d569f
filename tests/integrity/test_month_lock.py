"""The monthly close: locking, what a lock refuses, and the office correction that stays allowed."""
from datetime import date

from volunteer.audit.models import AuditLog
from volunteer.errors import ServiceError
from volunteer.extensions import db
from volunteer.hours.models import MonthLock, ServiceRecord
from volunteer.hours import months

from tests import factories as f

import pytest


def test_office_locks_a_month_and_sees_it(client, login_as):
    login_as("office")
    response = client.post("/integrity/months", data={"month": "2026-01", "confirm": "1"})
    assert response.status_code == 302
    assert db.session.get(MonthLock, "2026-01") is not None
    assert "2026-01" in client.get("/integrity/months").get_data(as_text=True)
    assert db.session.scalars(db.select(AuditLog).where(AuditLog.action == "month.lock")).one().object_id == "2026-01"
    again = client.post("/integrity/months", data={"month": "2026-01", "confirm": "1"}).get_data(as_text=True)
    assert "已经锁账" in again


def test_lock_refusals(app, today):
    f.make_record(f.make_activity(service_date=date(2026, 2, 3)), minutes=60, status="pending")
    db.session.commit()
    with pytest.raises(ServiceError, match="待审核"):
        months.lock_month(None, "2026-02", today=date(2026, 4, 1))
    with pytest.raises(ServiceError, match="尚未结束"):
        months.lock_month(None, f"{today:%Y-%m}", today=today)
    with pytest.raises(ServiceError, match="格式"):
        months.lock_month(None, "2026-13", today=today)
    months.lock_month(None, "2026-03", today=date(2026, 4, 1))  # the 1st of the next month: fine


def test_leader_entry_in_a_locked_month_is_refused_but_office_correction_works(client, login_as):
    team = f.make_team()
    v = f.make_volunteer(teams=[team])
    activity = f.make_activity(team, service_date=date(2026, 1, 15), start_time="09:00", end_time="12:00")
    rec = f.make_record(activity, f.make_volunteer(teams=[team]), minutes=120)
    db.session.add(MonthLock(month="2026-01"))
    db.session.commit()

    leader = login_as("leader", teams=[team])
    html = client.post(f"/activities/{activity.id}/hours", data={f"hours-{v.id}": "2"}, follow_redirects=True).get_data(as_text=True)
    assert "已锁账" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(ServiceRecord).where(ServiceRecord.volunteer_id == v.id)) == 0
    assert leader.role == "leader"

    client.post("/logout")
    login_as("office")
    response = client.post(f"/hours/records/{rec.id}/correct", data={"hours": "1.5", "reason": "锁账后核实更正"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceRecord, rec.id).minutes == 90
    entry = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "hours.correct")).one()
    assert entry.changes["before"] == {"minutes": 120} and entry.changes["reason"] == "锁账后核实更正"
