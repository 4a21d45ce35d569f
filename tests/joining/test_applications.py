"""Join applications: apply from /me, withdraw, the leader's 同意 / 拒绝 (a reason required),
the count on the start page, the state and reason on /me, all audited."""
from sqlalchemy import select

from tests import factories as f
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.joining.models import TeamApplication
from volunteer.teams.models import TeamInvitation, TeamMembership


def _volunteer_login(login_as, **kw):
    person = f.make_volunteer(**kw)
    user = f.make_user("volunteer", username=person.phone, volunteer=person)
    login_as(user)
    return person, user


def _actions():
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_volunteer_applies_and_sees_it_pending_then_withdraws(app, client, login_as):
    team = f.make_team("阳光居委志愿服务队")
    f.make_team("不收申请队", accepts_applications=False)
    person, _ = _volunteer_login(login_as)
    html = client.get("/me/apply").get_data(as_text=True)
    assert "阳光居委志愿服务队" in html and "不收申请队" not in html
    response = client.post("/me/apply", data={"team_ids": [team.id]})
    assert response.status_code == 302
    html = client.get("/me").get_data(as_text=True)
    assert "申请加入 <strong>阳光居委志愿服务队</strong>" in html and "待处理" in html
    application = db.session.scalar(select(TeamApplication))
    client.post("/me/applications/withdraw", data={"application_id": application.id})
    db.session.expire_all()
    assert application.status == "withdrawn"
    assert "已撤回" in client.get("/me").get_data(as_text=True)
    assert _actions()[-2:] == ["team.application", "team.application_withdraw"]


def test_apply_refuses_closed_team_and_says_so(app, client, login_as):
    closed = f.make_team("不收申请队", accepts_applications=False)
    _volunteer_login(login_as)
    html = client.post("/me/apply", data={"team_ids": [closed.id]}).get_data(as_text=True)
    assert "所选队伍不存在或暂不接受入队申请" in html
    html = client.post("/me/apply", data={}).get_data(as_text=True)
    assert "请至少选择一支队伍" in html
    assert db.session.scalar(select(TeamApplication)) is None


