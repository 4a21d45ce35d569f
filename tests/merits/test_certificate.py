"""Certificates carry training, commendations and evaluations only when chosen; the verify page
reveals no more than before."""
from datetime import date

from sqlalchemy import select

from tests import factories as f
from volunteer.certificates.models import Certificate
from volunteer.extensions import db
from volunteer.merits import services

TODAY = date(2026, 6, 1)


def _person_with_merits():
    team = f.make_team()
    person = f.make_volunteer("张三", teams=[team])
    office = f.make_user("office")
    record = f.make_record(f.make_activity(team, "敬老院探访", service_date=date(2026, 2, 10)), person)
    inside = services.create_training(office, {"title": "急救培训", "held_on": "2026-03-01", "hours": "3"},
                                      team_id=None, today=TODAY)
    outside = services.create_training(office, {"title": "去年的培训", "held_on": "2025-03-01", "hours": "1"},
                                       team_id=None, today=TODAY)
    services.add_attendees(office, inside, [person.id])
    services.add_attendees(office, outside, [person.id])
    services.add_commendation(office, person, {"title": "优秀志愿者", "level": "区级", "awarded_on": "2026-04-01",
                                               "awarded_by": "长宁区文明办"}, today=TODAY)
    services.evaluate_record(office, record, {"punctuality": 5, "attitude": 4, "skill": 3, "comment": "热心"})
    db.session.commit()
    return person


def _issue(client, person, **extra):
    r = client.post(f"/certificates/issue?volunteer_id={person.id}",
                    data={"period_from": "2026-01-01", "period_to": "2026-05-31", **extra})
    assert r.status_code == 302, r.get_data(as_text=True)[:1000]
    return db.session.scalars(select(Certificate).order_by(Certificate.id.desc())).first()


def test_sections_only_when_chosen_and_only_of_the_period(client, login_as):
    person = _person_with_merits()
    login_as("office")
    plain = _issue(client, person)
    assert not {"training", "commendations", "evaluations"} & set(plain.snapshot)
    html = client.get(f"/certificates/{plain.id}").get_data(as_text=True)
    assert "急救培训" not in html and "优秀志愿者" not in html

    full = _issue(client, person, with_training="y", with_commendations="y", with_evaluations="y")
    s = full.snapshot
    assert [t["title"] for t in s["training"]] == ["急救培训"] and s["training"][0]["hours"] == 3.0
    assert s["commendations"] == [{"date": "2026-04-01", "title": "优秀志愿者", "level": "区级",
                                   "awarded_by": "长宁区文明办"}]
    assert (s["evaluations"][0]["punctuality"], s["evaluations"][0]["comment"]) == (5, "热心")
    html = client.get(f"/certificates/{full.id}").get_data(as_text=True)
    assert 'id="cert-training"' in html and "急救培训" in html and "去年的培训" not in html
    assert "长宁区文明办" in html and "热心" in html
    # The public page shows what it showed before: no training, commendation or evaluation.
    public = client.get(f"/certificates/verify/{full.code}").get_data(as_text=True)
    assert "急救培训" not in public and "优秀志愿者" not in public and "热心" not in public


def test_a_later_void_does_not_change_an_issued_certificate(client, login_as):
    person = _person_with_merits()
    office = login_as("office")
    cert = _issue(client, person, with_commendations="y")
    item = services.queries.commendations_of(person.id)[0]
    services.void_commendation(office, item, "误登")
    db.session.commit()
    html = client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    assert "优秀志愿者" in html


def test_the_issue_form_offers_the_sections(client, login_as):
    person = _person_with_merits()
    login_as("office")
    html = client.get(f"/certificates/issue?volunteer_id={person.id}").get_data(as_text=True)
    assert "附培训记录" in html and "附表彰奖励" in html and "附服务评价" in html
