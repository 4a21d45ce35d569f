"""Leaving a team, closing one's account, and the one-time password a leader or the office gives."""
from sqlalchemy import select

from tests import factories as f
from tests.conftest import PASSWORD
from volunteer.audit.models import AuditLog
from volunteer.auth.models import LoginSession, User
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord
from volunteer.joining.models import TeamApplication
from volunteer.teams.models import TeamMembership
from volunteer.volunteers.models import Volunteer


def _person_with_login(teams=()):
    person = f.make_volunteer(teams=teams)
    user = f.make_user("volunteer", username=person.phone, volunteer=person)
    db.session.commit()
    return person, user


def _actions():
    return set(db.session.scalars(select(AuditLog.action)))


def test_leaving_a_team_keeps_the_records(app, client, login_as):
    team = f.make_team("阳光队")
    person, user = _person_with_login([team])
    record = f.make_record(volunteer=person, activity=f.make_activity(team), status="approved")
    login_as(user)
    assert "退出队伍" in client.get("/me").get_data(as_text=True)
    response = client.post("/me/teams/leave", data={"team_id": team.id})
    assert response.status_code == 302
    assert db.session.get(TeamMembership, (team.id, person.id)) is None
    assert db.session.get(ServiceRecord, record.id).team_id == team.id
    assert "team.leave" in _actions()
    html = client.get("/me").get_data(as_text=True)
    assert "还没有加入队伍" in html and "阳光队" in html  # the record still names its team
    client.post("/me/teams/leave", data={"team_id": team.id})
    assert "您不是该队伍的队员" in client.get("/me").get_data(as_text=True)


def test_closing_the_account_disables_the_login_and_keeps_records(app, client, login_as):
    team = f.make_team()
    person, user = _person_with_login([team])
    f.make_record(volunteer=person, activity=f.make_activity(team), status="approved")
    other = f.make_team("另一队")
    db.session.add(TeamApplication(team_id=other.id, volunteer_id=person.id))
    db.session.commit()
    login_as(user)
    html = client.post("/me/close", data={"password": "wrong-pass-1", "confirm": "y"}).get_data(as_text=True)
    assert "密码不正确" in html
    html = client.post("/me/close", data={"password": PASSWORD}).get_data(as_text=True)
    assert "请勾选确认后再注销" in html
    response = client.post("/me/close", data={"password": PASSWORD, "confirm": "y", "erase_request": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    db.session.expire_all()
    assert db.session.get(User, user.id).is_enabled is False
    assert db.session.get(Volunteer, person.id).status == "cancelled"
    assert db.session.scalar(select(TeamApplication.status)) == "withdrawn"
    assert db.session.scalar(select(ServiceRecord.id)) is not None
    assert client.get("/me").status_code == 302  # the session ended
    html = client.post("/login", data={"username": user.username, "password": PASSWORD}).get_data(as_text=True)
    assert "该账号已停用" in html
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.close"))
    assert entry.changes["erase_requested"] is True
    request = db.session.scalar(select(AuditLog).where(AuditLog.action == "volunteer.erase_request"))
    assert request.object_type == "volunteer" and request.object_id == str(person.id)


def test_leader_sets_a_one_time_password_shown_once_and_it_must_be_changed(app, client, login_as):
    team = f.make_team()
    person, user = _person_with_login([team])
    volunteer_client = app.test_client()
    volunteer_client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert volunteer_client.get("/me").status_code == 200
    login_as("leader", teams=[team])
    html = client.post(f"/volunteers/{person.id}/one-time-password").get_data(as_text=True)
    import re
    password = re.search(r'id="one-time-password">([^<]+)<', html).group(1)
    assert len(password) == 10 and "只显示这一次" in html
    assert "user.one_time_password" in _actions()
    assert volunteer_client.get("/me").status_code == 302  # old sessions ended
    assert db.session.scalar(select(LoginSession.id).where(LoginSession.user_id == user.id,
                                                           LoginSession.ended_at.is_(None))) is None
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"username": user.username, "password": password}).status_code == 302
    response = fresh.get("/me")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    html = fresh.post("/account/password", data={"current_password": password, "password": password,
                                                 "confirm": password}).get_data(as_text=True)
    assert "新密码不能与一次性密码相同" in html
    fresh.post("/account/password", data={"current_password": password, "password": "my-own-2026",
                                          "confirm": "my-own-2026"})
    assert fresh.get("/me").status_code == 200


def test_one_time_password_scope(app, client, login_as):
    team, other = f.make_team(), f.make_team()
    person, user = _person_with_login([team])
    leader_login = f.make_user("leader", teams=[other], volunteer=f.make_volunteer(teams=[team]))
    db.session.commit()
    login_as("leader", teams=[other])
    assert client.post(f"/volunteers/{person.id}/one-time-password").status_code == 404
    client.post("/logout")
    login_as("leader", teams=[team])
    # a leader resets only volunteers' logins, not another leader's
    response = client.post(f"/volunteers/{leader_login.volunteer_id}/one-time-password")
    assert response.status_code == 302
    assert db.session.get(User, leader_login.id).must_change_password is False
    nobody = f.make_volunteer(teams=[team])
    db.session.commit()
    response = client.post(f"/volunteers/{nobody.id}/one-time-password", follow_redirects=True)
    assert "还没有账号" in response.get_data(as_text=True)


def test_office_erases_a_closed_persons_other_data_on_request(app, client, login_as):
    person = f.make_volunteer(employer="街道医院", guardian_name="某某")
    db.session.commit()
    login_as("office")
    response = client.post(f"/volunteers/{person.id}/erase", follow_redirects=True)
    assert "只能清除已注销志愿者的个人信息" in response.get_data(as_text=True)
    person.status = "cancelled"
    db.session.commit()
    assert "清除个人信息" in client.get(f"/volunteers/{person.id}").get_data(as_text=True)
    client.post(f"/volunteers/{person.id}/erase")
    db.session.expire_all()
    person = db.session.get(Volunteer, person.id)
    assert (person.employer, person.guardian_name, person.phone) == (None, None, "")
    assert person.id_number and person.name
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "volunteer.erase"))
    assert "employer" in entry.changes["fields"] and "街道医院" not in str(entry.changes)


def test_a_leaders_linked_login_is_not_closed_from_me(app, client, login_as):
    team = f.make_team()
    leader = login_as("leader", teams=[team], volunteer=f.make_volunteer(teams=[team]))
    html = client.post("/me/close", data={"password": PASSWORD, "confirm": "y"}).get_data(as_text=True)
    assert "请由分中心办公室停用" in html
    db.session.expire_all()
    assert db.session.get(User, leader.id).is_enabled is True
