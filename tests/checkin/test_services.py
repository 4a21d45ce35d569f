"""Check-in services: the window, the hours a pair gives, one open sign-in, records written
through hours.services with every rule of records, missed sign-outs, and the exception queue."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from volunteer.audit.models import AuditLog
from volunteer.checkin import services, tokens
from volunteer.checkin.models import Checkin
from volunteer.errors import ServiceError
from volunteer.extensions import db
from volunteer.hours.models import MonthLock, ServiceRecord
from volunteer.integrity import services as integrity
from volunteer.settings import Setting

from tests import factories as f

DAY = date(2026, 3, 15)


def bj(hhmm: str, day: date = DAY) -> datetime:
    """A Beijing wall-clock time on DAY as the naive UTC the app stores."""
    return services.local_to_utc(day, hhmm)


@pytest.fixture
def world(app):
    team = f.make_team()
    activity = f.make_activity(team, service_date=DAY, start_time="09:00", end_time="11:30")
    volunteer = f.make_volunteer(teams=[team])
    user = f.make_user("volunteer", volunteer=volunteer)
    db.session.commit()
    return activity, volunteer, user


def records():
    return db.session.scalars(select(ServiceRecord).order_by(ServiceRecord.id)).all()


def test_a_pair_becomes_one_pending_checkin_record_clipped_to_the_activity(world):
    activity, volunteer, user = world
    pair, created = services.sign_in(user, activity, volunteer, via="qr", now=bj("08:40"))
    assert created and pair.walk_in  # not signed up: 未报名
    services.sign_out(user, pair, now=bj("11:50"))
    rec, = records()
    # 08:40-11:50 clipped to 09:00-11:30.
    assert (rec.minutes, rec.status, rec.source) == (150, "pending", "checkin")
    assert pair.record_id == rec.id and pair.minutes == 150
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"checkin.sign_in", "checkin.sign_out", "hours.checkin"} <= actions


def test_rounding_unit_and_auto_approval_are_office_settings(world):
    activity, volunteer, user = world
    db.session.add_all([Setting(key=services.SETTING_UNIT, value="15"), Setting(key=services.SETTING_AUTO, value="1")])
    pair, _ = services.sign_in(user, activity, volunteer, via="qr", now=bj("09:05"))
    services.sign_out(user, pair, now=bj("10:04"))  # 59 minutes -> 45 with a 15-minute unit
    rec, = records()
    assert (rec.minutes, rec.status) == (45, "approved")


def test_pairs_add_up_and_a_pair_shorter_than_a_unit_makes_no_record(world):
    activity, volunteer, user = world
    db.session.add(Setting(key=services.SETTING_UNIT, value="30"))
    pair, _ = services.sign_in(user, activity, volunteer, via="qr", now=bj("09:00"))
    services.sign_out(user, pair, now=bj("09:20"))
    assert records() == []
    pair, created = services.sign_in(user, activity, volunteer, via="qr", now=bj("09:30"))
    assert created  # a new pair after signing out
    services.sign_out(user, pair, now=bj("10:45"))
    rec, = records()
    assert rec.minutes == 60  # 0 + 60 (75 minutes rounded down to 30s)


def test_the_sign_in_window(world):
    activity, volunteer, user = world
    with pytest.raises(ServiceError, match="尚未开始"):
        services.sign_in(user, activity, volunteer, via="qr", now=bj("07:59"))  # 60 min before 09:00 = 08:00
    with pytest.raises(ServiceError, match="已结束"):
        services.sign_in(user, activity, volunteer, via="qr", now=bj("00:00", DAY + timedelta(days=1)))
    # Beijing's day, whatever the server's zone: 23:59 Beijing is 15:59 UTC of the same date.
    pair, _ = services.sign_in(user, activity, volunteer, via="qr", now=bj("23:59"))
    assert pair.signed_in_at == datetime(2026, 3, 15, 15, 59)


def test_one_open_sign_in_per_volunteer(world):
    activity, volunteer, user = world
    other = f.make_activity(activity.team, service_date=DAY)
    first, _ = services.sign_in(user, activity, volunteer, via="qr", now=bj("09:00"))
    again, created = services.sign_in(user, activity, volunteer, via="code", now=bj("09:01"))
    assert again.id == first.id and not created
    with pytest.raises(ServiceError, match="请先签退"):
        services.sign_in(user, other, volunteer, via="qr", now=bj("09:02"))
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1


def test_a_record_typed_by_a_leader_is_not_doubled(world):
    activity, volunteer, user = world
    typed = f.make_record(activity, volunteer, minutes=60, status="pending")
    pair, _ = services.sign_in(user, activity, volunteer, via="qr", now=bj("09:00"))
    services.sign_out(user, pair, now=bj("11:00"))
    assert records() == [typed] and typed.minutes == 60
    assert pair.record_id is None and "队长核定" in pair.note


def test_a_missed_sign_out_waits_for_the_leader_and_is_never_credited_alone(world):
    activity, volunteer, user = world
    leader = f.make_user("leader", teams=[activity.team])
    pair, _ = services.sign_in(user, activity, volunteer, via="qr", now=bj("09:00"))
    # Next day: the volunteer signs in elsewhere; yesterday's pair becomes a missed sign-out.
    tomorrow = f.make_activity(activity.team, service_date=DAY + timedelta(days=1))
    services.sign_in(user, tomorrow, volunteer, via="qr", now=bj("09:00", DAY + timedelta(days=1)))
    db.session.refresh(pair)
    assert pair.state == "missed" and records() == []
    queue = services.missed_queue(leader, now=bj("12:00", DAY + timedelta(days=1)))
    assert [p.id for p in queue] == [pair.id]
    outsider = f.make_user("leader", teams=[f.make_team()])
    assert services.missed_queue(outsider, now=bj("12:00", DAY + timedelta(days=1))) == []
    with pytest.raises(ServiceError):
        services.settle_missed(leader, pair, bj("08:00"), now=bj("12:00", DAY + timedelta(days=1)))
    services.settle_missed(leader, pair, bj("11:00"), now=bj("12:00", DAY + timedelta(days=1)))
    rec, = records()
    assert (rec.minutes, rec.status, rec.activity_id) == (120, "pending", activity.id)


def test_signing_out_after_the_day_is_accepted_but_left_to_the_leader(world):
    activity, volunteer, user = world
    pair, _ = services.sign_in(user, activity, volunteer, via="qr", now=bj("09:00"))
    services.sign_out(user, pair, now=bj("08:00", DAY + timedelta(days=1)))
    assert pair.state == "missed" and records() == []


def test_a_locked_month_is_refused(world):
    activity, volunteer, user = world
    leader = f.make_user("leader", teams=[activity.team])
    pair, _ = services.sign_in(user, activity, volunteer, via="qr", now=bj("09:00"))
    db.session.add(MonthLock(month="2026-03"))
    with pytest.raises(ServiceError, match="已锁账"):
        services.settle_missed(leader, pair, bj("11:00"), now=bj("12:00", DAY + timedelta(days=5)))


def test_sign_out_all_at_one_time(world):
    activity, volunteer, user = world
    leader = f.make_user("leader", teams=[activity.team])
    second = f.make_volunteer(teams=[activity.team])
    services.sign_in(user, activity, volunteer, via="qr", now=bj("09:00"))
    services.sign_in(leader, activity, second, via="proxy", proxy_reason="老人无手机", now=bj("09:30"))
    with pytest.raises(ServiceError):
        services.sign_out_all(leader, activity, bj("12:00"), now=bj("11:00"))  # in the future
    assert services.sign_out_all(leader, activity, bj("11:00"), now=bj("11:10")) == 2
    assert sorted(r.minutes for r in records()) == [90, 120]
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "checkin.sign_out_all")).one()
    assert len(entry.changes["checkins"]) == 2


def test_proxy_needs_a_reason_and_is_marked(world):
    activity, volunteer, _user = world
    leader = f.make_user("leader", teams=[activity.team])
    with pytest.raises(ServiceError, match="原因"):
        services.sign_in(leader, activity, volunteer, via="proxy", proxy_reason=" ", now=bj("09:00"))
    pair, _ = services.sign_in(leader, activity, volunteer, via="proxy", proxy_reason="没带手机", now=bj("09:00"))
    assert pair.by_proxy and pair.proxy_reason == "没带手机" and pair.in_by_id == leader.id


def test_find_people_only_among_sign_ups_and_members(world):
    activity, volunteer, _user = world
    stranger = f.make_volunteer(name=volunteer.name, teams=[f.make_team()], phone="13800001234")
    assert services.find_people(activity, volunteer.name, volunteer.phone[-4:]) == [volunteer]
    assert services.find_people(activity, volunteer.name, volunteer.id_number[-4:]) == [volunteer]
    assert services.find_people(activity, stranger.name, "1234") == []


# ------------------------------------------------------------------------ place check


def test_place_check(world):
    activity, volunteer, user = world
    activity.latitude, activity.longitude, activity.radius_m = 31.2, 121.3, 200
    far = {"lat": 31.21, "lng": 121.3, "acc": 20}  # about 1.1 km north
    with pytest.raises(ServiceError, match="不在活动地点附近"):
        services.sign_in(user, activity, volunteer, via="qr", location=far, now=bj("09:00"))
    pair, _ = services.sign_in(user, activity, volunteer, via="qr", location=None, now=bj("09:00"))
    assert pair.location_flag == "unavailable"
    services.sign_out(user, pair, now=bj("09:30"))
    pair, _ = services.sign_in(user, activity, volunteer, via="qr", location={"lat": 31.2001, "lng": 121.3, "acc": 500},
                               now=bj("09:40"))
    assert pair.location_flag == "inaccurate"
    leader = f.make_user("leader", teams=[activity.team])
    other = f.make_volunteer(teams=[activity.team])
    pair, _ = services.sign_in(leader, activity, other, via="proxy", proxy_reason="老人", location=far, now=bj("09:00"))
    assert pair.location_flag == "outside" and pair.distance_m > 1000


# ---------------------------------------------------------------------- exception queue


def _queue_rules():
    counts, rows = integrity.queue(DAY, DAY)
    return {k: v for k, v in counts.items() if k.startswith("checkin_") and v}, rows


def test_flags_in_the_exception_queue(world):
    activity, volunteer, user = world
    activity.latitude, activity.longitude, activity.radius_m = 31.2, 121.3, 200
    friend = f.make_volunteer(teams=[activity.team])
    friend_user = f.make_user("volunteer", volunteer=friend)
    leader = f.make_user("leader", teams=[activity.team])
    here = {"lat": 31.2, "lng": 121.3, "acc": 10}
    # One phone (device cookie) signs in two people.
    a, _ = services.sign_in(user, activity, volunteer, via="qr", device_id="d" * 32, location=here, now=bj("09:00"))
    b, _ = services.sign_in(friend_user, activity, friend, via="qr", device_id="d" * 32, location=here, now=bj("09:01"))
    services.sign_out(user, a, now=bj("11:00"))
    services.sign_out(friend_user, b, now=bj("11:00"))
    counts, rows = _queue_rules()
    assert counts == {"checkin_device": 2}
    assert "2 人签到" in rows[0]["detail"]
    # A 代签 outside the radius.
    third = f.make_volunteer(teams=[activity.team])
    c, _ = services.sign_in(leader, activity, third, via="proxy", proxy_reason="老人", location={"lat": 31.3, "lng": 121.3, "acc": 5},
                            now=bj("09:00"))
    services.sign_out(leader, c, now=bj("10:00"), proxy_reason="老人")
    # A check-in record changed afterwards (the leader's hours screen, for instance).
    rec_a = db.session.get(ServiceRecord, a.record_id)
    rec_a.minutes = 60
    db.session.flush()
    counts, rows = _queue_rules()
    assert counts == {"checkin_device": 2, "checkin_place": 1, "checkin_edited": 1}
    details = {r["rule"]: r["detail"] for r in rows}
    assert details["checkin_place"] == "代签位置在范围外"
    assert "记录现为 1 小时" in details["checkin_edited"]
    assert integrity.is_flagged("checkin_edited", rec_a.id)


def test_sheet_sign_in_without_location_is_flagged(world):
    activity, volunteer, user = world
    pair, _ = services.sign_in(user, activity, volunteer, via="sheet", now=bj("09:00"))
    services.sign_out(user, pair, now=bj("10:00"))
    counts, rows = _queue_rules()
    assert counts == {"checkin_place": 1} and rows[0]["detail"] == "通过签到表二维码签到，未获取到位置"


# ------------------------------------------------------------------------------ tokens


def test_tokens_expire_and_name_their_activity_and_day(app):
    now = datetime(2026, 3, 15, 2, 0, 30)
    n = tokens.counter_at(now)
    token = tokens.qr_token(7, DAY, n)
    assert tokens.read_token(token, now) == (7, DAY, "qr")
    assert tokens.read_token(token, now + timedelta(minutes=2)) == (7, DAY, "qr")  # replaced, two more minutes
    assert tokens.read_token(token, now + timedelta(minutes=3)) is None
    assert tokens.read_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), now) is None  # forged
    sheet = tokens.qr_token(7, DAY, tokens.SHEET)
    assert tokens.read_token(sheet, now + timedelta(hours=10)) == (7, DAY, "sheet")


def test_codes_valid_at_one_time_are_unique_and_expire(app):
    now = datetime(2026, 3, 15, 2, 0, 30)
    n = tokens.counter_at(now)
    seen = {}
    for counter in (n, n - 1, n - 2):
        for activity_id in range(1, 2001):
            code = tokens.code_for(activity_id, counter)
            assert len(code) == 6 and code.isdigit()
            assert code not in seen, (code, seen.get(code), (activity_id, counter))
            seen[code] = (activity_id, counter)
            assert tokens.read_code(code, now) == activity_id
    old = tokens.code_for(5, n - 3)
    assert tokens.read_code(old, now) != 5
    assert tokens.read_code("12345", now) is None and tokens.read_code("abcdef", now) is None


def test_a_proxy_pair_marks_its_record(world):
    activity, volunteer, _user = world
    leader = f.make_user("leader", teams=[activity.team])
    pair, _ = services.sign_in(leader, activity, volunteer, via="proxy", proxy_reason="老人无手机", now=bj("09:00"))
    services.sign_out(leader, pair, now=bj("10:00"), proxy_reason="老人无手机")
    rec, = records()
    assert rec.note == "现场签到（代签）"
