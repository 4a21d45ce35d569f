"""Check-in pages as a volunteer, a leader and an attacker see them: scan, log in, come back,
sign in and out; expired, forged and foreign tokens; typed codes and the look-up budget; 代签
and 统一签退; the device cookie; CSRF; and two sign-ins racing."""
import re
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests.conftest import PASSWORD
from volunteer.audit.models import AuditLog
from volunteer.checkin import routes as checkin_routes
from volunteer.checkin import services, tokens
from volunteer.checkin.models import Checkin
from volunteer.database import write_intent
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord
from volunteer.integrity import services as integrity
from volunteer.settings import Setting
from volunteer.clock import CHINA_TZ, utcnow


@pytest.fixture
def scene(app):
    """Today's activity (no start time: open all day), a member with a login, the leader."""
    team = f.make_team()
    activity = f.make_activity(team, service_date=services.today_beijing(), title="垃圾分类宣传")
    member = f.make_volunteer(name="王小明", teams=[team])
    user = f.make_user("volunteer", username=member.phone, volunteer=member)
    leader = f.make_user("leader", teams=[team])
    db.session.commit()
    return activity, member, user, leader


def token_now(activity, minutes_ago=0):
    return tokens.qr_token(activity.id, activity.service_date, tokens.counter_at(utcnow()) - minutes_ago)


def login(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_scan_log_in_come_back_sign_in_and_out(client, scene, monkeypatch):
    activity, member, user, _leader = scene
    token = token_now(activity)
    first = client.get(f"/c/{token}")
    assert first.status_code == 302 and "/login" in first.location
    # The login form posts back to itself with ?next=, and the volunteer is brought back.
    back = client.post(first.location, data={"username": user.username, "password": PASSWORD})
    assert back.status_code == 302 and back.location.endswith(f"/c/{token}")
    # Logging in took five minutes: the QR has been replaced since, but this browser opened it in time.
    later = utcnow() + timedelta(minutes=5)
    monkeypatch.setattr(checkin_routes, "utcnow", lambda: later)
    page = client.get(back.location).get_data(as_text=True)
    assert "垃圾分类宣传" in page and 'id="sign-in"' in page
    response = client.post(f"/c/{token}", data={})
    assert response.status_code == 302 and response.location.endswith("/c")
    page = client.get("/c").get_data(as_text=True)
    assert 'id="sign-out"' in page and "未报名" in page
    monkeypatch.undo()
    assert client.post("/c/out", data={}).status_code == 302
    page = client.get("/c").get_data(as_text=True)
    assert "已签退" in page and "时长" in page
    pair = db.session.scalars(select(Checkin)).one()
    assert pair.state == "out" and pair.via == "qr"
    # Under a minute at the venue makes no record; a longer stay does (see test_services).
    assert pair.minutes == 0 and count(ServiceRecord) == 0


def test_an_expired_qr_opened_later_elsewhere_is_refused(client, scene):
    activity, _member, user, _leader = scene
    stale = token_now(activity, minutes_ago=3)  # replaced three minutes ago: two minutes of grace are over
    login(client, user)
    assert "二维码已失效" in client.get(f"/c/{stale}").get_data(as_text=True)
    assert "二维码已失效" in client.post(f"/c/{stale}", data={}).get_data(as_text=True)
    assert count(Checkin) == 0


def test_forged_and_foreign_tokens_are_refused(client, scene):
    activity, member, user, _leader = scene
    login(client, user)
    counter = tokens.counter_at(utcnow())
    yesterday = f.make_activity(activity.team, service_date=activity.service_date - timedelta(days=1))
    db.session.commit()
    # Signed for yesterday's activity: genuine, but not for today.
    old = tokens.qr_token(yesterday.id, yesterday.service_date, counter)
    assert "今天不能签到" in client.post(f"/c/{old}", data={}).get_data(as_text=True)
    # Today's token edited to name another activity, or another day: the signature breaks.
    good = token_now(activity)
    payload, sig = good.split(".")
    import base64
    import json

    forged_payload = base64.urlsafe_b64encode(json.dumps([yesterday.id, str(activity.service_date), counter],
                                                         separators=(",", ":")).encode()).rstrip(b"=").decode()
    assert "二维码已失效" in client.post(f"/c/{forged_payload}.{sig}", data={}).get_data(as_text=True)
    # A token signed with another key (someone else's installation).
    from itsdangerous import URLSafeSerializer

    foreign = URLSafeSerializer("another-key", salt="checkin-qr").dumps([activity.id, str(activity.service_date), counter])
    assert "二维码已失效" in client.post(f"/c/{foreign}", data={}).get_data(as_text=True)
    assert count(Checkin) == 0


def test_typed_codes_spend_the_lookup_budget(app, client, scene):
    activity, _member, user, _leader = scene
    app.config["LOOKUP_BUDGET"] = 3
    try:
        login(client, user)
        code = tokens.code_for(activity.id, tokens.counter_at(utcnow()))
        wrong = f"{(int(code) + 3) % 1_000_000:06d}"  # same residue: names some other id, not this activity
        for _ in range(2):
            assert "签到码无效" in client.post("/c", data={"code": wrong}).get_data(as_text=True)
        good = client.post("/c", data={"code": code})
        assert good.status_code == 302 and "/c/" in good.location
        assert client.post(good.location, data={}).status_code == 302
        pair = db.session.scalars(select(Checkin)).one()
        assert pair.via == "code"
        client.post("/c/out", data={})
        # The budget is spent: even the right code is refused, at once.
        assert "操作过于频繁" in client.post("/c", data={"code": code}).get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "checkin.code")) == 3
    finally:
        app.config.pop("LOOKUP_BUDGET")


