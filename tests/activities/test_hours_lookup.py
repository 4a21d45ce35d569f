"""The hours screen never lists people the leader has not found by the rule: name together
with mobile or full ID number, in a POST, audited, paid for from the look-up budget."""
import json
import re

import pytest
from sqlalchemy import select

from tests import factories as f
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord
from volunteer.throttle import budget_left



@pytest.fixture(autouse=True)
def _default_budget(app, monkeypatch):
    """Every test here starts from the default budget, whatever an earlier test left set."""
    monkeypatch.setitem(app.config, "LOOKUP_BUDGET", 30)


@pytest.fixture
def world():
    team, elsewhere = f.make_team("本队"), f.make_team("别队")
    member = f.make_volunteer("队员甲", teams=[team])
    outsider = f.make_volunteer("外人乙", teams=[elsewhere], phone="13712345678")
    activity = f.make_activity(team, "清洁家园", start_time="09:00", end_time="11:00")
    db.session.commit()
    return team, member, outsider, activity


def _url(activity):
    return f"/activities/{activity.id}/hours"


def _find(client, activity, name, key, found=""):
    return client.post(_url(activity), data={"action": "find", "name": name, "key": key, "found": found})


def _token(html):
    match = re.search(r'name="found" type="hidden" value="([^"]*)"|name="found" value="([^"]*)"', html)
    return (match.group(1) or match.group(2)) if match else ""


def _lookups():
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == "volunteer.lookup")
                                   .order_by(AuditLog.id)))


def _records():
    return list(db.session.scalars(select(ServiceRecord)))


def test_query_string_ids_list_nobody(client, login_as, world):
    team, _member, outsider, activity = world
    login_as("leader", teams=[team])
    many = "&".join(f"add={i}" for i in range(1, 500))
    html = client.get(f"{_url(activity)}?add={outsider.id}&{many}").text
    assert "外人乙" not in html
    html = client.post(f"{_url(activity)}?add={outsider.id}",
                       data={"add": str(outsider.id), f"hours-{outsider.id}": "1"}).text
    assert "外人乙" not in html and _records() == []


def test_a_bare_mobile_or_id_number_finds_nobody(client, login_as, world):
    team, _member, outsider, activity = world
    login_as("leader", teams=[team])
    assert "外人乙" not in client.get(f"{_url(activity)}?lookup={outsider.phone}").text
    html = _find(client, activity, "", outsider.phone).text
    assert "外人乙" not in html and "请填写姓名" in html
    html = _find(client, activity, "", outsider.id_number).text
    assert "外人乙" not in html
    html = _find(client, activity, "外人乙", outsider.id_last4).text  # last 4 is not a key
    assert f"hours-{outsider.id}" not in html


def test_name_and_mobile_add_the_person_and_the_hours_save(client, login_as, world):
    team, _member, outsider, activity = world
    leader = login_as("leader", teams=[team])
    before = budget_left(leader)
    html = _find(client, activity, "外 人乙", "137-1234-5678").text
    assert f'id="hours-{outsider.id}"' in html and "非本队" in html
    assert budget_left(leader) == before - 1  # a hit outside the asker's teams costs one unit
    entry = _lookups()[-1]
    assert entry.actor_id == leader.id and entry.changes["hit"] is True and entry.changes["key_kind"] == "mobile"
    response = client.post(_url(activity), data={"found": _token(html), f"hours-{outsider.id}": "1.5"})
    assert response.status_code == 302
    assert [(r.volunteer_id, r.minutes) for r in _records()] == [(outsider.id, 90)]


def test_name_and_full_id_number_find_and_the_number_is_not_logged(client, login_as, world):
    team, _member, outsider, activity = world
    login_as("leader", teams=[team])
    html = _find(client, activity, "外人乙", outsider.id_number.lower()).text
    assert f'id="hours-{outsider.id}"' in html
    entry = _lookups()[-1]
    assert entry.changes["key_kind"] == "id_number"
    assert outsider.id_number not in json.dumps(entry.changes, ensure_ascii=False) + (entry.summary or "")


def test_a_wrong_name_is_a_miss_and_reveals_nothing(client, login_as, world):
    team, _member, outsider, activity = world
    leader = login_as("leader", teams=[team])
    html = _find(client, activity, "别人", outsider.phone).text
    assert "外人乙" not in html and "未找到" in html
    assert _lookups()[-1].changes["hit"] is False
    assert budget_left(leader) == 29


def test_own_team_member_costs_nothing(client, login_as, world):
    team, member, _outsider, activity = world
    leader = login_as("leader", teams=[team])
    _find(client, activity, member.name, member.phone)
    assert budget_left(leader) == 30


def test_spent_budget_answers_nothing(app, client, login_as, world):
    team, _member, outsider, activity = world
    app.config["LOOKUP_BUDGET"] = 3
    try:
        login_as("leader", teams=[team])
        for phone in ("13900000091", "13900000092", "13900000093"):
            assert "未找到" in _find(client, activity, "某人", phone).text
        html = _find(client, activity, "外人乙", outsider.phone).text
    finally:
        app.config["LOOKUP_BUDGET"] = 30
    assert "操作过于频繁，请稍后再试" in html
    assert f'id="hours-{outsider.id}"' not in html and "未找到" not in html


def test_the_office_is_not_budgeted(app, client, login_as, world):
    _team, _member, outsider, activity = world
    app.config["LOOKUP_BUDGET"] = 1
    try:
        login_as("office")
        for phone in ("13900000091", "13900000092"):
            _find(client, activity, "某人", phone)
        html = _find(client, activity, "外人乙", outsider.phone).text
    finally:
        app.config["LOOKUP_BUDGET"] = 30
    assert f'id="hours-{outsider.id}"' in html


def test_a_forged_or_borrowed_token_shows_nobody(client, login_as, world):
    team, _member, outsider, activity = world
    other_activity = f.make_activity(team, "另一活动")
    db.session.commit()
    login_as("leader", teams=[team])
    html = client.post(_url(activity), data={"found": "WzEsMiwzXQ.forged", f"hours-{outsider.id}": "1"}).text
    assert "外人乙" not in html and _records() == []
    token = _token(_find(client, other_activity, "外人乙", outsider.phone).text)
    assert token
    html = client.post(_url(activity), data={"found": token, f"hours-{outsider.id}": "1"}).text
    assert "外人乙" not in html and _records() == []


def test_another_leaders_token_shows_nobody(client, login_as, world):
    team, _member, outsider, activity = world
    first = f.make_user("leader", teams=[team])
    login_as(first)
    token = _token(_find(client, activity, "外人乙", outsider.phone).text)
    client.post("/logout")
    login_as("leader", teams=[team])
    html = client.post(_url(activity), data={"found": token, f"hours-{outsider.id}": "1"}).text
    assert "外人乙" not in html and _records() == []


def test_finding_keeps_earlier_found_people(client, login_as, world):
    team, _member, outsider, activity = world
    elsewhere = f.make_team("第三队")
    third = f.make_volunteer("丙某", teams=[elsewhere])
    db.session.commit()
    login_as("leader", teams=[team])
    token = _token(_find(client, activity, "外人乙", outsider.phone).text)
    html = _find(client, activity, "丙某", third.phone, found=token).text
    assert f'id="hours-{outsider.id}"' in html and f'id="hours-{third.id}"' in html


def test_find_needs_csrf(app, client, login_as, world):
    team, _member, outsider, activity = world
    login_as("leader", teams=[team])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = _find(client, activity, "外人乙", outsider.phone)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400 and "外人乙" not in response.text
