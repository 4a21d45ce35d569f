"""Activities as each role sees them: create, edit (stale saves refused), publish, sign up."""
from datetime import date, timedelta

from volunteer.activities.models import Activity, ActivitySignup
from volunteer.extensions import db

from tests import factories as f


def _form(team, category, **kw):
    data = {"team_id": team.id, "title": "文明交通劝导", "category_id": category.id, "service_date": "2026-04-01",
            "start_time": "08:00", "end_time": "10:00", "place": "虹许路口", "headcount": "10", "description": ""}
    data.update(kw)
    return data


def test_leader_creates_activity_for_own_team_only(app, client, login_as):
    team, other, cat = f.make_team(), f.make_team(), f.make_category()
    login_as("leader", teams=[team])
    r = client.post("/activities/new", data=_form(team, cat))
    assert r.status_code == 302
    a = db.session.scalars(db.select(Activity)).one()
    assert (a.title, a.status, a.start_time) == ("文明交通劝导", "draft", "08:00")
    r = client.post("/activities/new", data=_form(other, cat))
    assert r.status_code == 200  # other team is not among the choices
    assert db.session.scalar(db.select(db.func.count()).select_from(Activity)) == 1


def test_bad_times_keep_typed_values(app, client, login_as):
    team, cat = f.make_team(), f.make_category()
    login_as("leader", teams=[team])
    html = client.post("/activities/new", data=_form(team, cat, start_time="10:00", end_time="09:00",
                                                     title="测试活动甲")).get_data(as_text=True)
    assert "结束时间必须晚于开始时间" in html and 'value="测试活动甲"' in html
    html = client.post("/activities/new", data=_form(team, cat, start_time="25:00")).get_data(as_text=True)
    assert "开始时间格式无法识别" in html and 'value="25:00"' in html


def test_stale_edit_is_refused(app, client, login_as):
    team, cat = f.make_team(), f.make_category()
    a = f.make_activity(team, "原名称", category=cat)
    db.session.commit()
    login_as("leader", teams=[team])
    version = a.version
    assert client.post(f"/activities/{a.id}/edit", data=_form(team, cat, title="第一次保存", version=version)).status_code == 302
    html = client.post(f"/activities/{a.id}/edit", data=_form(team, cat, title="第二次保存", version=version)).get_data(as_text=True)
    assert "已被他人修改" in html
    db.session.refresh(a)
    assert a.title == "第一次保存"


def test_editing_date_moves_the_records_with_it(app, client, login_as):
    team, cat = f.make_team(), f.make_category()
    a = f.make_activity(team, category=cat)
    rec = f.make_record(a)
    db.session.commit()
    login_as("office")
    client.post(f"/activities/{a.id}/edit", data=_form(team, cat, title=a.title, service_date="2026-05-02", version=a.version,
                                                        start_time="", end_time=""))
    db.session.refresh(rec)
    assert str(rec.service_date) == "2026-05-02"


def test_volunteer_sees_published_activities_and_signs_up(app, client, login_as):
    team = f.make_team()
    published = f.make_activity(team, "已发布的活动", status="published", headcount=1,
                                service_date=date.today() + timedelta(days=7))
    f.make_activity(team, "草稿活动", status="draft")
    v = f.make_volunteer()
    login_as("volunteer", volunteer=v)
    html = client.get("/activities/").get_data(as_text=True)
    assert "已发布的活动" in html and "草稿活动" not in html
    client.post(f"/activities/{published.id}/signup")
    assert db.session.scalar(db.select(ActivitySignup.volunteer_id)) == v.id
    html = client.post(f"/activities/{published.id}/signup", follow_redirects=True).get_data(as_text=True)
    assert "您已报名该活动" in html


def test_draft_activity_is_404_for_volunteers_and_other_leaders(app, client, login_as):
    team, other = f.make_team(), f.make_team()
    draft = f.make_activity(team, status="draft")
    db.session.commit()
    login_as("leader", teams=[other])
    assert client.get(f"/activities/{draft.id}").status_code == 404
    assert client.get(f"/activities/{draft.id}/edit").status_code == 404


def test_leader_lists_only_own_teams(app, client, login_as):
    team, other = f.make_team(), f.make_team()
    f.make_activity(team, "本队活动")
    f.make_activity(other, "别队活动")
    login_as("leader", teams=[team])
    html = client.get("/activities/").get_data(as_text=True)
    assert "本队活动" in html and "别队活动" not in html


def test_publish_then_close(app, client, login_as):
    team = f.make_team()
    a = f.make_activity(team, status="draft")
    db.session.commit()
    login_as("leader", teams=[team])
    client.post(f"/activities/{a.id}/status", data={"status": "published"})
    db.session.refresh(a)
    assert a.status == "published"
    assert client.post(f"/activities/{a.id}/status", data={"status": "bogus"}).status_code == 400
