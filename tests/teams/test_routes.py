"""Team pages: access by role, the list's filters and aggregates, create/edit, members, categories."""
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, func, select

from tests import factories as f
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.positions.models import Position
from volunteer.teams.models import ServiceCategory, Team, TeamMembership


def audit_entries(action=None):
    stmt = select(AuditLog).order_by(AuditLog.id)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    return list(db.session.scalars(stmt))


@contextmanager
def count_queries():
    counter = {"n": 0}

    def before(*_args, **_kw):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def two_teams():
    own, other = f.make_team(name="甲居委志愿服务队"), f.make_team(name="乙职能部门服务队", kind="职能部门")
    db.session.commit()
    return own, other


# --- access -------------------------------------------------------------------------------------

OFFICE_ONLY = ["/teams/new", "/teams/{own}/edit", "/teams/categories"]
TEAM_PAGES = ["/teams/", "/teams/{own}"] + OFFICE_ONLY


@pytest.mark.parametrize("url", TEAM_PAGES)
def test_anonymous_is_sent_to_login(client, two_teams, url):
    response = client.get(url.format(own=two_teams[0].id))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", TEAM_PAGES)
def test_volunteer_gets_403(client, login_as, two_teams, url):
    login_as("volunteer")
    assert client.get(url.format(own=two_teams[0].id)).status_code == 403


@pytest.mark.parametrize("url", TEAM_PAGES)
def test_office_gets_200(client, login_as, two_teams, url):
    login_as("office")
    assert client.get(url.format(own=two_teams[0].id)).status_code == 200


def test_leader_sees_only_own_teams(client, login_as, two_teams):
    own, other = two_teams
    login_as("leader", teams=[own])
    response = client.get("/teams/")
    assert response.status_code == 200
    assert own.name in response.text and other.name not in response.text
    assert "新建队伍" not in response.text
    assert client.get(f"/teams/{own.id}").status_code == 200
    assert client.get(f"/teams/{other.id}").status_code == 404
    assert client.get("/teams/999999").status_code == 404


@pytest.mark.parametrize("method,url", [("get", "/teams/new"), ("post", "/teams/new"),
                                        ("get", "/teams/{own}/edit"), ("post", "/teams/{own}/edit"),
                                        ("get", "/teams/categories"), ("post", "/teams/categories")])
def test_leader_gets_403_on_office_pages(client, login_as, two_teams, method, url):
    login_as("leader", teams=[two_teams[0]])
    response = getattr(client, method)(url.format(own=two_teams[0].id), data={"name": "x", "kind": "居委"})
    assert response.status_code == 403
    assert audit_entries() == []


def test_leader_cannot_add_member_to_another_team(client, login_as, two_teams):
    own, other = two_teams
    volunteer = f.make_volunteer()
    login_as("leader", teams=[own])
    response = client.post(f"/teams/{other.id}/members", data={"lookup": volunteer.phone})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(TeamMembership)) == 0


def test_office_unknown_team_is_404(client, login_as):
    login_as("office")
    assert client.get("/teams/424242").status_code == 404
    assert client.get("/teams/424242/edit").status_code == 404


# --- list ---------------------------------------------------------------------------------------

def test_index_shows_counts_hours_and_leaders(client, login_as, today):
    team = f.make_team(name="丙队", leader_name="王队长")
    members = [f.make_volunteer(teams=[team]) for _ in range(3)]
    activity = f.make_activity(team=team, service_date=today)
    f.make_record(activity=activity, volunteer=members[0], minutes=90)
    f.make_record(activity=activity, volunteer=members[1], minutes=60)
    f.make_record(activity=activity, volunteer=members[2], minutes=600, status="pending")
    last_year = f.make_activity(team=team, service_date=date(today.year - 1, 6, 1))
    f.make_record(activity=last_year, volunteer=members[0], minutes=6000)
    f.make_user(role="leader", username="wangdz", teams=[team])
    db.session.commit()
    login_as("office")
    html = client.get("/teams/").text
    row = html[html.index("丙队"):]
    row = row[:row.index("</tr>")]
    assert "王队长" in row and "wangdz" in row
    assert ">3<" in row  # members
    assert ">2.5<" in row  # 150 approved minutes this year; pending and last year's excluded


