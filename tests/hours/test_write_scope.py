"""Write routes check the writer's scope over the record's team, never "may view"; a "next"
target after a write is only ever a path on this site."""
import pytest

from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord

from tests import factories as f


@pytest.fixture
def linked_leader_and_foreign_record(app):
    """A leader of team B whose login is linked to a volunteer with a pending record in team A."""
    team_a, team_b = f.make_team("甲队"), f.make_team("乙队")
    person = f.make_volunteer("兼任队长", teams=[team_a, team_b])
    rec = f.make_record(f.make_activity(team_a), person, status="pending")
    leader = f.make_user("leader", username="leader_b", teams=[team_b], volunteer=person)
    db.session.commit()
    return leader, rec


def test_leader_linked_to_a_volunteer_cannot_void_their_record_in_another_team(
        client, login_as, linked_leader_and_foreign_record):
    leader, rec = linked_leader_and_foreign_record
    login_as(leader)
    assert rec.can_view(leader)  # they may see it, as their own hours
    response = client.post(f"/hours/records/{rec.id}/void", data={"reason": "不想要了"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ServiceRecord, rec.id).status == "pending"


def test_leader_of_the_records_team_may_void_it(client, login_as):
    team = f.make_team()
    rec = f.make_record(f.make_activity(team), f.make_volunteer(teams=[team]), status="pending")
    db.session.commit()
    login_as("leader", teams=[team])
    assert client.post(f"/hours/records/{rec.id}/void", data={"reason": "录错了"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceRecord, rec.id).status == "void"


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example",
                                    "http://evil.example/hours", "\\\\evil.example", "/\t/evil.example"])
def test_void_never_redirects_off_site(client, login_as, target):
    team = f.make_team()
    rec = f.make_record(f.make_activity(team), f.make_volunteer(teams=[team]), status="pending")
    db.session.commit()
    login_as("office")
    response = client.post(f"/hours/records/{rec.id}/void", data={"reason": "录错了", "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil.example" not in location
    assert location.endswith(f"/activities/{rec.activity_id}")


def test_void_goes_back_to_a_local_next(client, login_as):
    team = f.make_team()
    rec = f.make_record(f.make_activity(team), f.make_volunteer(teams=[team]), status="pending")
    db.session.commit()
    login_as("office")
    response = client.post(f"/hours/records/{rec.id}/void", data={"reason": "录错了", "next": "/hours/approvals?month=2026-03"})
    assert response.headers["Location"].endswith("/hours/approvals?month=2026-03")