def test_leader_accepts_from_team_page_and_member_is_added(app, client, login_as):
    team = f.make_team("阳光队")
    person, user = _volunteer_login(login_as, name="张申请")
    client.post("/me/apply", data={"team_ids": [team.id]})
    client.post("/logout")
    leader = login_as("leader", teams=[team])
    assert "待处理的入队申请（1）" in client.get("/").get_data(as_text=True)
    html = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "张申请" in html and "同意" in html
    application = db.session.scalar(select(TeamApplication))
    response = client.post(f"/teams/{team.id}/applications",
                           data={"application_id": application.id, "decision": "accept", "back": "team"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/teams/{team.id}")
    assert db.session.get(TeamMembership, (team.id, person.id)) is not None
    assert "待处理的入队申请" not in client.get("/").get_data(as_text=True)
    assert {"team.application_accept", "team.add_member"} <= set(_actions())
    client.post("/logout")
    login_as(user)
    html = client.get("/me").get_data(as_text=True)
    assert "已同意" in html and '<span>阳光队</span>' in html


def test_decline_needs_a_reason_keeps_it_and_the_applicant_reads_it(app, client, login_as):
    team = f.make_team("阳光队")
    person, user = _volunteer_login(login_as)
    client.post("/me/apply", data={"team_ids": [team.id]})
    client.post("/logout")
    login_as("leader", teams=[team])
    application = db.session.scalar(select(TeamApplication))
    prefix = f"app{application.id}-"
    html = client.post(f"/teams/{team.id}/applications",
                       data={"application_id": application.id, "decision": "decline", prefix + "reason": "  "}) \
        .get_data(as_text=True)
    assert "请填写拒绝的理由" in html
    long = "太" * 201
    html = client.post(f"/teams/{team.id}/applications",
                       data={"application_id": application.id, "decision": "decline", prefix + "reason": long}) \
        .get_data(as_text=True)
    assert "理由不能超过 200 个字" in html and long in html
    client.post(f"/teams/{team.id}/applications",
                data={"application_id": application.id, "decision": "decline", prefix + "reason": "本队只招本小区居民"})
    db.session.expire_all()
    assert application.status == "declined" and db.session.get(TeamMembership, (team.id, person.id)) is None
    client.post("/logout")
    login_as(user)
    html = client.get("/me").get_data(as_text=True)
    assert "已拒绝" in html and "本队只招本小区居民" in html


def test_other_teams_leader_cannot_decide(app, client, login_as):
    team, other = f.make_team(), f.make_team()
    person = f.make_volunteer()
    application = TeamApplication(team_id=team.id, volunteer_id=person.id)
    db.session.add(application)
    db.session.commit()
    login_as("leader", teams=[other])
    assert client.get(f"/teams/{team.id}/applications").status_code == 404
    response = client.post(f"/teams/{other.id}/applications", data={"application_id": application.id,
                                                                   "decision": "accept"})
    assert response.status_code == 302
    db.session.expire_all()
    assert application.status == "pending"


def test_applying_to_a_team_that_invited_you_joins_it(app, client, login_as):
    team = f.make_team("邀请队")
    person, user = _volunteer_login(login_as)
    db.session.add(TeamInvitation(team_id=team.id, volunteer_id=person.id, status="pending"))
    db.session.commit()
    client.post("/me/apply", data={"team_ids": [team.id]})
    assert db.session.get(TeamMembership, (team.id, person.id)) is not None
    assert db.session.scalar(select(TeamInvitation.status)) == "accepted"
    assert db.session.scalar(select(TeamApplication)) is None


def test_a_second_pending_application_to_the_same_team_is_refused(app, client, login_as):
    team = f.make_team("阳光队")
    _volunteer_login(login_as)
    client.post("/me/apply", data={"team_ids": [team.id]})
    html = client.post("/me/apply", data={"team_ids": [team.id]}).get_data(as_text=True)
    assert "所选队伍不存在或暂不接受入队申请" in html or "已申请加入" in html
    assert len(db.session.scalars(select(TeamApplication)).all()) == 1


def test_office_closes_a_team_to_applications(app, client, login_as):
    team = f.make_team("阳光队")
    login_as("office")
    client.post(f"/teams/{team.id}/edit", data={"name": team.name, "kind": team.kind, "is_active": "y"})
    db.session.expire_all()
    assert team.accepts_applications is False


def test_leader_adding_an_applicant_accepts_the_application(app, client, login_as):
    team, elsewhere = f.make_team("阳光队"), f.make_team("别处队")
    person = f.make_volunteer(name="钱申请", teams=[elsewhere])
    db.session.add(TeamApplication(team_id=team.id, volunteer_id=person.id))
    db.session.commit()
    login_as("leader", teams=[team])
    client.post(f"/teams/{team.id}/members", data={"name": "钱申请", "key": person.phone})
    assert db.session.get(TeamMembership, (team.id, person.id)) is not None
    assert db.session.scalar(select(TeamApplication.status)) == "accepted"
    assert db.session.scalar(select(TeamInvitation)) is None


def test_nobody_withdraws_or_decides_another_persons_application(app, client, login_as):
    team = f.make_team("阳光队")
    other = f.make_volunteer()
    application = TeamApplication(team_id=team.id, volunteer_id=other.id)
    db.session.add(application)
    db.session.commit()
    _volunteer_login(login_as)
    html = client.post("/me/applications/withdraw", data={"application_id": application.id},
                       follow_redirects=True).get_data(as_text=True)
    assert "该申请不存在或已处理" in html
    assert client.post(f"/teams/{team.id}/applications", data={"application_id": application.id,
                                                               "decision": "accept"}).status_code == 403
    for bad in ("99999999999999999999", "-1", "x"):
        assert client.post("/me/applications/withdraw", data={"application_id": bad}).status_code == 302
    db.session.expire_all()
    assert application.status == "pending"
