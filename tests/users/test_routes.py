"""Login management pages: office only; create, reset password, deactivate, leaders' teams."""
import re

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests.conftest import PASSWORD
from volunteer.audit.models import AuditLog
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.clock import utcnow


def audit_entries(action=None):
    stmt = select(AuditLog).order_by(AuditLog.id)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    return list(db.session.scalars(stmt))


def user_named(username):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def can_log_in(app, username, password):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": password})
    return response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def target():
    user = f.make_user(role="leader", username="target-leader")
    db.session.commit()
    return user


PAGES = ["/users/", "/users/new", "/users/{id}/password", "/users/{id}/teams"]
POSTS = ["/users/new", "/users/{id}/password", "/users/{id}/teams", "/users/{id}/disable", "/users/{id}/enable"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client, target, url):
    response = client.get(url.format(id=target.id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["volunteer", "leader"])
def test_volunteer_and_leader_get_403(client, login_as, target, role):
    login_as(role)
    for url in PAGES:
        assert client.get(url.format(id=target.id)).status_code == 403, url
    for url in POSTS:
        response = client.post(url.format(id=target.id), data={"password": "new-pass-999", "confirm": "new-pass-999",
                                                               "role": "office", "username": "evil"})
        assert response.status_code == 403, url
    assert audit_entries() == []
    assert user_named("evil") is None


@pytest.mark.parametrize("url", PAGES)
def test_office_gets_200(client, login_as, target, url):
    login_as("office")
    assert client.get(url.format(id=target.id)).status_code == 200


def test_index_filters_and_last_login(client, login_as):
    leader = f.make_user(role="leader", username="zhang-leader")
    leader.last_login_at = utcnow().replace(hour=2, minute=30, second=0, microsecond=0)
    f.make_user(role="volunteer", username="13900000001")
    db.session.commit()
    login_as("office")
    html = client.get("/users/").text
    assert "zhang-leader" in html and "13900000001" in html
    beijing = leader.last_login_at.replace(hour=10).strftime("%Y-%m-%d %H:%M")
    assert beijing in html
    assert "从未登录" in html
    html = client.get("/users/?role=leader").text
    assert "zhang-leader" in html and "13900000001" not in html
    html = client.get("/users/?q=zhang").text
    assert "zhang-leader" in html and "13900000001" not in html


def test_create_leader_with_teams(client, login_as):
    team_a, team_b = f.make_team(name="甲队"), f.make_team(name="乙队")
    db.session.commit()
    login_as("office")
    response = client.post("/users/new", data={"role": "leader", "username": "li-leader", "display_name": "李队长",
                                               "password": "Good-pass-1", "confirm": "Good-pass-1",
                                               "team_ids": [str(team_a.id), str(team_b.id)]})
    assert response.status_code == 302
    user = user_named("li-leader")
    assert user.role == "leader" and user.display_name == "李队长"
    assert sorted(t.name for t in user.led_teams) == ["乙队", "甲队"]
    entry = audit_entries("user.create")[0]
    assert entry.changes["after"]["teams"] and entry.changes["after"]["role"] == "leader"
    ok, _ = can_log_in(client.application, "li-leader", "Good-pass-1")
    assert ok


def test_create_volunteer_login_by_id_number_defaults_to_mobile(client, login_as):
    volunteer = f.make_volunteer(name="吴九", phone="13622223333")
    db.session.commit()
    login_as("office")
    response = client.post("/users/new", data={"role": "volunteer", "volunteer_lookup": volunteer.id_number,
                                               "password": "Good-pass-1", "confirm": "Good-pass-1"})
    assert response.status_code == 302
    user = user_named("13622223333")
    assert user.role == "volunteer" and user.volunteer_id == volunteer.id and user.display_name == "吴九"


def test_create_volunteer_login_by_phone_needs_name(client, login_as):
    volunteer = f.make_volunteer(name="郑十", phone="13633334444")
    db.session.commit()
    login_as("office")
    data = {"role": "volunteer", "volunteer_lookup": "13633334444", "password": "Good-pass-1",
            "confirm": "Good-pass-1"}
    response = client.post("/users/new", data=data)
    assert response.status_code == 200 and "按手机号查找时请同时填写姓名" in response.text
    assert 'value="13633334444"' in response.text
    response = client.post("/users/new", data=data | {"volunteer_name": "郑错"})
    assert "未找到该志愿者" in response.text
    response = client.post("/users/new", data=data | {"volunteer_name": "郑十"})
    assert response.status_code == 302
    assert user_named("13633334444").volunteer_id == volunteer.id
    # The same volunteer cannot get a second login.
    response = client.post("/users/new", data=data | {"volunteer_name": "郑十", "username": "other-name"})
    assert "该志愿者已有账号" in response.text


@pytest.mark.parametrize("data,message", [
    ({"role": "volunteer"}, "志愿者账号须关联一名已登记的志愿者"),
    ({"role": "office", "username": ""}, "用户名不能为空"),
    ({"role": "office", "username": "taken"}, "用户名“taken”已存在"),
    ({"role": "office", "username": "x1", "password": "12345678901", "confirm": "12345678901"}, "密码不能全是数字"),
    ({"role": "office", "username": "x1", "password": "short", "confirm": "short"}, "密码至少需要 8 个字符"),
    ({"role": "office", "username": "x1", "password": "Good-pass-1", "confirm": "other"}, "两次输入的密码不一致"),
    ({"role": "office", "username": "x1", "team_ids": ["TEAM"]}, "只有队长账号可以负责队伍"),
    ({"role": "root", "username": "x1"}, "角色无效"),
])
def test_create_invalid_keeps_input_and_writes_nothing(client, login_as, data, message):
    team = f.make_team()
    f.make_user(role="office", username="taken")
    db.session.commit()
    login_as("office")
    count = db.session.scalar(select(func.count()).select_from(User))
    values = {"password": "Good-pass-1", "confirm": "Good-pass-1", "display_name": "我填的名字"} | data
    if "team_ids" in values:
        values["team_ids"] = [str(team.id)]
    response = client.post("/users/new", data=values)
    assert response.status_code == 200
    assert message in response.text
    assert 'value="我填的名字"' in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == count
    assert audit_entries() == []


def _one_time_password(html):
    found = re.search(r'id="one-time-password">([^<]+)<', html)
    assert found, html[:800]
    return found.group(1)


def test_password_reset_shows_a_one_time_password_once_old_one_stops(client, login_as, target):
    office_user = login_as("office")
    page = client.get(f"/users/{target.id}/password").text
    assert "生成一次性密码" in page and 'name="password"' not in page  # the office no longer types one
    response = client.post(f"/users/{target.id}/password")
    assert response.status_code == 200 and "只显示这一次" in response.text and "返回账号列表" in response.text
    one_time = _one_time_password(response.text)
    assert len(one_time) == 10
    assert user_named("target-leader").must_change_password
    ok, html = can_log_in(client.application, "target-leader", PASSWORD)
    assert not ok and "用户名或密码不正确" in html
    entry = audit_entries("user.one_time_password")[0]
    assert entry.actor_id == office_user.id and entry.object_id == str(target.id)
    assert one_time not in str(entry.changes)
    assert one_time not in client.get("/users/").text  # shown once: nowhere to see it again


def test_one_time_password_must_be_changed_at_next_login(app, client, login_as, target):
    login_as("office")
    one_time = _one_time_password(client.post(f"/users/{target.id}/password").text)
    leader_client = app.test_client()
    response = leader_client.post("/login", data={"username": "target-leader", "password": one_time})
    assert response.status_code == 302
    response = leader_client.get("/teams/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    html = leader_client.get("/account/password").text
    assert "请先设置新密码" in html
    response = leader_client.post("/account/password", data={"current_password": one_time, "password": "Brand-new-1",
                                                             "confirm": "Brand-new-1"})
    assert response.status_code == 302
    assert leader_client.get("/teams/").status_code == 200
    assert not user_named("target-leader").must_change_password


def test_password_reset_ends_the_users_sessions(app, client, login_as, target):
    leader_client = app.test_client()
    assert leader_client.post("/login", data={"username": "target-leader", "password": PASSWORD}).status_code == 302
    assert leader_client.get("/teams/").status_code == 200
    login_as("office")
    client.post(f"/users/{target.id}/password")
    assert leader_client.get("/teams/").status_code == 302  # sent back to the login page


def test_password_reset_refuses_a_disabled_login_and_ones_own(client, login_as, target):
    me = login_as("office")
    page = client.get(f"/users/{me.id}/password").text
    assert "/account/password" in page and "生成一次性密码" not in page
    response = client.post(f"/users/{me.id}/password", follow_redirects=True)
    assert "自己的密码请在“修改密码”页面修改" in response.text
    assert client.get("/users/").status_code == 200  # still logged in, own password unchanged
    client.post(f"/users/{target.id}/disable")
    response = client.post(f"/users/{target.id}/password", follow_redirects=True)
    assert "该账号已停用或已注销，不能重置密码" in response.text
    assert audit_entries("user.one_time_password") == []


def test_deactivated_user_cannot_log_in_until_reactivated(client, login_as, target):
    login_as("office")
    html = client.get("/users/").text
    assert f'action="/users/{target.id}/disable"' in html and "data-confirm" in html
    assert client.post(f"/users/{target.id}/disable").status_code == 302
    ok, html = can_log_in(client.application, "target-leader", PASSWORD)
    assert not ok and "该账号已停用" in html
    entry = audit_entries("user.disable")[0]
    assert entry.changes == {"before": {"is_enabled": True}, "after": {"is_enabled": False}}
    assert client.post(f"/users/{target.id}/enable").status_code == 302
    assert can_log_in(client.application, "target-leader", PASSWORD)[0]
    assert audit_entries("user.enable")


def test_office_cannot_deactivate_itself(client, login_as):
    me = login_as("office")
    response = client.post(f"/users/{me.id}/disable", follow_redirects=True)
    assert "不能停用自己的账号" in response.text
    assert user_named(me.username).is_enabled


def test_set_leader_teams(client, login_as, target):
    team_a, team_b = f.make_team(name="甲队"), f.make_team(name="乙队")
    target = db.session.merge(target)
    target.led_teams = [team_a]
    db.session.commit()
    login_as("office")
    response = client.post(f"/users/{target.id}/teams", data={"team_ids": [str(team_b.id)]})
    assert response.status_code == 302
    assert [t.name for t in user_named("target-leader").led_teams] == ["乙队"]
    entry = audit_entries("user.teams")[0]
    assert entry.changes == {"before": {"teams": ["甲队"]}, "after": {"teams": ["乙队"]}}
    response = client.post(f"/users/{target.id}/teams", data={"team_ids": ["99999"]})
    assert response.status_code == 200 and "所选的队伍不存在" in response.text


def test_teams_page_only_for_leaders(client, login_as):
    office_user = login_as("office")
    response = client.get(f"/users/{office_user.id}/teams", follow_redirects=True)
    assert "只有队长账号可以设置负责的队伍" in response.text


def test_unknown_user_is_404(client, login_as):
    login_as("office")
    assert client.get("/users/9999/password").status_code == 404
    assert client.post("/users/9999/disable").status_code == 404


def test_index_query_count_does_not_grow_with_rows(client, login_as):
    from sqlalchemy import event

    login_as("office")

    def make(n):
        for _ in range(n):
            team = f.make_team()
            f.make_user(role="leader", teams=[team])
            f.make_user(role="volunteer", volunteer=f.make_volunteer())
        db.session.commit()
        db.session.expunge_all()
        counter = {"n": 0}

        def before(*_args, **_kw):
            counter["n"] += 1

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert client.get("/users/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return counter["n"]

    assert make(2) == make(10)
