"""Sign-ups: quota, 候补 order, cancellation deadline, promotion, 请假 / 未到, and /me."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from tests import factories as f
from volunteer.activities import signups
from volunteer.activities.models import ActivitySignup
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.settings import save_settings

SOON = date.today() + timedelta(days=7)


def _people(n, team):
    return [f.make_volunteer(teams=[team]) for _ in range(n)]


def test_quota_is_hard_and_the_rest_wait_in_order(app):
    team = f.make_team()
    act = f.make_activity(team, service_date=SOON, start_time="09:00", headcount=2)
    a, b, c, d = _people(4, team)
    states = [signups.sign_up(None, act, p).status for p in (a, b, c, d)]
    assert states == ["confirmed", "confirmed", "waitlist", "waitlist"]
    rows = {s.volunteer_id: s for s in db.session.scalars(select(ActivitySignup))}
    assert [signups.waitlist_position(rows[p.id]) for p in (c, d)] == [1, 2]


def test_cancel_moves_the_first_waiting_person_up_and_is_audited(app):
    team = f.make_team()
    act = f.make_activity(team, service_date=SOON, start_time="09:00", headcount=1)
    a, b, c = _people(3, team)
    for p in (a, b, c):
        signups.sign_up(None, act, p)
    moved = signups.cancel(None, act, a)
    assert [s.volunteer_id for s in moved] == [b.id]
    by = {s.volunteer_id: s for s in db.session.scalars(select(ActivitySignup))}
    assert (by[a.id].status, by[b.id].status, by[c.id].status) == ("cancelled", "confirmed", "waitlist")
    assert by[b.id].promoted_at is not None and signups.waitlist_position(by[c.id]) == 1
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"activity.signup", "activity.signup_cancel", "activity.signup_promote"} <= actions


def test_raised_quota_moves_people_up_lowered_keeps_those_in(app):
    from volunteer.activities.services import update_activity
    team = f.make_team()
    act = f.make_activity(team, service_date=SOON, start_time="09:00", headcount=1)
    a, b, c = _people(3, team)
    for p in (a, b, c):
        signups.sign_up(None, act, p)
    update_activity(None, act, {"title": act.title, "headcount": 2})
    assert signups._confirmed_count(act.id) == 2
    update_activity(None, act, {"title": act.title, "headcount": 1})
    assert signups._confirmed_count(act.id) == 2  # nobody is pushed out


def test_cancel_deadline_is_the_office_setting(app):
    team = f.make_team()
    act = f.make_activity(team, service_date=SOON, start_time="09:00")
    person = f.make_volunteer(teams=[team])
    signups.sign_up(None, act, person)
    save_settings(None, {signups.CANCEL_HOURS_KEY: "48"})
    start = signups.starts_at(act)
    try:
        signups.cancel(None, act, person, now=start - timedelta(hours=47))
        raise AssertionError("cancelled inside the deadline")
    except Exception as exc:  # noqa: BLE001
        assert "48 小时内不能取消报名" in str(exc)
    signups.cancel(None, act, person, now=start - timedelta(hours=49))


def test_no_show_unless_leave_or_came_or_late_promotion(app):
    team = f.make_team()
    past = f.make_activity(team, service_date=date(2026, 3, 15), start_time="09:00")
    a, b, c, d = _people(4, team)
    for p in (a, b, c, d):
        db.session.add(ActivitySignup(activity_id=past.id, volunteer_id=p.id, status="confirmed"))
    db.session.flush()
    f.make_record(past, b)
    rows = {s.volunteer_id: s for s in db.session.scalars(select(ActivitySignup))}
    signups.set_leave(None, rows[c.id], True)
    rows[d.id].promoted_at = signups.starts_at(past) - timedelta(hours=3)
    db.session.flush()
    assert [signups.attendance(rows[p.id]) for p in (a, b, c, d)] == ["未到", "已到场", "请假", "临近递补"]
    assert signups.no_show_counts([a.id, b.id, c.id, d.id], date.today()) == {a.id: 1}


def test_routes_sign_up_waitlist_cancel_and_me(app, client, login_as):
    team = f.make_team()
    act = f.make_activity(team, "植树活动", service_date=SOON, start_time="09:00", headcount=1)
    first = f.make_volunteer(teams=[team])
    signups.sign_up(None, act, first)
    person = f.make_volunteer(teams=[team])
    login_as("volunteer", volunteer=person)
    html = client.post(f"/activities/{act.id}/signup", follow_redirects=True).get_data(as_text=True)
    assert "候补第 1 位" in html and "已进入候补名单" in html
    html = client.get("/me").get_data(as_text=True)
    assert "植树活动" in html and "候补第 1 位" in html
    html = client.post(f"/activities/{act.id}/cancel", data={"back": "me"}, follow_redirects=True).get_data(as_text=True)
    assert "已取消报名" in html and "没有即将开始的报名" in html


def test_leader_sees_list_and_marks_leave(app, client, login_as):
    team = f.make_team()
    past = f.make_activity(team, service_date=date(2026, 3, 15), start_time="09:00")
    person = f.make_volunteer(name="王未到", teams=[team])
    db.session.add(ActivitySignup(activity_id=past.id, volunteer_id=person.id, status="confirmed"))
    login_as("leader", teams=[team])
    html = client.get(f"/activities/{past.id}").get_data(as_text=True)
    assert "王未到" in html and "未到" in html and "登记请假" in html
    signup = db.session.scalar(select(ActivitySignup))
    html = client.post(f"/activities/{past.id}/signups/{signup.id}/leave", data={"on_leave": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已为 王未到 登记请假" in html and "取消请假" in html


def test_volunteer_cannot_mark_leave(app, client, login_as):
    team = f.make_team()
    past = f.make_activity(team, service_date=date(2026, 3, 15))
    person = f.make_volunteer(teams=[team])
    db.session.add(ActivitySignup(activity_id=past.id, volunteer_id=person.id, status="confirmed"))
    login_as("volunteer", volunteer=person)
    signup = db.session.scalar(select(ActivitySignup))
    assert client.post(f"/activities/{past.id}/signups/{signup.id}/leave", data={"on_leave": "1"}).status_code == 404
