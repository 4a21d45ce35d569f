"""The core journey through the pages: a leader logs hours on one screen, the office approves,
the volunteer sees the new total."""
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord

from tests import factories as f


def _setup():
    team = f.make_team("虹桥居委志愿服务队")
    other = f.make_team("古美居委志愿服务队")
    alice = f.make_volunteer("张三", teams=[team])
    bob = f.make_volunteer("李四", teams=[team])
    outsider = f.make_volunteer("王五", teams=[other])
    activity = f.make_activity(team, "垃圾分类宣传", start_time="09:00", end_time="12:00")
    db.session.commit()
    return team, other, alice, bob, outsider, activity


def test_leader_logs_hours_for_whole_activity_on_one_screen(app, client, login_as):
    team, _, alice, bob, outsider, activity = _setup()
    login_as("leader", teams=[team])
    page = client.get(f"/activities/{activity.id}/hours").get_data(as_text=True)
    assert "张三" in page and "李四" in page and "王五" not in page

    response = client.post(f"/activities/{activity.id}/hours", data={f"hours-{alice.id}": "2.5", f"hours-{bob.id}": ""})
    assert response.status_code == 302
    rec = db.session.scalars(db.select(ServiceRecord)).one()
    assert (rec.volunteer_id, rec.minutes, rec.status) == (alice.id, 150, "pending")
    assert db.session.scalars(db.select(AuditLog).where(AuditLog.action == "hours.log")).one().changes["records"] == [rec.id]


def test_bad_hours_keep_typed_values_and_save_nothing(app, client, login_as):
    team, _, alice, bob, _, activity = _setup()
    login_as("leader", teams=[team])
    response = client.post(f"/activities/{activity.id}/hours", data={f"hours-{alice.id}": "2小时", f"hours-{bob.id}": "3"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "服务时长必须是数字" in html and 'value="2小时"' in html and 'value="3"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(ServiceRecord)) == 0


def test_hours_longer_than_the_activity_are_refused(app, client, login_as):
    team, _, alice, _, _, activity = _setup()
    login_as("leader", teams=[team])
    html = client.post(f"/activities/{activity.id}/hours", data={f"hours-{alice.id}": "4"}, follow_redirects=True).get_data(as_text=True)
    assert "不能超过活动时长" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(ServiceRecord)) == 0


def test_non_member_added_by_name_and_phone(app, client, login_as):
    import re

    team, _, _, _, outsider, activity = _setup()
    login_as("leader", teams=[team])
    page = client.post(f"/activities/{activity.id}/hours",
                       data={"action": "find", "name": "王五", "key": outsider.phone}).get_data(as_text=True)
    assert "王五" in page and "非本队" in page
    found = re.search(r'<input type="hidden" name="found" value="([^"]+)"', page).group(1)
    client.post(f"/activities/{activity.id}/hours", data={f"hours-{outsider.id}": "1", "found": found})
    assert db.session.scalars(db.select(ServiceRecord)).one().volunteer_id == outsider.id


def test_unknown_person_lookup_says_so(app, client, login_as):
    team, *_, activity = _setup()
    login_as("leader", teams=[team])
    page = client.post(f"/activities/{activity.id}/hours", data={"action": "find", "name": "某人", "key": "13900000000"})
    assert "未找到" in page.get_data(as_text=True)


def test_other_teams_activity_is_404_for_a_leader(app, client, login_as):
    team, other, *_ , activity = _setup()
    login_as("leader", teams=[other])
    assert client.get(f"/activities/{activity.id}/hours").status_code == 404
    assert client.post(f"/activities/{activity.id}/hours", data={}).status_code == 404


def test_office_approves_and_volunteer_sees_total(app, client, login_as):
    team, _, alice, _, _, activity = _setup()
    rec = f.make_record(activity, alice, minutes=150, status="pending")
    user = f.make_user("volunteer", volunteer=alice)
    db.session.commit()
    login_as("office")
    html = client.get("/hours/approvals").get_data(as_text=True)
    assert "张三" in html and "待审核 1 条" in html
    client.post("/hours/approvals", data={"record_id": str(rec.id), "scope": "selected"})
    db.session.refresh(rec)
    assert rec.status == "approved"
    client.post("/logout")
    login_as(user)
    html = client.get("/me").get_data(as_text=True)
    assert 'id="approved-hours">2.5<' in html


def test_volunteer_cannot_open_approvals_or_log_hours(app, client, login_as):
    *_, activity = _setup()
    alice = f.make_volunteer("赵六")
    login_as("volunteer", volunteer=alice)
    assert client.get("/hours/approvals").status_code == 403
    assert client.get(f"/activities/{activity.id}/hours").status_code == 403


def test_in_a_big_team_those_who_signed_up_come_first_with_a_filter_and_a_fill_button(app, client, login_as):
    from volunteer.activities.models import ActivitySignup

    team = f.make_team("大队")
    members = [f.make_volunteer(f"队员{i:02d}", teams=[team]) for i in range(30)]
    activity = f.make_activity(team, "文明交通劝导", start_time="07:00", end_time="10:00")
    for person in (members[25], members[3]):
        db.session.add(ActivitySignup(activity_id=activity.id, volunteer_id=person.id))
    f.make_record(activity, members[17], minutes=120, status="pending")
    db.session.commit()
    login_as("leader", teams=[team])
    html = client.get(f"/activities/{activity.id}/hours").get_data(as_text=True)
    order = [html.index(f'id="hours-{m.id}"') for m in members]
    # Recorded or signed up first (by name), then the rest of the team (by name).
    assert order[3] < order[17] < order[25] < order[0] < order[1] < order[29]
    assert "共 30 人，按姓名或证件号后四位查找" in html
    assert "为已报名的 2 人填入 3 小时" in html
