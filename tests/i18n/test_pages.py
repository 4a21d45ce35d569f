"""Every page of the volunteer's side, read in English and in Chinese: an English page may show
Chinese only inside elements marked lang="zh" (names, titles, team names people entered), and a
Chinese page no English interface words. A failure names the page and the text left over."""
from datetime import date, timedelta

import pytest

from tests import factories as f
from tests.conftest import PASSWORD
from tests.i18n.textscan import chinese_in, english_in
from volunteer.activities.models import ActivitySignup
from volunteer.certificates import services as certificates
from volunteer.checkin import tokens
from volunteer.clock import today_local, utcnow
from volunteer.extensions import db
from volunteer.hours import requests
from volunteer.teams import services as teams

# English words a Chinese page may show: abbreviations and names of things, not sentences.
ALLOWED_ON_CHINESE = {"HTTPS", "QR", "ID", "English", "Excel", "PDF", "Ctrl", "No", "AM", "PM"}


@pytest.fixture
def scene(app):
    today = today_local()
    team = f.make_team("虹桥居委志愿服务队")
    other = f.make_team("古北志愿服务队")
    volunteer = f.make_volunteer("张三", teams=[team])
    user = f.make_user("volunteer", username=volunteer.phone, volunteer=volunteer)
    activity = f.make_activity(team, "垃圾分类宣传", service_date=today, place="虹桥路1号", headcount=1)
    later = f.make_activity(team, "敬老院探访", service_date=today + timedelta(days=3))
    past = f.make_activity(team, "社区清洁", service_date=date(2026, 1, 10))
    record = f.make_record(past, volunteer, minutes=150)
    invitation = teams.invite(None, other, volunteer)
    first = f.make_volunteer("李四", teams=[team])
    db.session.add(ActivitySignup(activity_id=activity.id, volunteer_id=first.id))  # the one place taken
    requests.ask_correction(None, volunteer, record, "correct", "3", "我9点到12点都在")
    requests.ask_missing(None, volunteer, team_id=team.id, title="社区义诊", service_date=date(2026, 1, 20),
                         hours_text="2", reason="签到时手机没电")
    cert = certificates.issue_certificate(None, volunteer, date(2026, 1, 1), date(2026, 1, 31), today=today)
    db.session.commit()
    return dict(team=team, volunteer=volunteer, user=user, activity=activity, later=later, cert=cert, record=record,
                invitation=invitation)


def _login(client, scene):
    response = client.post("/login", data={"username": scene["user"].username, "password": PASSWORD})
    assert response.status_code == 302


def _token(activity):
    return tokens.qr_token(activity.id, activity.service_date, tokens.counter_at(utcnow()))


# name -> (needs a login, how to get the page)
PAGES = {
    "login": (False, lambda c, s: c.get("/login")),
    "login refused": (False, lambda c, s: c.post("/login", data={"username": "nobody", "password": "wrong-password"})),
    "asked to log in": (False, lambda c, s: c.get("/me", follow_redirects=True)),
    "claim": (False, lambda c, s: c.get("/claim")),
    "claim refused": (False, lambda c, s: c.post("/claim", data={"name": "", "id_number": "123", "phone": "1"})),
    "register": (False, lambda c, s: c.get("/register")),
    "register refused": (False, lambda c, s: c.post("/register", data={"name": "", "id_number": "x", "phone": "1"})),
    "register refused by the rules": (False, lambda c, s: c.post("/register", data={
        "name": "李四", "id_type": "居民身份证", "id_number": "310104199001011234", "phone": "12345",
        "password": "a-good-password", "confirm": "a-good-password", "consent": "y"})),
    "register refused for a passport": (False, lambda c, s: c.post("/register", data={
        "name": "John Smith", "id_type": "护照", "id_number": "E12345678", "phone": "13900001111",
        "password": "a-good-password", "confirm": "a-good-password", "consent": "y"})),
    "not found": (False, lambda c, s: c.get("/no-such-page")),
    "certificate check": (False, lambda c, s: c.get(f"/certificates/verify/{s['cert'].code}")),
    "certificate check unknown": (False, lambda c, s: c.get("/certificates/verify/not-a-real-code")),
    "my page": (True, lambda c, s: c.get("/me")),
    "password": (True, lambda c, s: c.get("/account/password")),
    "password refused": (True, lambda c, s: c.post("/account/password", data={"current": "x", "new": "y", "confirm": "z"})),
    "check-in code": (True, lambda c, s: c.get("/c")),
    "check-in code refused": (True, lambda c, s: c.post("/c", data={"code": "12"})),
    "check-in scan": (True, lambda c, s: c.get(f"/c/{_token(s['activity'])}")),
    "check-in signed in": (True, lambda c, s: (c.post(f"/c/{_token(s['activity'])}", data={}), c.get("/c"))[1]),
    "activities": (True, lambda c, s: c.get("/activities/")),
    "activity": (True, lambda c, s: c.get(f"/activities/{s['activity'].id}")),
    "activity signed up": (True, lambda c, s: (c.post(f"/activities/{s['later'].id}/signup", data={}),
                                                c.get(f"/activities/{s['later'].id}"))[1]),
    "certificate issue": (True, lambda c, s: c.get("/certificates/issue")),
    "certificate": (True, lambda c, s: c.get(f"/certificates/{s['cert'].id}")),
    "certificate in English": (True, lambda c, s: c.get(f"/certificates/{s['cert'].id}/english")),
    "apply to a team": (True, lambda c, s: c.get("/me/apply")),
    "close my account": (True, lambda c, s: c.get("/me/close")),
    "close my account refused": (True, lambda c, s: c.post("/me/close", data={"password": "wrong"})),
    "missing record": (True, lambda c, s: c.get("/requests/missing")),
    "missing record refused": (True, lambda c, s: c.post("/requests/missing", data={})),
    "correction": (True, lambda c, s: c.get(f"/requests/records/{s['record'].id}")),
    "correction refused": (True, lambda c, s: c.post(f"/requests/records/{s['record'].id}", data={})),
    "waiting list": (True, lambda c, s: (c.post(f"/activities/{s['activity'].id}/signup", data={}),
                                          c.get(f"/activities/{s['activity'].id}"))[1]),
    "check-in expired": (True, lambda c, s: c.get("/c/not-a-token")),
    "invitation accepted": (True, lambda c, s: (c.post("/me/invitations", data={
        "invitation_id": s["invitation"].id, "decision": "accept"}), c.get("/me"))[1]),
    "forbidden": (True, lambda c, s: c.get("/certificates/")),
}


def _page(client, scene, name, language):
    client.set_cookie("lang", language)
    needs_login, get = PAGES[name]
    if needs_login:
        _login(client, scene)
    response = get(client, scene)
    assert response.status_code in (200, 400, 403, 404), (name, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("name", list(PAGES))
def test_english_pages_show_no_chinese_interface_text(client, scene, name):
    html = _page(client, scene, name, "en")
    assert '<html lang="en">' in html
    left = chinese_in(html, data=[scene["activity"].title, scene["later"].title])
    assert not left, f"{name}: {left}"


@pytest.mark.parametrize("name", list(PAGES))
def test_chinese_pages_show_no_english_interface_text(client, scene, name):
    html = _page(client, scene, name, "zh")
    data = [scene["user"].username, scene["cert"].code, scene["cert"].number]
    left = english_in(html, data=data, allowed=ALLOWED_ON_CHINESE)
    assert not left, f"{name}: {left}"
