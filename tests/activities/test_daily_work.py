"""CONTRACT section 12, a leader's day: times as people type them, no hours for days to come,
withdrawing an entry by clearing it, typed hours kept across a search, the team pre-selected,
and the main button being the step needed next."""
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from volunteer.activities.migration import migration_sql
from volunteer.activities.models import Activity
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.fields import FieldError, time_text
from volunteer.hours.models import ServiceRecord

from tests import factories as f


@pytest.mark.parametrize("typed, stored", [
    ("9:00", "09:00"), ("09:00", "09:00"), ("9：00", "09:00"), ("9点", "09:00"), ("9点30", "09:30"),
    ("9.30", "09:30"), ("9点半", "09:30"), (" 14:05 ", "14:05"), ("", None)])
def test_times_typed_as_people_type_them(typed, stored):
    assert time_text(typed, field="开始时间") == stored


@pytest.mark.parametrize("typed", ["25:00", "9", "9.5", "九点", "9点61"])
def test_not_a_time_is_refused_with_a_message(typed):
    with pytest.raises(FieldError, match="开始时间格式无法识别"):
        time_text(typed, field="开始时间")


def _form(team, category, **kw):
    return {"team_id": team.id, "title": "早间巡河", "category_id": category.id, "service_date": "2026-04-01",
            "place": "", "headcount": "", "description": ""} | kw


def test_morning_start_without_leading_zero_is_before_eleven(app, client, login_as):
    team, cat = f.make_team(), f.make_category()
    login_as("leader", teams=[team])
    r = client.post("/activities/new", data=_form(team, cat, start_time="9:00", end_time="11点30"))
    assert r.status_code == 302, r.get_data(as_text=True)
    a = db.session.scalars(db.select(Activity)).one()
    assert (a.start_time, a.end_time, a.span_minutes) == ("09:00", "11:30", 150)
    html = client.post("/activities/new", data=_form(team, cat, start_time="11:00", end_time="9点")).get_data(as_text=True)
    assert "结束时间必须晚于开始时间" in html and 'value="09:00"' in html  # shown as it will be stored


def test_old_unpadded_times_are_padded_by_the_data_migration(app):
    a = f.make_activity(start_time="9:00", end_time="11:00")
    b = f.make_activity(start_time="08:30", end_time=None)
    db.session.commit()
    for sql in migration_sql(db.engine.dialect.name):
        db.session.execute(text(sql))
    db.session.commit()
    db.session.expire_all()
    assert (a.start_time, a.end_time, b.start_time, b.end_time) == ("09:00", "11:00", "08:30", None)


def test_single_team_leader_has_the_team_preselected(app, client, login_as):
    team, other, cat = f.make_team("唯一的队"), f.make_team(), f.make_category()
    login_as("leader", teams=[team])
    html = client.get("/activities/new").get_data(as_text=True)
    assert "请选择</option>" not in html.split('name="team_id"')[1].split("</select>")[0]
    assert f'value="{team.id}"' in html
    r = client.post("/activities/new", data=_form(team, cat, start_time="", end_time=""))
    assert r.status_code == 302


def test_two_team_leader_still_picks(app, client, login_as):
    a, b = f.make_team(), f.make_team()
    login_as("leader", teams=[a, b])
    select = client.get("/activities/new").get_data(as_text=True).split('name="team_id"')[1].split("</select>")[0]
    assert "请选择" in select


def test_main_button_is_publish_on_a_draft_then_log_hours(app, client, login_as):
    team = f.make_team()
    a = f.make_activity(team, status="draft")
    db.session.commit()
    login_as("leader", teams=[team])
    html = client.get(f"/activities/{a.id}").get_data(as_text=True)
    assert 'class="btn btn-primary">发布</button>' in html and 'btn-outline-primary" href="/activities/' in html
    client.post(f"/activities/{a.id}/status", data={"status": "published"})
    html = client.get(f"/activities/{a.id}").get_data(as_text=True)
    assert ">发布</button>" not in html and f'class="btn btn-primary" href="/activities/{a.id}/hours"' in html


