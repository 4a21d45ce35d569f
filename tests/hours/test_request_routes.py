"""The request pages as a user meets them: 申请更正 / 申请补录 on /me, the count on the
leader's start page, accepting and declining, and the state back on /me."""
from datetime import datetime, timedelta

from sqlalchemy import select

from tests import factories as f
from tests.conftest import PASSWORD
from volunteer.extensions import db
from volunteer.hours.models import RecordRequest, ServiceRecord

from volunteer.clock import today_local

# Relative to the app's clock: 申请补录 lists the past year's activities only.
DAY = today_local() - timedelta(days=20)


def _setup(app):
    team = f.make_team("东湖居委志愿服务队")
    person = f.make_volunteer("王小明", teams=[team])
    user = f.make_user("volunteer", username="13900000042", volunteer=person)
    act = f.make_activity(team, "河道清洁", service_date=DAY, start_time="09:00", end_time="12:00")
    rec = f.make_record(act, person, minutes=60, status="pending")
    leader = f.make_user("leader", username="leader42", teams=[team])
    db.session.commit()
    return team, person, user, act, rec, leader


def _login(client, user):
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_correction_asked_accepted_and_shown_on_me(app, client):
    team, person, user, act, rec, leader = _setup(app)
    _login(client, user)
    me = client.get("/me").get_data(as_text=True)
    assert f"/requests/records/{rec.id}" in me and "申请更正" in me
    # A bad value comes back on its field, with what was typed kept.
    page = client.post(f"/requests/records/{rec.id}", data={"kind": "correct", "hours": "两个半", "reason": "九点到十一点半"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "服务时长必须是数字" in body and "两个半" in body and "九点到十一点半" in body
    r = client.post(f"/requests/records/{rec.id}", data={"kind": "correct", "hours": "2.5", "reason": "九点到十一点半"})
    assert r.status_code == 302
    me = client.get("/me").get_data(as_text=True)
    assert "待处理" in me and "更正申请处理中" in me

    _login(client, leader)
    start = client.get("/").get_data(as_text=True)
    assert 'id="requests-pending">1<' in start
    req = db.session.scalar(select(RecordRequest))
    detail = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "王小明" in detail and "2.5 小时" in detail
    assert client.post(f"/requests/{req.id}/accept").status_code == 302
    assert 'id="requests-pending"' not in client.get("/").get_data(as_text=True)

    _login(client, user)
    me = client.get("/me").get_data(as_text=True)
    assert "已采纳" in me and ">2.5<" in me.replace(" ", "")
    assert db.session.get(ServiceRecord, rec.id).minutes == 150


def test_declined_with_a_reason_the_volunteer_sees(app, client):
    team, person, user, act, rec, leader = _setup(app)
    _login(client, user)
    client.post(f"/requests/records/{rec.id}", data={"kind": "void", "hours": "", "reason": "那天我请假了"})
    req = db.session.scalar(select(RecordRequest))
    assert req.kind == "void"
    _login(client, leader)
    page = client.post(f"/requests/{req.id}/decline", data={"d-decline_reason": ""})
    assert page.status_code == 200 and "请说明原因" in page.get_data(as_text=True)
    assert client.post(f"/requests/{req.id}/decline", data={"d-decline_reason": "签到表上有您的签名"}).status_code == 302
    _login(client, user)
    me = client.get("/me").get_data(as_text=True)
    assert "未采纳" in me and "签到表上有您的签名" in me
    assert db.session.get(ServiceRecord, rec.id).status == "pending"


def test_missing_record_from_the_list_and_by_name(app, client):
    team, person, user, act, rec, leader = _setup(app)
    other = f.make_activity(team, "敬老院探访", service_date=DAY + timedelta(days=4), start_time="14:00", end_time="16:00")
    db.session.commit()
    _login(client, user)
    page = client.get("/requests/missing").get_data(as_text=True)
    assert "敬老院探访" in page and "河道清洁" not in page  # already has a record there
    # Neither picked nor named: the message says what to fill in, the hours typed are kept.
    r = client.post("/requests/missing", data={"activity_id": "0", "team_id": "0", "hours": "1.5", "reason": "忘了"})
    assert "请选择所在的队伍" in r.get_data(as_text=True) and 'value="1.5"' in r.get_data(as_text=True)
    r = client.post("/requests/missing", data={"activity_id": str(other.id), "hours": "2", "reason": "手机没电"})
    assert r.status_code == 302
    r = client.post("/requests/missing", data={"activity_id": "0", "team_id": str(team.id), "title": "社区义诊",
                                               "service_date": (DAY + timedelta(days=1)).isoformat(), "hours": "1",
                                               "reason": "没人登记"})
    assert r.status_code == 302
    first, named = db.session.scalars(select(RecordRequest).order_by(RecordRequest.id)).all()
    _login(client, leader)
    assert client.post(f"/requests/{first.id}/accept").status_code == 302
    page = client.post(f"/requests/{named.id}/accept", data={"a-activity_id": "0"})
    assert "请选择要补录到哪个活动" in page.get_data(as_text=True)
    page = client.post(f"/requests/{named.id}/accept", data={"a-activity_id": str(act.id)})
    assert page.status_code == 200 and "无需补录" in page.get_data(as_text=True)
    recs = db.session.scalars(select(ServiceRecord).where(ServiceRecord.volunteer_id == person.id)
                              .order_by(ServiceRecord.id)).all()
    assert [(r.activity_id, r.minutes, r.status) for r in recs[1:]] == [(other.id, 120, "pending")]
    # The named one went to 河道清洁, where the person already had a record: refused, still pending.
    assert db.session.get(RecordRequest, named.id).status == "pending"


def test_others_records_and_requests_are_not_found(app, client):
    team, person, user, act, rec, leader = _setup(app)
    stranger = f.make_volunteer(teams=[team])
    theirs = f.make_record(f.make_activity(team), stranger)
    outsider = f.make_user("leader", username="outsider", teams=[f.make_team()])
    db.session.commit()
    _login(client, user)
    assert client.get(f"/requests/records/{theirs.id}").status_code == 404
    client.post(f"/requests/records/{rec.id}", data={"kind": "correct", "hours": "2", "reason": "少记了"})
    req = db.session.scalar(select(RecordRequest))
    _login(client, outsider)
    assert client.get(f"/requests/{req.id}").status_code == 404
    assert client.post(f"/requests/{req.id}/accept").status_code == 404
    assert "王小明" not in client.get("/requests/").get_data(as_text=True)


def test_overdue_requests_are_named_on_the_office_start_page(app, client, login_as):
    team, person, user, act, rec, leader = _setup(app)
    _login(client, user)
    client.post(f"/requests/records/{rec.id}", data={"kind": "correct", "hours": "2", "reason": "少记了"})
    req = db.session.scalar(select(RecordRequest))
    req.created_at = datetime(2026, 1, 5, 2, 0)
    db.session.commit()
    client.post("/logout")
    login_as("office")
    start = client.get("/").get_data(as_text=True)
    assert 'id="requests-overdue"' in start and "王小明 · 更正时长 · 河道清洁" in start
    assert "已逾期" in client.get("/requests/").get_data(as_text=True)


def test_hostile_numbers_and_dates_give_form_errors_never_500(app, client):
    team, person, user, act, rec, leader = _setup(app)
    _login(client, user)
    huge = "99999999999999999999999"
    for data in ({"activity_id": huge, "team_id": huge, "hours": "1", "reason": "x"},
                 {"activity_id": "0", "team_id": str(team.id), "title": "x", "service_date": "9999-12-32",
                  "hours": "1", "reason": "x"},
                 {"activity_id": "0", "team_id": str(team.id), "title": "x", "service_date": "2026-03-17",
                  "hours": "NaN", "reason": "x"},
                 {"activity_id": str(act.id), "hours": "1e999", "reason": "x"}):
        assert client.post("/requests/missing", data=data).status_code == 200, data
    for hours in ("NaN", "-1", huge, "Infinity"):
        r = client.post(f"/requests/records/{rec.id}", data={"kind": "correct", "hours": hours, "reason": "x"})
        assert r.status_code == 200 and "时长" in r.get_data(as_text=True), hours
    assert client.post(f"/requests/records/{rec.id}", data={"kind": "other", "hours": "2", "reason": "x"}).status_code == 200
    client.post(f"/requests/records/{rec.id}", data={"kind": "correct", "hours": "2", "reason": "少记了"})
    req = db.session.scalar(select(RecordRequest))
    _login(client, leader)
    assert client.get(f"/requests/?status={huge}&page={huge}").status_code in (200, 404)
    assert client.post(f"/requests/{req.id}/accept", data={"a-activity_id": huge}).status_code in (200, 302)
    assert client.get(f"/requests/{huge}").status_code == 404
