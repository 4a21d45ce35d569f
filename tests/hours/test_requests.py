"""Correction and missing-record requests: asked by the volunteer, handled through the
ordinary record services by the team's leaders or the office, declined with a reason."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests import factories as f
from volunteer.audit.models import AuditLog
from volunteer.errors import ServiceError
from volunteer.extensions import db
from volunteer.hours import requests
from volunteer.hours.models import MonthLock, RecordRequest, ServiceRecord

DAY = date(2026, 3, 16)  # a Monday


@pytest.fixture
def world(app):
    team = f.make_team()
    other = f.make_team()
    person = f.make_volunteer(teams=[team])
    act = f.make_activity(team, service_date=DAY, start_time="09:00", end_time="12:00")
    leader = f.make_user("leader", teams=[team])
    return {"team": team, "other": other, "person": person, "act": act, "leader": leader,
            "office": f.make_user("office"), "outsider": f.make_user("leader", teams=[other])}


def test_a_correction_accepted_by_the_leader_changes_a_pending_record(world):
    rec = f.make_record(world["act"], world["person"], minutes=60, status="pending")
    req = requests.ask_correction(None, world["person"], rec, "correct", "2.5", "我从九点干到十一点半")
    assert (req.status, req.minutes, req.team_id) == ("pending", 150, world["team"].id)
    requests.accept(world["leader"], req)
    assert (rec.minutes, rec.status, req.status, req.result_record_id) == (150, "pending", "accepted", rec.id)
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"hours.request", "hours.request_accept", "hours.log"} <= actions


def test_an_approved_record_is_corrected_only_by_the_office(world):
    rec = f.make_record(world["act"], world["person"], minutes=60, status="approved")
    req = requests.ask_correction(None, world["person"], rec, "correct", "2", "少记了一小时")
    with pytest.raises(ServiceError, match="分中心办公室"):
        requests.accept(world["leader"], req)
    assert rec.minutes == 60 and req.status == "pending"
    requests.accept(world["office"], req)
    assert rec.minutes == 120 and req.status == "accepted"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "hours.correct"))
    assert entry.changes["before"] == {"minutes": 60}


def test_a_locked_month_is_for_the_office_only(world):
    rec = f.make_record(world["act"], world["person"], minutes=60, status="pending")
    db.session.add(MonthLock(month="2026-03"))
    req = requests.ask_correction(None, world["person"], rec, "correct", "2", "少记了")
    with pytest.raises(ServiceError, match="已锁账"):
        requests.accept(world["leader"], req)
    requests.accept(world["office"], req)
    assert rec.minutes == 120


def test_the_office_adds_a_missing_record_to_a_locked_month_a_leader_cannot(world):
    db.session.add(MonthLock(month="2026-03"))
    req = requests.ask_missing(None, world["person"], activity=world["act"], hours_text="2",
                               reason="队长忘了登记", today=date(2026, 4, 1))
    with pytest.raises(ServiceError, match="已锁账"):
        requests.accept(world["leader"], req)
    rec = requests.accept(world["office"], req)
    assert (rec.minutes, rec.status) == (120, "approved")


def test_a_void_request_voids_the_record_with_the_reason(world):
    rec = f.make_record(world["act"], world["person"], minutes=60, status="pending")
    req = requests.ask_correction(None, world["person"], rec, "void", "", "那天我没去")
    requests.accept(world["leader"], req)
    assert rec.status == "void" and "那天我没去" in rec.void_reason


def test_a_missing_record_is_added_as_pending_by_a_leader(world):
    req = requests.ask_missing(None, world["person"], activity=world["act"], hours_text="3",
                               reason="签到时手机没电", today=date(2026, 4, 1))
    rec = requests.accept(world["leader"], req)
    assert (rec.volunteer_id, rec.minutes, rec.status) == (world["person"].id, 180, "pending")


def test_a_missing_record_named_by_title_is_placed_on_the_activity_the_handler_picks(world):
    req = requests.ask_missing(None, world["person"], team_id=world["team"].id, title="河道清洁",
                               service_date=DAY, hours_text="2", reason="队长忘了登记", today=date(2026, 4, 1))
    assert requests.team_activities_near(req) == [world["act"]]
    with pytest.raises(ServiceError, match="选择"):
        requests.accept(world["leader"], req)
    rec = requests.accept(world["leader"], req, activity=world["act"])
    assert rec.activity_id == world["act"].id and req.activity_id == world["act"].id


def test_decline_needs_a_reason_and_keeps_it(world):
    rec = f.make_record(world["act"], world["person"], minutes=60, status="pending")
    req = requests.ask_correction(None, world["person"], rec, "correct", "2.5", "多干了")
    with pytest.raises(ServiceError, match="原因"):
        requests.decline(world["leader"], req, "  ")
    requests.decline(world["leader"], req, "签到记录显示 9:00–10:00")
    assert (req.status, req.decline_reason, rec.minutes) == ("declined", "签到记录显示 9:00–10:00", 60)
    with pytest.raises(ServiceError):
        requests.accept(world["leader"], req)


def test_another_teams_leader_cannot_handle_it(world):
    rec = f.make_record(world["act"], world["person"], minutes=60, status="pending")
    req = requests.ask_correction(None, world["person"], rec, "correct", "2", "少记了")
    with pytest.raises(ServiceError):
        requests.accept(world["outsider"], req)
    assert requests.queue(world["outsider"]).subquery() is not None
    assert db.session.scalars(requests.queue(world["outsider"])).all() == []
    assert db.session.scalars(requests.queue(world["leader"])).all() == [req]


@pytest.mark.parametrize("kwargs,field", [
    ({"hours_text": "abc", "reason": "x"}, "hours"),
    ({"hours_text": "25", "reason": "x"}, "hours"),
    ({"hours_text": "4", "reason": "x"}, "hours"),  # over the activity's 3 hours
    ({"hours_text": "1", "reason": "x"}, "hours"),  # the same as recorded
    ({"hours_text": "2", "reason": "  "}, "reason"),
])
def test_a_bad_correction_says_which_field(world, kwargs, field):
    rec = f.make_record(world["act"], world["person"], minutes=60, status="pending")
    with pytest.raises(ServiceError) as exc:
        requests.ask_correction(None, world["person"], rec, "correct", kwargs["hours_text"], kwargs["reason"])
    assert exc.value.field == field


def test_one_pending_request_per_record_and_none_on_others_records(world):
    rec = f.make_record(world["act"], world["person"], minutes=60, status="pending")
    requests.ask_correction(None, world["person"], rec, "correct", "2", "少记了")
    with pytest.raises(ServiceError, match="待处理"):
        requests.ask_correction(None, world["person"], rec, "correct", "3", "少记了")
    stranger = f.make_volunteer(teams=[world["team"]])
    with pytest.raises(ServiceError, match="自己"):
        requests.ask_correction(None, stranger, rec, "correct", "3", "x")


def test_missing_refused_for_a_future_day_or_an_already_recorded_activity(world):
    with pytest.raises(ServiceError, match="还没到"):
        requests.ask_missing(None, world["person"], activity=world["act"], hours_text="1", reason="x",
                             today=date(2026, 3, 1))
    f.make_record(world["act"], world["person"], minutes=60, status="pending")
    with pytest.raises(ServiceError, match="已有您的时长记录"):
        requests.ask_missing(None, world["person"], activity=world["act"], hours_text="1", reason="x",
                             today=date(2026, 4, 1))
    with pytest.raises(ServiceError) as exc:
        requests.ask_missing(None, world["person"], team_id=world["other"].id, title="x", service_date=DAY,
                             hours_text="1", reason="x", today=date(2026, 4, 1))
    assert exc.value.field == "team_id"


def test_withdraw_only_ones_own_pending_request(world):
    rec = f.make_record(world["act"], world["person"], minutes=60, status="pending")
    req = requests.ask_correction(None, world["person"], rec, "correct", "2", "少记了")
    with pytest.raises(ServiceError):
        requests.withdraw(None, req, f.make_volunteer())
    requests.withdraw(None, req, world["person"])
    assert req.status == "withdrawn"
    with pytest.raises(ServiceError):
        requests.accept(world["leader"], req)


def test_overdue_after_ten_working_days_counting_holidays(world):
    rec = f.make_record(world["act"], world["person"], minutes=60, status="pending")
    req = requests.ask_correction(None, world["person"], rec, "correct", "2", "少记了")
    # Made on Thursday 24 September 2026 (Beijing): 中秋 (25 September) and the National Day
    # week follow, Saturday 10 October is a make-up working day: the tenth working day after
    # is 15 October (Monday to Friday would have made it 8 October).
    req.created_at = datetime(2026, 9, 24, 2, 0)
    db.session.flush()
    assert not requests.is_overdue(req, date(2026, 10, 15))
    assert requests.is_overdue(req, date(2026, 10, 16))
    summary = requests.start_page_summary(world["leader"], date(2026, 10, 16))
    assert summary["pending"] == 1 and summary["overdue"] == [req]
    assert requests.start_page_summary(world["outsider"], date(2026, 10, 16)) == {"pending": 0, "overdue": []}
