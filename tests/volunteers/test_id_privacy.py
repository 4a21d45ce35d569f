"""ID numbers outside the office (CONTRACT.md section 3, "Privacy and abuse").

The red team's finds: the office's mask `310109********6385` beside the birth date 1967-08-18
is the full number (leader's volunteer page, edit form and roster export); the office's edit
form pre-filled the full number without an audit entry; a GET link exported and audited a
full-ID roster. Each test below is one of those attacks, seen as the attacker would see it.
"""
import io
import re
from datetime import date

import openpyxl
import pytest

from tests import factories as f
from tests.volunteers.helpers import audit_entries, bad_check_digit
from volunteer.extensions import db
from volunteer.clock import today_local
from volunteer.throttle import THROTTLED
from volunteer.volunteers.models import Volunteer
from volunteer.privacy import age, id_for, mask_id, mask_tail

BIRTH = date(1967, 8, 18)


@pytest.fixture
def person(app):
    team = f.make_team("隐私一队")
    other = f.make_team("隐私二队")
    number = f.make_id_number(BIRTH, serial=638)
    v = f.make_volunteer("钱六", teams=[team], id_number=number, birth=BIRTH)
    act = f.make_activity(team, "隐私活动")
    f.make_record(act, v, 90)
    db.session.commit()
    return {"team": team, "other": other, "v": v, "number": number, "act": act}


def _traces(number: str) -> list[str]:
    """Every form in which the birth date (or the office's mask) could show."""
    return [number, mask_id(number), BIRTH.isoformat(), f"{BIRTH:%Y%m%d}", "1967年", "1967-", "1967/"]


def _sheet(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    rows = [list(r) for r in openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True)]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_masks_and_age():
    assert mask_tail("31010919670818638X") == "**************638X"
    assert mask_id("31010919670818638X") == "310109********638X"
    assert mask_tail("E12345678") == "*****5678"
    assert id_for(None, "31010919670818638X") == "310109********638X"
    assert age(date(2000, 3, 1), date(2026, 2, 28)) == 25 and age(date(2000, 3, 1), date(2026, 3, 1)) == 26


def test_leader_pages_show_last4_and_age_never_birth_date(person, client, login_as):
    """Attack: the masked ID and the birth date beside it on a leader's pages."""
    number, v = person["number"], person["v"]
    login_as("leader", teams=[person["team"]])
    years = age(BIRTH, today_local())
    for url in ["/volunteers/", f"/volunteers/?q={number[-4:]}", f"/volunteers/{v.id}", f"/volunteers/{v.id}/edit",
                f"/teams/{person['team'].id}", f"/activities/{person['act'].id}/hours"]:
        body = client.get(url).get_data(as_text=True)
        for trace in _traces(number):
            assert trace not in body, (url, trace)
    assert mask_tail(number) in client.get("/volunteers/").get_data(as_text=True)
    detail = client.get(f"/volunteers/{v.id}").get_data(as_text=True)
    assert mask_tail(number) in detail and f"{years} 岁" in detail


def test_leader_exports_show_last4_and_no_birth_date(person, client, login_as):
    """Attack: the leader's roster export carried the office's mask and the birth date."""
    number = person["number"]
    login_as("leader", teams=[person["team"]])
    roster = _sheet(client.get("/exports/volunteers"))
    assert "出生日期" in roster[0]  # the column stays, empty
    assert [(r["证件号码"], r["出生日期"]) for r in roster] == [(mask_tail(number), None)]
    hours = _sheet(client.get("/exports/hours"))
    assert [r["证件号码"] for r in hours] == [mask_tail(number)]


def test_office_sees_office_mask_and_age_not_the_birth_date(person, client, login_as):
    """The office's mask hides exactly the birth date: showing it too is a full number, unaudited."""
    number, v = person["number"], person["v"]
    login_as("office")
    detail = client.get(f"/volunteers/{v.id}").get_data(as_text=True)
    assert mask_id(number) in detail and BIRTH.isoformat() not in detail and number not in detail
    roster = _sheet(client.get("/exports/volunteers"))
    assert [(r["证件号码"], r["出生日期"]) for r in roster] == [(mask_id(number), None)]


