"""Approving, voiding and correcting records; locked months; totals and star levels."""
import pytest

from volunteer.audit.models import AuditLog
from volunteer.errors import ServiceError
from volunteer.extensions import db
from volunteer.hours import services
from volunteer.hours.models import MonthLock, ServiceRecord
from volunteer.hours.stars import next_level, star_level

from tests import factories as f


def test_approve_is_office_only_and_one_audit_entry_lists_every_record(app):
    office, leader = f.make_user("office"), f.make_user("leader")
    recs = [f.make_record(status="pending") for _ in range(3)]
    with pytest.raises(ServiceError):
        services.approve_records(leader, [r.id for r in recs])
    assert services.approve_records(office, [r.id for r in recs]) == 3
    entry = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "hours.approve")).one()
    assert sorted(entry.changes["records"]) == sorted(r.id for r in recs)
    assert all(r.status == "approved" and r.approved_by_id == office.id for r in recs)


def test_void_keeps_the_record_and_needs_a_reason(app):
    office = f.make_user("office")
    rec = f.make_record(minutes=90)
    with pytest.raises(ServiceError, match="原因"):
        services.void_record(office, rec, "  ")
    services.void_record(office, rec, "重复登记")
    assert db.session.get(ServiceRecord, rec.id).status == "void"
    assert services.volunteer_totals(rec.volunteer_id) == {"approved": 0, "pending": 0}


def test_leader_cannot_void_approved_records(app):
    leader = f.make_user("leader")
    with pytest.raises(ServiceError, match="分中心办公室"):
        services.void_record(leader, f.make_record(status="approved"), "错了")


def test_correction_is_audited_with_old_value(app):
    office = f.make_user("office")
    rec = f.make_record(minutes=120)
    services.correct_record(office, rec, 90, "实际只服务了1.5小时")
    entry = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "hours.correct")).one()
    assert entry.changes["before"] == {"minutes": 120} and entry.changes["after"] == {"minutes": 90}


def test_locked_month_refuses_leader_entries_but_allows_office_correction(app):
    office, leader = f.make_user("office"), f.make_user("leader")
    activity = f.make_activity()
    volunteer = f.make_volunteer()
    db.session.add(MonthLock(month=activity.service_date.strftime("%Y-%m")))
    db.session.flush()
    with pytest.raises(ServiceError, match="已锁账"):
        services.log_hours(leader, activity, {volunteer.id: 60})
    rec = f.make_record(activity, volunteer, minutes=60)
    services.correct_record(office, rec, 30, "更正")
    assert rec.minutes == 30
    pending = f.make_record(activity, f.make_volunteer(), status="pending")
    assert services.approve_records(office, [pending.id]) == 0


def test_same_minutes_again_is_unchanged_and_approved_cannot_be_changed_by_leader(app):
    leader = f.make_user("leader")
    activity = f.make_activity()
    v = f.make_volunteer()
    assert services.log_hours(leader, activity, {v.id: 60}) == {"created": 1, "updated": 0, "unchanged": 0, "withdrawn": 0}
    assert services.log_hours(leader, activity, {v.id: 60}) == {"created": 0, "updated": 0, "unchanged": 1, "withdrawn": 0}
    assert services.log_hours(leader, activity, {v.id: 90}) == {"created": 0, "updated": 1, "unchanged": 0, "withdrawn": 0}
    db.session.scalars(db.select(ServiceRecord)).one().status = "approved"
    with pytest.raises(ServiceError, match="已确认"):
        services.log_hours(leader, activity, {v.id: 30})


def test_totals_count_only_approved(app):
    v = f.make_volunteer()
    f.make_record(volunteer=v, minutes=60, status="approved")
    f.make_record(volunteer=v, minutes=30, status="pending")
    f.make_record(volunteer=v, minutes=600, status="void")
    assert services.volunteer_totals(v.id) == {"approved": 60, "pending": 30}


@pytest.mark.parametrize("hours,level", [(0, 0), (99.99, 0), (100, 1), (299, 1), (300, 2), (600, 3), (1000, 4), (1500, 5), (9999, 5)])
def test_star_levels(hours, level):
    assert star_level(round(hours * 60)) == level


def test_next_level_hours_needed():
    assert next_level(90 * 60) == (1, 10)
    assert next_level(1500 * 60) is None