def test_index_filters(client, login_as):
    station = Position(name="一号站", kind="station")
    db.session.add(station)
    db.session.flush()
    f.make_team(name="东苑居委队", kind="居委", position_id=station.id)
    f.make_team(name="西苑居委队", kind="居委")
    f.make_team(name="城管中队", kind="职能部门")
    db.session.commit()
    login_as("office")

    def names(**params):
        html = client.get("/teams/", query_string=params).text
        return {n for n in ("东苑居委队", "西苑居委队", "城管中队") if n in html}

    assert names() == {"东苑居委队", "西苑居委队", "城管中队"}
    assert names(kind="职能部门") == {"城管中队"}
    assert names(q="苑") == {"东苑居委队", "西苑居委队"}
    assert names(position_id=station.id) == {"东苑居委队"}
    assert names(q="%") == set()  # LIKE wildcards are literal


def test_index_query_count_does_not_grow_with_rows(client, login_as, today):
    login_as("office")

    def make(n):
        for _ in range(n):
            team = f.make_team()
            f.make_user(role="leader", teams=[team])
            f.make_record(activity=f.make_activity(team=team, service_date=today),
                          volunteer=f.make_volunteer(teams=[team]))
        db.session.commit()
        db.session.expunge_all()
        with count_queries() as counter:
            assert client.get("/teams/").status_code == 200
        return counter["n"]

    assert make(2) == make(12)


def test_index_paginates_50(client, login_as):
    for i in range(55):
        f.make_team(name=f"队伍{i:03d}")
    db.session.commit()
    login_as("office")
    first = client.get("/teams/").text
    second = client.get("/teams/?page=2").text
    assert "队伍049" in first and "队伍050" not in first
    assert "队伍050" in second and "队伍054" in second


# --- create / edit --------------------------------------------------------------------------------

def test_create_team_with_leaders_is_audited(client, login_as):
    leader = f.make_user(role="leader", username="leader-a")
    office_user = f.make_user(role="office", username="clerk")
    station = Position(name="二号站", kind="station")
    db.session.add(station)
    db.session.commit()
    login_as(office_user)
    response = client.post("/teams/new", data={
        "name": " 新华居委志愿服务队 ", "kind": "居委", "position_id": str(station.id), "leader_name": "李四",
        "leader_phone": "13800138000", "category": "文明传播", "founded_on": "2021-05-04",
        "description": "简介", "leader_ids": [str(leader.id)], "is_active": "y"})
    assert response.status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "新华居委志愿服务队"))
    assert team is not None and team.position_id == station.id and team.founded_on == date(2021, 5, 4)
    assert [u.username for u in team.leaders] == ["leader-a"]
    created = audit_entries("team.create")[0]
    assert created.actor_name == "clerk" and created.changes["after"]["name"] == "新华居委志愿服务队"
    leaders = audit_entries("team.leaders")[0]
    assert leaders.changes == {"before": {"leaders": []}, "after": {"leaders": ["leader-a"]}}


def test_duplicate_team_name_keeps_input_and_writes_nothing(client, login_as):
    f.make_team(name="已有队伍")
    db.session.commit()
    login_as("office")
    before = db.session.scalar(select(func.count()).select_from(Team))
    response = client.post("/teams/new", data={"name": "已有队伍", "kind": "社会组织", "leader_name": "赵六",
                                               "leader_phone": "13912345678", "description": "我的简介"})
    assert response.status_code == 200
    assert "队伍“已有队伍”已存在" in response.text
    assert 'value="赵六"' in response.text and 'value="13912345678"' in response.text
    assert "我的简介" in response.text
    assert '<option selected value="社会组织">' in response.text or 'value="社会组织" selected' in response.text
    assert db.session.scalar(select(func.count()).select_from(Team)) == before
    assert audit_entries() == []