def test_office_edit_form_never_prefills_the_id_and_blank_keeps_it(person, client, login_as):
    """Attack: the office's edit form pre-filled the full number (no audit entry)."""
    number, v = person["number"], person["v"]
    login_as("office")
    page = client.get(f"/volunteers/{v.id}/edit").get_data(as_text=True)
    assert number not in page and BIRTH.isoformat() not in page
    assert audit_entries("volunteer.view_id") == []
    data = {"name": "钱六六", "id_type": "居民身份证", "id_number": "", "gender": "", "birth_date": "",
            "phone": v.phone, "version": str(v.version)}
    assert client.post(f"/volunteers/{v.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    v = db.session.get(Volunteer, v.id)
    assert (v.name, v.id_number, v.birth_date) == ("钱六六", number, BIRTH)
    # The masked value sent back means "unchanged" as well.
    data = dict(data, id_number=mask_id(number), version=str(v.version), name="钱六")
    assert client.post(f"/volunteers/{v.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Volunteer, v.id).id_number == number


@pytest.mark.parametrize("id_box", ["", "office mask", "tail"])
def test_edit_errors_never_tell_a_leader_the_stored_birth_date(person, client, login_as, id_box):
    """Attack: type any birth date, leave the ID alone, read the stored one in the error."""
    v = person["v"]
    login_as("leader", teams=[person["team"]])
    id_box = {"office mask": mask_id(v.id_number), "tail": mask_tail(v.id_number)}.get(id_box, id_box)
    data = {"name": v.name, "id_type": "居民身份证", "id_number": id_box, "gender": "", "birth_date": "2000-01-01",
            "phone": v.phone, "teams": [str(person["team"].id)], "version": str(v.version)}
    body = client.post(f"/volunteers/{v.id}/edit", data=data).get_data(as_text=True)
    for trace in _traces(person["number"]):
        assert trace == id_box or trace not in body, trace  # what the attacker typed comes back
    db.session.expire_all()
    assert db.session.get(Volunteer, v.id).birth_date == BIRTH


def test_a_leaders_guess_at_the_office_mask_is_not_confirmed(person, client, login_as):
    """The office's mask typed by a leader is refused like any wrong one: no area-code oracle."""
    v = person["v"]
    login_as("leader", teams=[person["team"]])
    answers = []
    for guess in (mask_id(v.id_number), "999999" + mask_id(v.id_number)[6:]):
        data = {"name": "钱六改", "id_type": "居民身份证", "id_number": guess, "gender": "", "birth_date": "",
                "phone": v.phone, "teams": [str(person["team"].id)], "version": str(v.version)}
        resp = client.post(f"/volunteers/{v.id}/edit", data=data)
        answers.append((resp.status_code, "请填写完整的新证件号码" in resp.get_data(as_text=True)))
    assert answers == [(200, True), (200, True)]
    db.session.expire_all()
    assert db.session.get(Volunteer, v.id).name == "钱六"


def test_changing_the_id_is_its_own_audited_post(person, client, login_as, app):
    number, v = person["number"], person["v"]
    new = f.make_id_number(date(1967, 8, 19), serial=111)
    db.session.commit()
    url = f"/volunteers/{v.id}/id-number/change"
    assert client.get(url).status_code in (302, 405)
    login_as("office")
    assert client.get(url).status_code == 405
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(url, data={"id_type": "居民身份证", "id_number": new}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.get(Volunteer, v.id).id_number == number
    resp = client.post(url, data={"id_type": "居民身份证", "id_number": new})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    db.session.expire_all()
    v = db.session.get(Volunteer, v.id)
    assert (v.id_number, v.id_last4, v.birth_date) == (new, new[-4:], date(1967, 8, 19))
    [entry] = audit_entries("volunteer.change_id")
    assert entry.object_id == str(v.id)
    assert audit_entries("volunteer.update") == []


def test_leader_may_not_use_the_change_id_route(person, client, login_as):
    v = person["v"]
    login_as("leader", teams=[person["team"]])
    new = f.make_id_number(date(1967, 8, 19), serial=112)
    db.session.commit()
    assert client.post(f"/volunteers/{v.id}/id-number/change",
                       data={"id_type": "居民身份证", "id_number": new}).status_code == 403


def test_leader_id_change_through_the_edit_form_costs_a_lookup(person, client, login_as, app):
    """A new number in the edit form answers "is it registered?": it spends the look-up budget."""
    v = person["v"]
    outsider = f.make_volunteer("孙外", teams=[person["other"]])
    db.session.commit()
    app.config["LOOKUP_BUDGET"] = 1
    login_as("leader", teams=[person["team"]])
    data = {"name": v.name, "id_type": "居民身份证", "id_number": outsider.id_number, "gender": "", "birth_date": "",
            "phone": v.phone, "teams": [str(person["team"].id)], "version": str(v.version)}
    first = client.post(f"/volunteers/{v.id}/edit", data=data).get_data(as_text=True)
    assert "已属于另一名志愿者" in first
    second = client.post(f"/volunteers/{v.id}/edit", data=data).get_data(as_text=True)
    assert THROTTLED.rstrip("。") in second and "已属于另一名志愿者" not in second
    db.session.expire_all()
    assert db.session.get(Volunteer, v.id).id_number == person["number"]


def test_full_id_export_by_get_is_masked_and_unaudited(person, client, login_as):
    """Attack: <img src="/exports/volunteers?full_id=1"> on any site exported and audited a full roster."""
    number = person["number"]
    login_as("office")
    rows = _sheet(client.get("/exports/volunteers?full_id=1"))
    assert [r["证件号码"] for r in rows] == [mask_id(number)]
    assert audit_entries("volunteer.export_full_id") == []


def test_full_id_export_is_an_office_post_with_csrf(person, client, login_as, app):
    number = person["number"]
    url = "/exports/volunteers/full-id"
    login_as("office")
    assert client.get(url).status_code == 405
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(url).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert audit_entries("volunteer.export_full_id") == []
    rows = _sheet(client.post(url, data={"team_id": str(person["team"].id)}))
    assert [(r["证件号码"], r["出生日期"].date()) for r in rows] == [(number, BIRTH)]
    [entry] = audit_entries("volunteer.export_full_id")
    assert entry.changes["count"] == 1


def test_full_id_export_refused_to_leaders(person, client, login_as):
    login_as("leader", teams=[person["team"]])
    assert client.post("/exports/volunteers/full-id").status_code == 403
    assert audit_entries("volunteer.export_full_id") == []


def test_office_roster_page_offers_the_full_export_as_a_post(person, client, login_as):
    login_as("office")
    page = client.get("/volunteers/").get_data(as_text=True)
    assert "full_id=1" not in page
    assert re.search(r'<form[^>]+method="post"[^>]+action="/exports/volunteers/full-id', page) or \
        re.search(r'<form[^>]+action="/exports/volunteers/full-id"[^>]+method="post"', page)


def test_volunteer_sees_own_id_as_last4_and_certificate_carries_no_birth_date(person, client, login_as):
    number, v = person["number"], person["v"]
    login_as("volunteer", volunteer=v)
    page = client.get("/certificates/issue").get_data(as_text=True)
    assert mask_tail(number) in page
    for trace in _traces(number):
        assert trace not in page, trace
    resp = client.post("/certificates/issue", data={"period_from": "2020-01-01",
                                                     "period_to": today_local().isoformat()})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    paper = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert mask_id(number) in paper  # the paper identifies the person to whoever reads it
    assert number not in paper and BIRTH.isoformat() not in paper and "1967年" not in paper


def test_public_verify_page_shows_office_mask_and_no_birth_date(person, client, login_as):
    from volunteer.certificates.services import issue_certificate

    number, v = person["number"], person["v"]
    cert = issue_certificate(None, v, date(2020, 1, 1), today_local())
    db.session.commit()
    page = client.get(f"/certificates/verify/{cert.code}").get_data(as_text=True)  # anonymous
    assert mask_id(number) in page
    assert number not in page and BIRTH.isoformat() not in page and "1967年" not in page


@pytest.mark.parametrize("typed,message", [
    ("bad check digit", "校验位错误"),  # the shared rule's message
    ("other", "已属于另一名志愿者"),
    ("same", "与原号码相同"),
])
def test_change_id_refusals_change_nothing_and_audit_nothing(person, client, login_as, typed, message):
    v = person["v"]
    other = f.make_volunteer("赵外", teams=[person["other"]])
    db.session.commit()
    typed = {"other": other.id_number, "same": person["number"],
             "bad check digit": bad_check_digit(f.make_id_number(BIRTH, serial=999))}[typed]
    login_as("office")
    resp = client.post(f"/volunteers/{v.id}/id-number/change", data={"id_type": "居民身份证", "id_number": typed})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and message in body
    db.session.expire_all()
    assert db.session.get(Volunteer, v.id).id_number == person["number"]
    assert audit_entries("volunteer.change_id") == []
