"""A leader brings a person registered elsewhere into their team only with consent: an
invitation the person accepts on /me. A leader's new-person form, when the ID number is
registered already, says only that (paid for, audited) and offers an invitation."""
import pytest
from sqlalchemy import select

from tests import factories as f
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.teams.models import TeamInvitation, TeamMembership
from volunteer.throttle import budget_left


def _entries(action):
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def _member_ids(team):
    return set(db.session.scalars(select(TeamMembership.volunteer_id).where(TeamMembership.team_id == team.id)))


def _invitations():
    db.session.expire_all()
    return list(db.session.scalars(select(TeamInvitation).order_by(TeamInvitation.id)))



@pytest.fixture(autouse=True)
def _default_budget(app, monkeypatch):
    """Every test here starts from the default budget, whatever an earlier test left set."""
    monkeypatch.setitem(app.config, "LOOKUP_BUDGET", 30)


@pytest.fixture
def world():
    team, elsewhere = f.make_team("邀请队"), f.make_team("原来的队")
    person = f.make_volunteer("钱多多", teams=[elsewhere], phone="13755556666")
    db.session.commit()
    return team, elsewhere, person


def test_a_leader_cannot_pull_anyone_in_by_mobile_or_last_4(client, login_as, world):
    team, _elsewhere, person = world
    login_as("leader", teams=[team])
    client.post(f"/teams/{team.id}/members", data={"lookup": person.phone})
    client.post(f"/teams/{team.id}/members", data={"lookup": person.id_last4, "name": "钱多多"})
    client.post(f"/teams/{team.id}/members", data={"key": person.phone})
    assert _member_ids(team) == set() and _invitations() == []
    assert client.get(f"/volunteers/{person.id}").status_code == 404


def test_a_leader_invites_and_the_person_accepts_on_me(client, login_as, world, today):
    team, _elsewhere, person = world
    leader = login_as("leader", teams=[team])
    response = client.post(f"/teams/{team.id}/members", data={"name": "钱多多", "key": person.phone},
                           follow_redirects=True)
    assert "已向 钱多多 发出入队邀请" in response.text
    assert _member_ids(team) == set()  # no membership, no profile, before consent
    assert client.get(f"/volunteers/{person.id}").status_code == 404
    assert budget_left(leader) == 29
    [invitation] = _invitations()
    assert (invitation.status, invitation.invited_by_id) == ("pending", leader.id)
    assert _entries("team.invite")[0].changes["after"]["volunteer_id"] == person.id
    page = client.get(f"/teams/{team.id}").text
    assert "待回复的邀请" in page and "钱多多" in page and person.phone not in page

    client.post("/logout")
    login_as(f.make_user("volunteer", username=person.phone, volunteer=person))
    page = client.get("/me").text
    assert "邀请队" in page and "接受" in page and "拒绝" in page
    response = client.post("/me/invitations", data={"invitation_id": invitation.id, "decision": "accept"},
                           follow_redirects=True)
    assert "已加入“邀请队”" in response.text
    assert _member_ids(team) == {person.id}
    assert _invitations()[0].status == "accepted" and _invitations()[0].decided_at is not None
    assert _entries("team.invitation_accept") and _entries("team.add_member")
    assert "待回复" not in client.get("/me").text

    client.post("/logout")
    login_as(leader)
    assert client.get(f"/volunteers/{person.id}").status_code == 200


def test_the_person_declines(client, login_as, world):
    team, _elsewhere, person = world
    leader = login_as("leader", teams=[team])
    client.post(f"/teams/{team.id}/members", data={"name": "钱多多", "key": person.id_number})
    [invitation] = _invitations()
    client.post("/logout")
    login_as(f.make_user("volunteer", username=person.phone, volunteer=person))
    client.post("/me/invitations", data={"invitation_id": invitation.id, "decision": "decline"})
    assert _member_ids(team) == set() and _invitations()[0].status == "declined"
    assert _entries("team.invitation_decline")
    # Declined is final: accepting afterwards changes nothing.
    client.post("/me/invitations", data={"invitation_id": invitation.id, "decision": "accept"})
    assert _member_ids(team) == set()
    client.post("/logout")
    login_as(leader)
    assert "待回复的邀请" not in client.get(f"/teams/{team.id}").text