@pytest.mark.parametrize("data,message", [
    ({"name": "", "kind": "居委"}, "请填写队伍名称"),
    ({"name": "甲", "kind": ""}, "请选择队伍类型"),
    ({"name": "甲", "kind": "街道"}, "队伍类型无效"),
    ({"name": "甲", "kind": "居委", "founded_on": "2021-02-30"}, "不是实际存在的日期"),
    ({"name": "甲", "kind": "居委", "founded_on": "去年"}, "格式无法识别"),
    ({"name": "甲", "kind": "居委", "leader_phone": "call me"}, "电话只能包含数字"),
    ({"name": "甲", "kind": "居委", "position_id": "99999"}, "所属阵地不存在"),
    ({"name": "甲", "kind": "居委", "leader_ids": ["99999"]}, "所选的队长账号不存在"),
])
def test_create_team_invalid_input(client, login_as, data, message):
    login_as("office")
    response = client.post("/teams/new", data=data)
    assert response.status_code == 200
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(Team)) == 0
    assert audit_entries() == []


def test_only_leader_logins_can_lead(client, login_as):
    volunteer_login = f.make_user(role="volunteer", username="someone")
    db.session.commit()
    login_as("office")
    response = client.post("/teams/new", data={"name": "甲", "kind": "居委", "leader_ids": [str(volunteer_login.id)]})
    assert response.status_code == 200
    assert "只有队长账号可以负责队伍" in response.text
    assert db.session.scalar(select(func.count()).select_from(Team)) == 0