def test_no_hours_for_an_activity_still_to_come(app, client, login_as, today):
    team = f.make_team()
    v = f.make_volunteer(teams=[team])
    a = f.make_activity(team, service_date=today + timedelta(days=1))
    db.session.commit()
    login_as("leader", teams=[team])
    html = client.post(f"/activities/{a.id}/hours", data={f"hours-{v.id}": "2"}, follow_redirects=True).get_data(as_text=True)
    assert "还没到" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(ServiceRecord)) == 0


def test_todays_activity_takes_hours(app, client, login_as, today):
    team = f.make_team()
    v = f.make_volunteer(teams=[team])
    a = f.make_activity(team, service_date=today)
    db.session.commit()
    login_as("leader", teams=[team])
    assert client.post(f"/activities/{a.id}/hours", data={f"hours-{v.id}": "2"}).status_code == 302
    assert db.session.scalars(db.select(ServiceRecord)).one().minutes == 120


def test_leader_withdraws_a_pending_entry_by_clearing_it(app, client, login_as):
    team = f.make_team()
    kept, wrong = f.make_volunteer("甲", teams=[team]), f.make_volunteer("乙", teams=[team])
    a = f.make_activity(team)
    db.session.commit()
    login_as("leader", teams=[team])
    client.post(f"/activities/{a.id}/hours", data={f"hours-{kept.id}": "2", f"hours-{wrong.id}": "3"})
    r = client.post(f"/activities/{a.id}/hours", data={f"hours-{kept.id}": "2", f"hours-{wrong.id}": ""},
                    follow_redirects=True)
    assert "撤回 1 条" in r.get_data(as_text=True)
    rec = db.session.scalars(db.select(ServiceRecord).where(ServiceRecord.volunteer_id == wrong.id)).one()
    assert (rec.status, rec.void_reason) == ("void", "队长撤回")
    assert db.session.scalars(db.select(ServiceRecord).where(ServiceRecord.volunteer_id == kept.id)).one().status == "pending"
    log = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "hours.void")).one()
    assert log.object_id == str(rec.id)
    # The screen no longer shows the withdrawn hours in the box, and a volunteer can be logged anew.
    html = client.get(f"/activities/{a.id}/hours").get_data(as_text=True)
    assert f'name="hours-{wrong.id}" inputmode="decimal" autocomplete="off"' in html
    assert client.post(f"/activities/{a.id}/hours", data={f"hours-{wrong.id}": "1"}).status_code == 302


def test_clearing_an_approved_entry_is_refused_not_ignored(app, client, login_as):
    team = f.make_team()
    v = f.make_volunteer(teams=[team])
    a = f.make_activity(team)
    rec = f.make_record(a, v, minutes=120, status="approved")
    db.session.commit()
    login_as("leader", teams=[team])
    html = client.post(f"/activities/{a.id}/hours", data={f"hours-{v.id}": ""}, follow_redirects=True).get_data(as_text=True)
    assert "已确认，不能清空撤回" in html
    db.session.expire_all()
    assert db.session.get(ServiceRecord, rec.id).status == "approved"


def test_typed_hours_survive_adding_a_person(app, client, login_as):
    team, other = f.make_team(), f.make_team()
    member = f.make_volunteer("本队甲", teams=[team])
    guest = f.make_volunteer("外队乙", teams=[other], phone="13912345678")
    a = f.make_activity(team)
    db.session.commit()
    login_as("leader", teams=[team])
    html = client.post(f"/activities/{a.id}/hours", data={
        "action": "find", "name": "外队乙", "key": "13912345678", f"hours-{member.id}": "2.5"}).get_data(as_text=True)
    assert "已添加 外队乙" in html
    assert f'name="hours-{member.id}"' in html and 'value="2.5"' in html and f'name="hours-{guest.id}"' in html
    # A miss keeps them too.
    html = client.post(f"/activities/{a.id}/hours", data={
        "action": "find", "name": "无此人", "key": "13700000000", f"hours-{member.id}": "1.5"}).get_data(as_text=True)
    assert 'value="1.5"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(ServiceRecord)) == 0