def test_nobody_else_answers_an_invitation(client, login_as, world):
    team, elsewhere, person = world
    login_as("leader", teams=[team])
    client.post(f"/teams/{team.id}/members", data={"name": "钱多多", "key": person.phone})
    [invitation] = _invitations()
    client.post("/logout")
    other = f.make_volunteer("旁人", teams=[elsewhere])
    login_as(f.make_user("volunteer", volunteer=other))
    assert "邀请队" not in client.get("/me").text
    client.post("/me/invitations", data={"invitation_id": invitation.id, "decision": "accept"})
    assert _member_ids(team) == set() and _invitations()[0].status == "pending"


def test_the_leader_withdraws_and_cannot_invite_twice(client, login_as, world):
    team, _elsewhere, person = world
    login_as("leader", teams=[team])
    client.post(f"/teams/{team.id}/members", data={"name": "钱多多", "key": person.phone})
    response = client.post(f"/teams/{team.id}/members", data={"name": "钱多多", "key": person.phone})
    assert "正等待对方回复" in response.text and len(_invitations()) == 1
    other_team = f.make_team("别人的队")
    db.session.commit()
    invitation = _invitations()[0]
    client.post(f"/teams/{other_team.id}/invitations/withdraw", data={"invitation_id": invitation.id})
    assert _invitations()[0].status == "pending"  # not this leader's team: 404
    client.post(f"/teams/{team.id}/invitations/withdraw", data={"invitation_id": invitation.id})
    assert _invitations()[0].status == "withdrawn" and _entries("team.invitation_withdraw")


def test_a_member_of_another_team_the_leader_leads_is_added_directly(client, login_as, world):
    team, elsewhere, person = world
    login_as("leader", teams=[team, elsewhere])
    response = client.post(f"/teams/{team.id}/members", data={"name": "钱多多", "key": person.phone})
    assert response.status_code == 302 and _member_ids(team) == {person.id} and _invitations() == []


def test_invitation_buttons_need_csrf(app, client, login_as, world):
    team, _elsewhere, person = world
    login_as("leader", teams=[team])
    client.post(f"/teams/{team.id}/members", data={"name": "钱多多", "key": person.phone})
    [invitation] = _invitations()
    client.post("/logout")
    login_as(f.make_user("volunteer", username=person.phone, volunteer=person))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/me/invitations", data={"invitation_id": invitation.id, "decision": "accept"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400 and _member_ids(team) == set()


# --- the leader's new-person form ----------------------------------------------------------------

def _new_person(person, team, **kw):
    data = {"name": "新名字", "id_type": "居民身份证", "id_number": person.id_number, "phone": "13912340000",
            "teams": [str(team.id)]}
    data.update(kw)
    return data


def test_new_person_form_with_a_registered_id_reveals_nothing_and_offers_an_invitation(client, login_as, world):
    team, _elsewhere, person = world
    leader = login_as("leader", teams=[team])
    html = client.post("/volunteers/new", data=_new_person(person, team, name="钱多多")).text
    assert "该证件号码已登记" in html and "邀请加入“邀请队”" in html
    assert person.phone not in html and "原来的队" not in html
    assert budget_left(leader) == 29
    entry = _entries("volunteer.lookup")[-1]
    assert entry.changes["purpose"] == "register" and entry.changes["hit"] is True
    assert person.id_number not in str(entry.changes)
    # The offered button invites (name and number must both match).
    client.post(f"/teams/{team.id}/members", data={"name": "钱多多", "key": person.id_number})
    assert [(i.volunteer_id, i.status) for i in _invitations()] == [(person.id, "pending")]
    assert _member_ids(team) == set()


def test_new_person_form_spends_the_budget_then_answers_nothing(app, client, login_as, world):
    team, _elsewhere, person = world
    app.config["LOOKUP_BUDGET"] = 1
    try:
        login_as("leader", teams=[team])
        client.post("/volunteers/new", data=_new_person(person, team))
        html = client.post("/volunteers/new", data=_new_person(person, team)).text
    finally:
        app.config["LOOKUP_BUDGET"] = 30
    assert "操作过于频繁，请稍后再试" in html and "已登记" not in html


def test_a_brand_new_person_is_registered_directly(client, login_as, world):
    team, _elsewhere, _person = world
    login_as("leader", teams=[team])
    number = f.make_id_number(serial=777)
    response = client.post("/volunteers/new", data=_new_person(_person, team, id_number=number, name="新人"))
    assert response.status_code == 302
    assert len(_member_ids(team)) == 1