def test_a_get_changes_nothing(client, scene):
    activity, _member, user, leader = scene
    login(client, leader)
    before = (count(Checkin), count(AuditLog))
    venue = client.get(f"/activities/{activity.id}/checkin")
    assert venue.status_code == 200
    client.get(f"/activities/{activity.id}/checkin/sheet")
    client.get(f"/activities/{activity.id}/checkin/manage")
    client.post("/logout")
    login(client, user)
    client.get(f"/c/{token_now(activity)}")
    client.get("/c")
    assert (count(Checkin), count(AuditLog)) == before


def test_venue_screen_big_qr_code_and_refresh_without_script(client, scene):
    activity, _member, _user, leader = scene
    login(client, leader)
    response = client.get(f"/activities/{activity.id}/checkin")
    html = response.get_data(as_text=True)
    code = tokens.code_for(activity.id, tokens.counter_at(utcnow()))
    assert f">{code}<" in html and "<svg" in html
    refresh = int(re.search(r'http-equiv="refresh" content="(\d+)"', html).group(1))
    assert 1 <= refresh <= 60
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # the CSP forbids inline scripts
    assert response.headers["Cache-Control"] == "no-store"


def test_other_team_leader_and_volunteer_cannot_run_the_venue(client, scene):
    activity, member, user, _leader = scene
    outsider = f.make_user("leader", teams=[f.make_team()])
    db.session.commit()
    login(client, outsider)
    assert client.get(f"/activities/{activity.id}/checkin").status_code == 404
    response = client.post(f"/activities/{activity.id}/checkin/proxy",
                           data={"action": "in", "name": member.name, "last4": member.phone[-4:], "reason": "x"})
    assert response.status_code == 404 and count(Checkin) == 0
    client.post("/logout")
    login(client, user)
    assert client.get(f"/activities/{activity.id}/checkin").status_code == 403


def test_proxy_sign_in_and_out_and_sign_out_all(client, scene):
    activity, member, _user, leader = scene
    elder = f.make_volunteer(name="李奶奶", teams=[activity.team], phone="13912345678")
    stranger = f.make_volunteer(name="赵六", teams=[f.make_team()], phone="13900006666")
    db.session.commit()
    login(client, leader)
    url = f"/activities/{activity.id}/checkin/proxy"
    html = client.post(url, data={"action": "in", "name": "李奶奶", "last4": "5678", "reason": ""}).get_data(as_text=True)
    assert "代签必须填写原因" in html and count(Checkin) == 0
    html = client.post(url, data={"action": "in", "name": "赵六", "last4": "6666", "reason": "无手机"}).get_data(as_text=True)
    assert "没有找到此人" in html and count(Checkin) == 0
    assert client.post(url, data={"action": "in", "name": "李奶奶", "last4": "5678", "reason": "老人无手机"}).status_code == 302
    venue = client.get(f"/activities/{activity.id}/checkin").get_data(as_text=True)
    assert "李奶奶" in venue and "代签" in venue
    services.sign_in(None, activity, member, via="qr")
    db.session.commit()
    now_bj = (utcnow() + services.OFFSET).strftime("%H:%M")
    assert client.post(f"/activities/{activity.id}/checkin/close", data={"at": now_bj}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Checkin).where(Checkin.state == "out")) == 2
    assert stranger.id not in set(db.session.scalars(select(Checkin.volunteer_id)))