def test_edit_team_audits_before_and_after(client, login_as):
    old_leader, new_leader = f.make_user(role="leader", username="old-l"), f.make_user(role="leader", username="new-l")
    team = f.make_team(name="旧名", kind="居委", leader_name="张三")
    team.leaders = [old_leader]
    db.session.commit()
    login_as("office")
    response = client.get(f"/teams/{team.id}/edit")
    assert 'value="旧名"' in response.text and 'value="张三"' in response.text
    response = client.post(f"/teams/{team.id}/edit", data={
        "name": "新名", "kind": "职能部门", "leader_name": "张三", "leader_ids": [str(new_leader.id)],
        "accepts_applications": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    team = db.session.get(Team, team.id)
    assert (team.name, team.kind, team.is_active) == ("新名", "职能部门", False)
    assert [u.username for u in team.leaders] == ["new-l"]
    update = audit_entries("team.update")[0]
    assert update.changes["before"] == {"name": "旧名", "kind": "居委", "is_active": True}
    assert update.changes["after"] == {"name": "新名", "kind": "职能部门", "is_active": False}
    assert audit_entries("team.leaders")[0].changes == {"before": {"leaders": ["old-l"]},
                                                        "after": {"leaders": ["new-l"]}}


def test_edit_to_duplicate_name_changes_nothing(client, login_as):
    f.make_team(name="甲队")
    team = f.make_team(name="乙队")
    db.session.commit()
    login_as("office")
    response = client.post(f"/teams/{team.id}/edit", data={"name": "甲队", "kind": "居委", "leader_name": "新队长"})
    assert response.status_code == 200 and "已存在" in response.text and 'value="新队长"' in response.text
    db.session.expire_all()
    assert db.session.get(Team, team.id).name == "乙队"
    assert audit_entries() == []


# --- detail and members ------------------------------------------------------------------------------

def test_detail_masks_id_numbers_and_shows_hours(client, login_as, today):
    team = f.make_team(name="丁队")
    other = f.make_team(name="戊队")
    volunteer = f.make_volunteer(name="钱七", teams=[team])
    f.make_record(activity=f.make_activity(team=team, service_date=today, title="清洁家园"), volunteer=volunteer,
                  minutes=120)
    f.make_record(activity=f.make_activity(team=other, service_date=today), volunteer=volunteer, minutes=60)
    db.session.commit()
    login_as("leader", teams=[team])
    html = client.get(f"/teams/{team.id}").text
    assert "钱七" in html
    assert volunteer.id_number not in html
    assert "*" * 14 + volunteer.id_number[-4:] in html  # a leader sees the last 4 only
    assert volunteer.id_number[:6] + "********" not in html
    assert ">2<" in html and ">3<" in html  # this team's hours, all hours
    assert "清洁家园" in html


def test_detail_query_count_does_not_grow_with_members(client, login_as, today):
    team_id = f.make_team().id
    db.session.commit()
    login_as("office")

    def add_and_count(n):
        team = db.session.get(Team, team_id)
        for _ in range(n):
            v = f.make_volunteer(teams=[team])
            f.make_record(activity=f.make_activity(team=team, service_date=today), volunteer=v)
        db.session.commit()
        db.session.expunge_all()
        with count_queries() as counter:
            assert client.get(f"/teams/{team_id}").status_code == 200
        return counter["n"]

    assert add_and_count(2) == add_and_count(15)


@pytest.fixture
def member_setup():
    team = f.make_team(name="添加测试队")
    volunteer = f.make_volunteer(name="孙八", phone="13700001111")
    db.session.commit()
    return team, volunteer


def _member_ids(team):
    return set(db.session.scalars(select(TeamMembership.volunteer_id).where(TeamMembership.team_id == team.id)))


def test_office_adds_a_member_by_name_and_phone(client, login_as, member_setup, today):
    team, volunteer = member_setup
    login_as("office")
    response = client.post(f"/teams/{team.id}/members", data={"name": "孙八", "key": "137-0000-1111"})
    assert response.status_code == 302
    assert _member_ids(team) == {volunteer.id}
    membership = db.session.get(TeamMembership, (team.id, volunteer.id))
    assert membership.joined_on == today
    entry = audit_entries("team.add_member")[0]
    assert entry.object_id == str(team.id) and entry.changes["after"] == {"volunteer_id": volunteer.id}


def test_office_adds_by_name_and_id_number_lowercase(client, login_as):
    team = f.make_team()
    number = next(n for n in (f.make_id_number(date(1985, 7, 1), serial=s) for s in range(1000)) if n.endswith("X"))
    volunteer = f.make_volunteer(name="赵九", id_number=number)
    db.session.commit()
    login_as("office")
    response = client.post(f"/teams/{team.id}/members", data={"name": "赵九", "key": " " + number.lower() + " "})
    assert response.status_code == 302
    assert _member_ids(team) == {volunteer.id}


def test_a_key_alone_or_the_last_4_find_nobody(client, login_as, member_setup):
    team, volunteer = member_setup
    login_as("office")
    response = client.post(f"/teams/{team.id}/members", data={"key": volunteer.phone})
    assert "请填写姓名" in response.text
    response = client.post(f"/teams/{team.id}/members", data={"key": volunteer.id_last4, "name": "孙八"})
    assert "不能只填后4位" in response.text
    response = client.post(f"/teams/{team.id}/members", data={"lookup": volunteer.phone})  # the old form
    assert _member_ids(team) == set()


def test_add_member_not_found_and_already_member(client, login_as, member_setup):
    team, volunteer = member_setup
    login_as("office")
    response = client.post(f"/teams/{team.id}/members", data={"name": "孙八", "key": "13600000000"})
    assert response.status_code == 200
    assert "未找到" in response.text
    assert 'value="13600000000"' in response.text  # keeps what was typed
    client.post(f"/teams/{team.id}/members", data={"name": "孙八", "key": volunteer.phone})
    response = client.post(f"/teams/{team.id}/members", data={"name": "孙八", "key": volunteer.phone})
    assert "孙八 已是本队队员" in response.text
    assert len(audit_entries("team.add_member")) == 1


def test_shared_phone_the_name_tells_them_apart(client, login_as):
    team = f.make_team()
    mother = f.make_volunteer(name="周母", phone="13811112222")
    f.make_volunteer(name="周子", phone="13811112222")
    db.session.commit()
    login_as("office")
    response = client.post(f"/teams/{team.id}/members", data={"name": "周母", "key": "13811112222"})
    assert response.status_code == 302 and _member_ids(team) == {mother.id}


def test_a_cancelled_volunteer_is_not_found(client, login_as):
    team = f.make_team()
    volunteer = f.make_volunteer(name="注销者", status="cancelled")
    db.session.commit()
    login_as("office")
    response = client.post(f"/teams/{team.id}/members", data={"name": "注销者", "key": volunteer.phone})
    assert "未找到" in response.text and _member_ids(team) == set()


# --- categories -------------------------------------------------------------------------------------

def test_categories_add_rename_reorder_deactivate(client, login_as):
    f.make_category("助力创全", sort_order=10)
    f.make_category("疫情防控", sort_order=20)
    db.session.commit()
    login_as("office")
    assert client.post("/teams/categories", data={"name": "文明交通"}).status_code == 302
    added = db.session.scalar(select(ServiceCategory).where(ServiceCategory.name == "文明交通"))
    assert added.sort_order == 30
    assert audit_entries("category.create")[0].changes["after"]["name"] == "文明交通"

    response = client.post("/teams/categories", data={"name": "助力创全", "sort_order": "5"})
    assert response.status_code == 200 and "已存在" in response.text and 'value="5"' in response.text
    response = client.post("/teams/categories", data={"name": "新类别", "sort_order": "abc"})
    assert "请输入整数" in response.text
    assert db.session.scalar(select(func.count()).select_from(ServiceCategory)) == 3

    assert client.post(f"/teams/categories/{added.id}/edit", data={"name": "文明出行", "sort_order": "30"}).status_code == 302
    rename = audit_entries("category.update")[0]
    assert rename.changes == {"before": {"name": "文明交通"}, "after": {"name": "文明出行"}}

    client.post(f"/teams/categories/{added.id}/move", data={"direction": "up"})
    db.session.expire_all()
    order = list(db.session.scalars(select(ServiceCategory.name).order_by(ServiceCategory.sort_order)))
    assert order == ["助力创全", "文明出行", "疫情防控"]
    assert audit_entries("category.reorder")

    client.post(f"/teams/categories/{added.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert db.session.get(ServiceCategory, added.id).is_active is False
    assert audit_entries("category.disable")[0].changes == {"before": {"is_active": True}, "after": {"is_active": False}}
    html = client.get("/teams/categories").text
    assert "已停用" in html and 'data-confirm' in html


def test_category_edit_duplicate_keeps_input(client, login_as):
    f.make_category("甲类", sort_order=10)
    other = f.make_category("乙类", sort_order=20)
    db.session.commit()
    login_as("office")
    response = client.post(f"/teams/categories/{other.id}/edit", data={"name": "甲类", "sort_order": "7"})
    assert response.status_code == 200 and "已存在" in response.text and 'value="7"' in response.text
    db.session.expire_all()
    assert db.session.get(ServiceCategory, other.id).name == "乙类"
    assert audit_entries() == []


def test_leader_without_teams_sees_an_empty_list(client, login_as, two_teams):
    login_as("leader")
    response = client.get("/teams/")
    assert response.status_code == 200
    assert two_teams[0].name not in response.text and "暂未分配队伍" in response.text


def test_post_without_csrf_token_is_refused(app, client, login_as):
    login_as("office")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/teams/new", data={"name": "无令牌队", "kind": "居委"})
        add = client.post("/teams/categories", data={"name": "无令牌类别"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400 and add.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Team)) == 0
