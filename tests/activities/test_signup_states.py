"""Sign-up states everywhere: a 候补 or cancelled sign-up is not signed up (list, activity page,
hours screen, check-in), places left count confirmed sign-ups only; 活动已取消 reaches those
signed up; the cancellation deadline is an office setting."""
from datetime import timedelta

from sqlalchemy import select

from tests import factories as f
from tests.conftest import PASSWORD
from volunteer.activities import signups
from volunteer.activities.models import ActivitySignup
from volunteer.audit.models import AuditLog
from volunteer.checkin.services import find_people
from volunteer.clock import today_local
from volunteer.extensions import db


def _signup(activity, person, status):
    db.session.add(ActivitySignup(activity_id=activity.id, volunteer_id=person.id, status=status))
    db.session.flush()


def _volunteer_login(client, person, username):
    user = f.make_user("volunteer", username=username, volunteer=person)
    db.session.commit()
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return user


def test_list_and_page_show_waiting_as_waiting_and_count_only_confirmed(app, client):
    team = f.make_team()
    act = f.make_activity(team, "植树", service_date=today_local() + timedelta(days=7), start_time="09:00", headcount=2)
    me, other, gone = (f.make_volunteer(teams=[team]) for _ in range(3))
    _signup(act, other, "confirmed")
    _signup(act, gone, "cancelled")
    _signup(act, me, "waitlist")  # (an earlier quota) waiting though a place is free
    _volunteer_login(client, me, "13900000101")
    page = client.get("/activities/").get_data(as_text=True)
    assert "候补第 1 位" in page and "剩余 1 个名额" in page and "已报名</span>" not in page
    detail = client.get(f"/activities/{act.id}").get_data(as_text=True)
    assert "候补第 1 位" in detail and "已报名 1 人，候补 1 人，剩余 1 个名额" in detail

    _volunteer_login(client, gone, "13900000102")
    page = client.get("/activities/").get_data(as_text=True)
    assert "候补第" not in page and "已报名</span>" not in page and ">报名<" in page
    assert "我要报名" in client.get(f"/activities/{act.id}").get_data(as_text=True)


def test_a_full_activity_offers_the_waiting_list(app, client):
    team = f.make_team()
    act = f.make_activity(team, service_date=today_local() + timedelta(days=7), start_time="09:00", headcount=1)
    _signup(act, f.make_volunteer(teams=[team]), "confirmed")
    _volunteer_login(client, f.make_volunteer(teams=[team]), "13900000103")
    page = client.get("/activities/").get_data(as_text=True)
    assert "名额已满，可报名候补" in page and "报名候补" in page


def test_hours_screen_and_check_in_treat_waiting_and_cancelled_as_not_signed_up(app, client, login_as):
    team = f.make_team()
    act = f.make_activity(team, service_date=today_local() - timedelta(days=1), start_time="09:00")
    came, waiting, cancelled = (f.make_volunteer(name) for name in ("报名甲", "候补乙", "取消丙"))
    for person, status in ((came, "confirmed"), (waiting, "waitlist"), (cancelled, "cancelled")):
        _signup(act, person, status)
    login_as("leader", teams=[team])
    screen = client.get(f"/activities/{act.id}/hours").get_data(as_text=True)
    assert "报名甲" in screen and "候补乙" not in screen and "取消丙" not in screen
    assert find_people(act, "报名甲", came.phone[-4:]) == [came]
    assert find_people(act, "候补乙", waiting.phone[-4:]) == []


def test_a_leader_cancels_an_activity_and_those_signed_up_see_it(app, client, login_as):
    team = f.make_team()
    day = today_local() + timedelta(days=3)
    act = f.make_activity(team, "社区义诊", service_date=day, start_time="09:00", headcount=1)
    first, second = f.make_volunteer(teams=[team]), f.make_volunteer(teams=[team])
    signups.sign_up(None, act, first)
    signups.sign_up(None, act, second)
    db.session.commit()
    login_as("leader", teams=[team])
    assert "取消活动" in client.get(f"/activities/{act.id}").get_data(as_text=True)
    page = client.post(f"/activities/{act.id}/call-off", data={"reason": ""})
    assert page.status_code == 200 and "请填写取消原因" in page.get_data(as_text=True)
    assert client.post(f"/activities/{act.id}/call-off", data={"reason": "暴雨预警，改期另行通知"}).status_code == 302
    db.session.refresh(act)
    assert act.status == "closed" and act.cancelled_at is not None
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "activity.cancel"))
    assert sorted(entry.changes["volunteers"]) == sorted([first.id, second.id])
    # It cannot be published again, nor signed up to.
    client.post(f"/activities/{act.id}/status", data={"status": "published"})
    db.session.refresh(act)
    assert act.status == "closed"

    for person, username in ((first, "13900000111"), (second, "13900000112")):
        _volunteer_login(client, person, username)
        me = client.get("/me").get_data(as_text=True)
        assert "活动已取消" in me and "暴雨预警，改期另行通知" in me and "候补第" not in me
        detail = client.get(f"/activities/{act.id}").get_data(as_text=True)
        assert "活动已取消" in detail and "暴雨预警" in detail and "我要报名" not in detail
    # After the day nobody counts as 未到.
    assert signups.no_show_counts([first.id], day + timedelta(days=2)) == {}


def test_an_activity_with_hours_is_not_cancelled(app, client, login_as):
    team = f.make_team()
    act = f.make_activity(team, service_date=today_local() - timedelta(days=1))
    f.make_record(act, f.make_volunteer(teams=[team]), status="pending")
    login_as("leader", teams=[team])
    page = client.post(f"/activities/{act.id}/call-off", data={"reason": "下雨"})
    assert "已登记时长" in page.get_data(as_text=True) and 'value="下雨"' in page.get_data(as_text=True)


def test_the_cancellation_deadline_is_set_on_the_settings_page(app, client, login_as):
    login_as("office")
    page = client.get("/integrity/settings").get_data(as_text=True)
    assert "截止取消报名" in page and 'value="2"' in page
    base = {"daily_hours_limit": "12", "checkin_unit": "1", "checkin_minutes_before": "60"}
    bad = client.post("/integrity/settings", data=base | {"signup_cancel_hours": "500"})
    assert "应在 0 到 168 小时" in bad.get_data(as_text=True) and 'value="500"' in bad.get_data(as_text=True)
    assert client.post("/integrity/settings", data=base | {"signup_cancel_hours": "48"}).status_code == 302
    assert signups.cancel_hours() == 48
    team = f.make_team()
    act = f.make_activity(team, service_date=today_local() + timedelta(days=1), start_time="23:00")
    person = f.make_volunteer(teams=[team])
    signups.sign_up(None, act, person)
    import pytest
    from volunteer.errors import ServiceError
    with pytest.raises(ServiceError, match="48 小时"):
        signups.cancel(None, act, person)
