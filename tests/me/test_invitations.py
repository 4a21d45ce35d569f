"""/me: a volunteer's pending invitations and the one POST that answers them."""
from sqlalchemy import select

from tests import factories as f
from volunteer.extensions import db
from volunteer.teams.models import TeamInvitation, TeamMembership


def _invite(team, person, status="pending"):
    invitation = TeamInvitation(team_id=team.id, volunteer_id=person.id, status=status)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def test_me_lists_only_pending_invitations_to_oneself(client, login_as):
    person, other = f.make_volunteer("本人"), f.make_volunteer("他人")
    _invite(f.make_team("邀请甲队"), person)
    _invite(f.make_team("已拒乙队"), person, status="declined")
    _invite(f.make_team("别人丙队"), other)
    login_as(f.make_user("volunteer", volunteer=person))
    html = client.get("/me").text
    assert "邀请甲队" in html and "已拒乙队" not in html and "别人丙队" not in html


def test_a_login_without_a_volunteer_gets_404_and_odd_input_is_no_500(client, login_as):
    person = f.make_volunteer("本人")
    invitation = _invite(f.make_team("邀请甲队"), person)
    login_as("leader")
    assert client.post("/me/invitations", data={"invitation_id": invitation.id, "decision": "accept"}).status_code == 404
    client.post("/logout")
    login_as(f.make_user("volunteer", volunteer=person))
    for data in ({"invitation_id": "99999999999999999999", "decision": "accept"},
                 {"invitation_id": "abc", "decision": "accept"},
                 {"invitation_id": invitation.id, "decision": "maybe"}):
        assert client.post("/me/invitations", data=data).status_code == 302
    assert db.session.scalars(select(TeamMembership)).all() == []


def test_a_get_changes_nothing(client, login_as):
    person = f.make_volunteer("本人")
    invitation = _invite(f.make_team("邀请甲队"), person)
    login_as(f.make_user("volunteer", volunteer=person))
    assert client.get(f"/me/invitations?invitation_id={invitation.id}&decision=accept").status_code == 405
    db.session.expire_all()
    assert db.session.get(TeamInvitation, invitation.id).status == "pending"
