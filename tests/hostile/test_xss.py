"""Stored XSS: a '<script>' typed into every free-text field is shown escaped on every page."""
from datetime import date

from volunteer.extensions import db
from volunteer.positions.models import Position
from volunteer.volunteers.validators import validate_volunteer

from tests import factories as f
from tests.hostile._helpers import ESCAPED, XSS

PHONE = "13912340000"


def test_xss_name_is_a_valid_volunteer_name():
    cleaned, errors, _ = validate_volunteer({"name": XSS, "id_number": f.make_id_number(), "phone": PHONE},
                                            today=date(2026, 7, 1))
    # If the rule accepts it, the pages below must escape it; if it rejects it, that is fine too.
    assert not errors or any(col == "姓名" for col, _ in errors)


def _world(client, login_as):
    position = Position(name=XSS + "站", kind="station")
    db.session.add(position)
    db.session.flush()
    category = f.make_category(XSS[:20] + "类")
    team = f.make_team(XSS + "队", description=XSS, position_id=position.id)
    vol = f.make_volunteer(XSS, teams=[team], employer=XSS, note=XSS, skills=XSS, community=XSS)
    act = f.make_activity(team, XSS, category=category, place=XSS, description=XSS)
    f.make_record(act, vol, status="approved")
    pending = f.make_record(f.make_activity(team, XSS + "2", category=category), vol, status="pending")
    to_void = f.make_record(f.make_activity(team, XSS + "3", category=category), vol, status="approved")
    leader = f.make_user("leader", username="leader_x", teams=[team])
    volunteer_user = f.make_user("volunteer", username="13900000009", volunteer=vol)
    office = login_as("office")
    # Through the web, so the audit log and settings hold the payload too.
    r = client.post(f"/hours/records/{to_void.id}/void", data={"reason": XSS})
    assert r.status_code == 302
    r = client.post("/certificates/settings", data={"issuer": XSS, "person_in_charge": XSS, "handler": XSS,
                                                    "contact": XSS, "number_prefix": "HQ"})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    from volunteer.certificates.services import issue_certificate
    cert = issue_certificate(office, vol, date(2026, 1, 1), date(2026, 6, 30), today=date(2026, 7, 1))
    db.session.commit()
    return dict(team=team, vol=vol, act=act, pending=pending, leader=leader, volunteer_user=volunteer_user,
                cert=cert, position=position, category=category)


def _get(client, url):
    resp = client.get(url, follow_redirects=True)
    assert resp.status_code == 200, (url, resp.status_code)
    return resp.get_data(as_text=True)


def _check(pages, must_show=True):
    for url, body in pages.items():
        assert XSS not in body, f"raw script on {url}"
        assert "<script>alert" not in body, f"raw script on {url}"
        if must_show:
            assert ESCAPED in body, f"payload not shown (escaped) on {url}"


def test_office_pages_escape(app, client, login_as):
    w = _world(client, login_as)
    urls = ["/volunteers/", f"/volunteers/{w['vol'].id}", "/teams/", f"/teams/{w['team'].id}", "/activities/",
            f"/activities/{w['act'].id}", f"/activities/{w['act'].id}/hours", "/hours/approvals", "/audit/",
            "/certificates/", f"/certificates/{w['cert'].id}", "/certificates/settings",
            "/positions/", "/teams/categories", "/reports/ranking"]
    pages = {u: _get(client, u) for u in urls}
    _check(pages)
    # Pages that may or may not show the payload, but must never carry it raw.
    extra = ["/reports/", "/reports/stars", f"/certificates/verify/{w['cert'].code}", f"/volunteers/{w['vol'].id}/edit",
             f"/teams/{w['team'].id}/edit", f"/activities/{w['act'].id}/edit", "/", "/imports/",
             f"/volunteers/?q={XSS}", f"/activities/?q={XSS}", f"/audit/?q={XSS}"]
    _check({u: _get(client, u) for u in extra}, must_show=False)
    r = client.post(f"/volunteers/{w['vol'].id}/id-number")
    _check({"reveal": r.get_data(as_text=True)})


def test_leader_and_volunteer_pages_escape(app, client, login_as):
    w = _world(client, login_as)
    client.post("/logout")
    login_as(w["leader"])
    urls = ["/volunteers/", f"/volunteers/{w['vol'].id}", "/teams/", f"/teams/{w['team'].id}", "/activities/",
            f"/activities/{w['act'].id}", f"/activities/{w['act'].id}/hours"]
    _check({u: _get(client, u) for u in urls})
    client.post("/logout")
    login_as(w["volunteer_user"])
    _check({"/me": _get(client, "/me")})