def test_one_device_signing_in_two_people_is_flagged_and_survives_logout(client, scene):
    activity, member, user, _leader = scene
    friend = f.make_volunteer(name="张三", teams=[activity.team])
    friend_user = f.make_user("volunteer", username=friend.phone, volunteer=friend)
    db.session.commit()
    token = token_now(activity)
    login(client, user)
    client.get(f"/c/{token}")
    device = client.get_cookie(checkin_routes.DEVICE_COOKIE).value
    client.post(f"/c/{token}", data={})
    client.post("/logout")
    assert client.get_cookie(checkin_routes.DEVICE_COOKIE).value == device  # logging out keeps it
    login(client, friend_user)
    client.get(f"/c/{token}")
    client.post(f"/c/{token}", data={})
    assert set(db.session.scalars(select(Checkin.device_id))) == {device}
    # Sign both out after up to an hour so that records exist (never before the activity's
    # Beijing day began: just after midnight the pair would be clipped to nothing).
    now = datetime.now(CHINA_TZ)
    served = min(60, int((now - now.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds() // 60) - 2)
    if served < 1:
        pytest.skip("run within two minutes of midnight in Beijing")
    for pair in db.session.scalars(select(Checkin)).all():
        pair.signed_in_at -= timedelta(minutes=served)
    db.session.commit()
    client.post("/c/out", data={})
    client.post("/logout")
    login(client, user)
    client.post("/c/out", data={})
    counts, _rows = integrity.queue(activity.service_date, activity.service_date)
    assert counts["checkin_device"] == 2


def test_csrf_is_required(csrf_app, client, scene):
    activity, _member, user, leader = scene
    login_with_csrf(client, user)
    services.sign_in(user, activity, user.volunteer, via="qr")
    db.session.commit()
    assert client.post("/c/out", data={}).status_code == 400
    assert client.post(f"/c/{token_now(activity)}", data={}).status_code == 400
    assert db.session.scalar(select(Checkin.state)) == "in"


def login_with_csrf(client, user):
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_settings_page_keeps_the_checkin_settings(client, login_as):
    login_as("office")
    response = client.post("/integrity/settings", data={"daily_hours_limit": "12", "checkin_unit": "15",
                                                         "checkin_minutes_before": "30", "checkin_auto_approve": "y"})
    assert response.status_code == 302
    assert services.checkin_settings() == {"unit": 15, "auto_approve": True, "minutes_before": 30}
    assert db.session.get(Setting, services.SETTING_UNIT).value == "15"


def test_activity_place_needs_all_three_fields(client, login_as):
    team = f.make_team()
    category = f.make_category()
    login_as("leader", teams=[team])
    data = {"team_id": team.id, "category_id": category.id, "title": "巡河", "service_date": "2026-03-15",
            "latitude": "31.2"}
    html = client.post("/activities/new", data=data).get_data(as_text=True)
    assert "要么都填" in html
    data |= {"longitude": "121.3", "radius_m": "300"}
    assert client.post("/activities/new", data=data).status_code == 302
    from volunteer.activities.models import Activity

    activity = db.session.scalars(select(Activity)).one()
    assert (activity.latitude, activity.longitude, activity.radius_m) == (31.2, 121.3, 300)


def test_two_sign_ins_racing_give_one_open_sign_in(app, scene):
    """Two phones (or a double tap on two workers) at the same moment: one pair, both told 已签到."""
    activity, member, user, _leader = scene
    ids = (type(activity), activity.id, type(member), member.id)
    db.session.rollback()  # the test's own session holds nothing while the two race
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def attempt():
        with app.app_context():
            token = write_intent.set(True)
            try:
                barrier.wait()
                act, vol = db.session.get(ids[0], ids[1]), db.session.get(ids[2], ids[3])
                pair, created = services.sign_in(None, act, vol, via="qr", device_id=None)
                db.session.commit()
                outcomes.append((pair.id, created))
            except Exception as exc:  # noqa: BLE001 - reported below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()
                write_intent.reset(token)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len({pid for pid, _ in outcomes}) == 1 and sorted(c for _, c in outcomes) == [False, True]
    assert count(Checkin) == 1
