"""The volunteer pages: roster, detail, register/edit, status and the audited full-ID view."""
import re
from datetime import date

import pytest
from sqlalchemy import event

from volunteer.extensions import db
from volunteer.teams.models import TeamMembership
from volunteer.volunteers.models import Volunteer
from volunteer.privacy import mask_id, mask_tail

from tests import factories as f
from tests.volunteers.helpers import (FULL_WIDTH, audit_entries, bad_check_digit, counts, field_errors,
                                      field_value, form_data, id_with_x, link, roster_names)


@pytest.fixture
def world(app):
    """Two teams, a member of each, and a login per role (not logged in)."""
    team = f.make_team("虹桥居委志愿服务队")
    other = f.make_team("古美居委志愿服务队")
    member = f.make_volunteer("张三", teams=[team])
    outsider = f.make_volunteer("王五", teams=[other])
    db.session.commit()
    return {"team": team, "other": other, "member": member, "outsider": outsider}


# --- access: every route under every role -------------------------------------------------------

def _routes(member_id):
    return [
        ("GET", "/volunteers/"),
        ("GET", f"/volunteers/{member_id}"),
        ("GET", "/volunteers/new"),
        ("GET", f"/volunteers/{member_id}/edit"),
        ("POST", f"/volunteers/{member_id}/edit"),
        ("POST", f"/volunteers/{member_id}/status"),
        ("POST", f"/volunteers/{member_id}/id-number"),
    ]


def _call(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={"status": "cancelled"})


def test_anonymous_is_sent_to_login(world, client):
    for method, url in _routes(world["member"].id):
        response = _call(client, method, url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


def test_volunteer_role_is_forbidden(world, client, login_as):
    login_as("volunteer", volunteer=world["member"])
    for method, url in _routes(world["member"].id):
        assert _call(client, method, url).status_code == 403, url


def test_leader_sees_own_members_and_not_others(world, client, login_as):
    login_as("leader", teams=[world["team"]])
    member, outsider = world["member"].id, world["outsider"].id
    assert client.get("/volunteers/").status_code == 200
    assert client.get("/volunteers/new").status_code == 200
    assert client.get(f"/volunteers/{member}").status_code == 200
    assert client.get(f"/volunteers/{member}/edit").status_code == 200
    assert client.get(f"/volunteers/{outsider}").status_code == 404
    assert client.get(f"/volunteers/{outsider}/edit").status_code == 404
    assert client.post(f"/volunteers/{outsider}/edit", data=form_data()).status_code == 404
    assert client.get("/volunteers/999999").status_code == 404
    # Office-only actions: refused even for the leader's own member.
    assert client.post(f"/volunteers/{member}/status", data={"status": "cancelled"}).status_code == 403
    assert client.post(f"/volunteers/{member}/id-number").status_code == 403
    assert client.post(f"/volunteers/{outsider}/id-number").status_code == 403


def test_office_reaches_everything(world, client, login_as):
    login_as("office")
    for vid in (world["member"].id, world["outsider"].id):
        assert client.get(f"/volunteers/{vid}").status_code == 200
        assert client.get(f"/volunteers/{vid}/edit").status_code == 200
    assert client.get("/volunteers/").status_code == 200
    assert client.get("/volunteers/new").status_code == 200
    assert client.post(f"/volunteers/{world['member'].id}/id-number").status_code == 200
    assert client.post(f"/volunteers/{world['member'].id}/status", data={"status": "cancelled"}).status_code == 302
    assert client.get("/volunteers/999999").status_code == 404


# --- list: search, filters, scope, pagination --------------------------------------------------------

def test_search_by_name_prefix_phone_and_id_last4(app, client, login_as):
    team = f.make_team()
    zhang = f.make_volunteer("张三丰", teams=[team], phone="13712340001")
    f.make_volunteer("李张", teams=[team], phone="13712340002")
    x_id = id_with_x()
    xman = f.make_volunteer("赵六", id_number=x_id)
    login_as("office")

    assert roster_names(client.get("/volunteers/?q=张").get_data(as_text=True)) == ["张三丰"]
    assert roster_names(client.get("/volunteers/?q=13712340001").get_data(as_text=True)) == ["张三丰"]
    assert roster_names(client.get("/volunteers/?q=1371234").get_data(as_text=True)) == ["张三丰", "李张"]
    last4 = zhang.id_number[-4:]
    assert "张三丰" in roster_names(client.get(f"/volunteers/?q={last4}").get_data(as_text=True))
    # The last four of an ID ending in X, typed in lower case.
    assert roster_names(client.get(f"/volunteers/?q={x_id[-4:].lower()}").get_data(as_text=True)) == [xman.name]
    page = client.get("/volunteers/?q=不存在的人").get_data(as_text=True)
    assert roster_names(page) == [] and "没有符合条件的志愿者" in page


def test_filters_team_status_political_and_age(app, client, login_as, today):
    a, b = f.make_team("甲队"), f.make_team("乙队")
    f.make_volunteer("甲一", teams=[a], political_status="中共党员")
    f.make_volunteer("乙一", teams=[b], political_status="共青团员", status="cancelled")
    f.make_volunteer("少年", teams=[b], birth=date(today.year - 15, 1, 1),
                     guardian_name="少爸", guardian_phone="13900000000")
    f.make_volunteer("长者", teams=[a], birth=date(today.year - 70, 1, 1))
    login_as("office")

    def names(query):
        return sorted(roster_names(client.get("/volunteers/?" + query).get_data(as_text=True)))

    assert names(f"team_id={a.id}") == ["甲一", "长者"]
    assert names("status=cancelled") == ["乙一"]
    assert names("status=active") == ["少年", "甲一", "长者"]
    assert names("political_status=中共党员") == ["甲一"]
    assert names("age_group=u18") == ["少年"]
    assert names("age_group=60%2B") == ["长者"]
    assert names("age_group=18-35") == []
    assert names("age_group=36-59") == ["乙一", "甲一"]  # born 1990 (factory default)
    assert names(f"team_id={b.id}&status=active") == ["少年"]
    # Unknown values are ignored rather than failing the page.
    assert client.get("/volunteers/?status=zzz&age_group=99&team_id=abc").status_code == 200


def test_list_columns_teams_hours_and_masked_id(app, client, login_as):
    a, b = f.make_team("甲队"), f.make_team("乙队")
    v = f.make_volunteer("张三", teams=[a, b])
    act = f.make_activity(a)
    f.make_record(act, v, minutes=150, status="approved")
    f.make_record(f.make_activity(a), v, minutes=600, status="pending")
    f.make_record(f.make_activity(a), v, minutes=60, status="void")
    login_as("office")
    page = client.get("/volunteers/").get_data(as_text=True)
    assert "乙队、甲队" in page  # by name (code point)
    assert ">2.5<" in page  # only approved minutes count
    assert v.id_number not in page and v.id_number[:6] + "********" + v.id_number[-4:] in page
    assert v.phone in page and "正常" in page
    assert "共 1 人" in page


def test_leader_sees_only_own_teams_members(world, client, login_as):
    login_as("leader", teams=[world["team"]])
    page = client.get("/volunteers/").get_data(as_text=True)
    assert roster_names(page) == ["张三"]
    # The team select offers only the leader's teams; another team's id is ignored, not obeyed.
    assert "古美居委志愿服务队" not in page
    assert roster_names(client.get(f"/volunteers/?team_id={world['other'].id}").get_data(as_text=True)) == ["张三"]
    assert roster_names(client.get("/volunteers/?q=王五").get_data(as_text=True)) == []


def test_pagination_50_rows_with_keyset_links_keeping_filters(app, client, login_as):
    team = f.make_team()
    made = [f.make_volunteer(f"队员{i:03d}", teams=[team]) for i in range(120)]
    f.make_volunteer("别队的人")
    login_as("office")
    first = client.get(f"/volunteers/?team_id={team.id}").get_data(as_text=True)
    assert roster_names(first) == [v.name for v in made[:50]]
    assert link(first, "上一页") is None
    nxt = link(first, "下一页")
    assert f"after={made[49].id}" in nxt and f"team_id={team.id}" in nxt
    second = client.get(nxt).get_data(as_text=True)
    assert roster_names(second) == [v.name for v in made[50:100]]
    prev = link(second, "上一页")
    assert f"before={made[50].id}" in prev and f"team_id={team.id}" in prev
    assert roster_names(client.get(prev).get_data(as_text=True)) == [v.name for v in made[:50]]
    third = client.get(link(second, "下一页")).get_data(as_text=True)
    assert roster_names(third) == [v.name for v in made[100:]]
    assert link(third, "下一页") is None and link(third, "末页") is None
    last = client.get(link(first, "末页")).get_data(as_text=True)
    assert roster_names(last) == [v.name for v in made[70:]]
    assert f"team_id={team.id}" in link(first, "末页")
    assert "共 120 人" in first


def test_list_query_count_does_not_grow_with_rows(app, client, login_as):
    team = f.make_team()
    login_as("office")

    def queries():
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/volunteers/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    for i in range(3):
        v = f.make_volunteer(teams=[team])
        f.make_record(f.make_activity(team), v)
    db.session.commit()
    few = queries()
    for i in range(40):
        v = f.make_volunteer(teams=[team, f.make_team()])
        f.make_record(f.make_activity(team), v)
    db.session.commit()
    assert queries() == few


# --- detail ----------------------------------------------------------------------------------------

def test_detail_shows_profile_stars_totals_and_history(world, client, login_as):
    member, team = world["member"], world["team"]
    act = f.make_activity(team, "垃圾分类宣传", service_date=date(2026, 3, 1), category=f.make_category("垃圾分类"))
    f.make_record(act, member, minutes=101 * 60, status="approved")
    f.make_record(f.make_activity(team, "文明交通劝导", service_date=date(2026, 4, 1)), member, minutes=90, status="pending")
    f.make_record(f.make_activity(team, "作废的活动", service_date=date(2026, 2, 1)), member, minutes=30, status="void",
                  void_reason="重复登记")
    login_as("office")
    page = client.get(f"/volunteers/{member.id}").get_data(as_text=True)
    assert member.id_number not in page and "显示完整证件号" in page
    assert "★" in page and "1 星志愿者" in page
    assert "再服务 199 小时可达 2 星" in page
    assert 'id="approved-hours">101<' in page and 'id="pending-hours">1.5<' in page
    assert f'href="/activities/{act.id}">垃圾分类宣传</a>' in page
    assert "垃圾分类" in page and "已确认" in page and "待审核" in page and "已作废" in page and "重复登记" in page
    assert page.index("文明交通劝导") < page.index("垃圾分类宣传") < page.index("作废的活动")  # newest first
    assert "虹桥居委志愿服务队" in page
    assert f"/audit/?object_type=volunteer&amp;object_id={member.id}" in page


def test_detail_history_paginates_50(world, client, login_as):
    member, team = world["member"], world["team"]
    for i in range(55):
        f.make_record(f.make_activity(team, f"活动{i:02d}", service_date=date(2025, 1, 1).replace(day=1 + i % 28)),
                      member, minutes=60)
    login_as("office")
    page = client.get(f"/volunteers/{member.id}").get_data(as_text=True)
    history = page.split('id="hour-history"', 1)[1].split("</table>", 1)[0]
    assert history.count("<tr") == 51  # header + 50
    page2 = client.get(f"/volunteers/{member.id}?page=2").get_data(as_text=True)
    assert page2.split('id="hour-history"', 1)[1].split("</table>", 1)[0].count("<tr") == 6


def test_leader_detail_history_only_own_teams_records(world, client, login_as):
    member, team, other = world["member"], world["team"], world["other"]
    f.make_record(f.make_activity(team, "本队活动"), member, minutes=60)
    f.make_record(f.make_activity(other, "别队活动"), member, minutes=120)
    login_as("leader", teams=[team])
    page = client.get(f"/volunteers/{member.id}").get_data(as_text=True)
    assert "本队活动" in page and "别队活动" not in page
    assert 'id="approved-hours">3<' in page  # totals stay all-time
    assert "显示完整证件号" not in page and "注销" not in page


# --- full ID number: office only, audited ---------------------------------------------------------------

def test_full_id_reveal_is_audited_and_office_only(world, client, login_as):
    member = world["member"]
    office = login_as("office")
    assert member.id_number not in client.get(f"/volunteers/{member.id}").get_data(as_text=True)
    assert audit_entries("volunteer.view_id") == []
    page = client.post(f"/volunteers/{member.id}/id-number").get_data(as_text=True)
    assert f'id="full-id">{member.id_number}<' in page
    (entry,) = audit_entries("volunteer.view_id")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (office.id, "volunteer", str(member.id))


def test_full_id_reveal_forbidden_to_leader_and_not_audited(world, client, login_as):
    login_as("leader", teams=[world["team"]])
    response = client.post(f"/volunteers/{world['member'].id}/id-number")
    assert response.status_code == 403
    assert world["member"].id_number not in response.get_data(as_text=True)
    assert audit_entries("volunteer.view_id") == []


# --- create ---------------------------------------------------------------------------------------------

def test_valid_create_writes_volunteer_membership_and_audit(world, client, login_as):
    office = login_as("office")
    before = counts()
    response = client.post("/volunteers/new", data=form_data(teams=[str(world["team"].id)]))
    assert response.status_code == 302
    v = db.session.scalars(db.select(Volunteer).where(Volunteer.name == "王小明")).one()
    assert response.headers["Location"].endswith(f"/volunteers/{v.id}")
    assert (v.gender, v.birth_date) == ("男", date(1990, 3, 8))  # filled in from the ID number
    assert v.id_last4 == v.id_number[-4:] and v.phone == "13812345678" and v.political_status == "群众"
    assert v.team_ids == {world["team"].id}
    (entry,) = audit_entries("volunteer.create")
    assert entry.actor_id == office.id and entry.object_id == str(v.id)
    assert entry.changes["after"]["teams"] == ["虹桥居委志愿服务队"]
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert "已登记志愿者 王小明" in client.get(response.headers["Location"]).get_data(as_text=True)


INVALID_CASES = [
    ("empty name", {"name": "  "}, "name", "姓名不能为空"),
    ("bad check digit", {"id_number": bad_check_digit(f.make_id_number(date(1990, 3, 8), serial=321))},
     "id_number", "校验位错误"),
    ("short ID", {"id_number": "31010419900308123"}, "id_number", "证件号码应为18位"),
    ("Excel-mangled ID", {"id_number": "3.10104199003E+17"}, "id_number", "证件号码被Excel存成了数字"),
    ("bad phone", {"phone": "1234567"}, "phone", "手机号码格式不正确"),
    ("gender disagrees", {"gender": "女"}, "gender", "性别与证件号码不符"),
    ("birth date disagrees", {"birth_date": "1990-03-09"}, "birth_date", "出生日期与证件号码不符"),
    ("unreadable date", {"registered_on": "明天"}, "registered_on", "注册日期格式无法识别"),
    ("passport without gender", {"id_type": "护照", "id_number": "E12345678", "birth_date": "1990-01-01"},
     "gender", "证件类型为护照时必须填写性别"),
    ("bad political status", {"political_status": "党"}, "political_status", "政治面貌应为以下之一"),
    ("bad guardian phone", {"guardian_phone": "abc"}, "guardian_phone", "监护人电话格式不正确"),
    ("too long employer", {"employer": "单" * 201}, "employer", "工作单位不能超过 200 个字"),
]


@pytest.mark.parametrize("label,overrides,field,message", INVALID_CASES, ids=[c[0] for c in INVALID_CASES])
def test_invalid_create_shows_message_under_field_and_keeps_values(world, client, login_as, label, overrides,
                                                                   field, message):
    login_as("office")
    before = counts()
    data = form_data(teams=[str(world["team"].id)], **overrides)
    response = client.post("/volunteers/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert any(message in e for e in field_errors(page, field)), (field, field_errors(page, field))
    assert counts() == before
    # Everything typed is still there.
    for key in ("name", "id_number", "phone", "employer", "birth_date", "guardian_phone", "registered_on"):
        assert field_value(page, key) == data.get(key, ""), key
    for key in ("gender", "id_type", "political_status"):
        if data.get(key) and key != field:
            assert field_value(page, key) == [data[key]], key
    assert field_value(page, "teams") == [str(world["team"].id)]


def test_child_under_14_needs_guardian(world, client, login_as, today):
    login_as("office")
    child_id = f.make_id_number(date(today.year - 10, 5, 5), serial=77)
    page = client.post("/volunteers/new", data=form_data(id_number=child_id)).get_data(as_text=True)
    assert "未满14周岁，须填写监护人姓名" in field_errors(page, "guardian_name")
    assert "未满14周岁，须填写监护人电话" in field_errors(page, "guardian_phone")
    assert counts()[0] == 2


def test_several_errors_at_once(world, client, login_as):
    login_as("office")
    page = client.post("/volunteers/new", data=form_data(name="", phone="12", id_number="abc")).get_data(as_text=True)
    assert field_errors(page, "name") and field_errors(page, "phone") and field_errors(page, "id_number")
    assert "尚未保存任何内容" in page


def test_under_18_warning_flashed_after_save(world, client, login_as, today):
    login_as("office")
    teen_id = f.make_id_number(date(today.year - 16, 1, 2), serial=88)
    response = client.post("/volunteers/new", data=form_data(id_number=teen_id), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已登记志愿者" in page and "未满18周岁（16岁）" in page


def test_id_number_normalized_lowercase_x_and_full_width(world, client, login_as):
    login_as("office")
    x_id = id_with_x()
    client.post("/volunteers/new", data=form_data(name="小写", id_number=x_id.lower()))
    digits = f.make_id_number(date(1992, 2, 2), serial=555)
    client.post("/volunteers/new", data=form_data(name="全角", id_number=" " + digits.translate(FULL_WIDTH) + " "))
    stored = dict(db.session.execute(db.select(Volunteer.name, Volunteer.id_number)).all())
    assert stored["小写"] == x_id and stored["全角"] == digits
    last4 = dict(db.session.execute(db.select(Volunteer.name, Volunteer.id_last4)).all())
    assert last4["小写"] == x_id[-4:]


def test_duplicate_id_refused(world, client, login_as):
    login_as("office")
    before = counts()
    page = client.post("/volunteers/new", data=form_data(id_number=world["member"].id_number.lower())).get_data(
        as_text=True)
    assert "该证件号码已登记" in " ".join(field_errors(page, "id_number"))
    assert counts() == before


def test_leader_creates_member_of_own_team_only(world, client, login_as):
    login_as("leader", teams=[world["team"]])
    form = client.get("/volunteers/new").get_data(as_text=True)
    assert "古美居委志愿服务队" not in form
    assert field_value(form, "teams") == [str(world["team"].id)]  # the only team, preselected
    before = counts()
    page = client.post("/volunteers/new", data=form_data(teams=[str(world["other"].id)])).get_data(as_text=True)
    assert "无权选择" in " ".join(field_errors(page, "teams"))
    page = client.post("/volunteers/new", data=form_data()).get_data(as_text=True)
    assert "请选择所属队伍" in " ".join(field_errors(page, "teams"))
    assert counts() == before
    response = client.post("/volunteers/new", data=form_data(teams=[str(world["team"].id)]))
    assert response.status_code == 302
    v = db.session.scalars(db.select(Volunteer).where(Volunteer.name == "王小明")).one()
    assert v.team_ids == {world["team"].id}
    assert client.get(f"/volunteers/{v.id}").status_code == 200


# --- edit ------------------------------------------------------------------------------------------------

def _edit_data(v, **overrides):
    """The edit form as sent back: the ID and birth-date boxes empty mean "unchanged"."""
    data = form_data(name=v.name, id_number="", phone=v.phone, gender=v.gender,
                     birth_date="", registered_on=v.registered_on.isoformat(),
                     version=str(v.version))
    data.update(overrides)
    return data


def test_edit_form_prefilled_and_saves_with_audit(world, client, login_as):
    member = world["member"]
    login_as("leader", teams=[world["team"]])
    form = client.get(f"/volunteers/{member.id}/edit").get_data(as_text=True)
    # The ID box is empty, its placeholder the last 4 (full numbers are for the office only) ...
    assert field_value(form, "name") == "张三" and field_value(form, "id_number") == ""
    assert re.search(rf'<input[^>]*name="id_number"[^>]*placeholder="{re.escape(mask_tail(member.id_number))}"', form) \
        or re.search(rf'<input[^>]*placeholder="{re.escape(mask_tail(member.id_number))}"[^>]*name="id_number"', form)
    assert member.id_number not in form and mask_id(member.id_number) not in form
    assert re.search(rf'<input[^>]*name="version"[^>]*value="{member.version}"', form)
    assert field_value(form, "teams") == [str(world["team"].id)]
    # ... and sending the masked value back keeps the stored number.
    full_id = member.id_number
    response = client.post(f"/volunteers/{member.id}/edit", data=_edit_data(
        member, phone="13698765432", id_number=mask_tail(full_id), teams=[str(world["team"].id)]))
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.phone == "13698765432" and member.id_number == full_id
    (entry,) = audit_entries("volunteer.update")
    assert entry.changes["before"]["phone"] != "13698765432" and entry.changes["after"]["phone"] == "13698765432"


def test_edit_invalid_keeps_values_and_changes_nothing(world, client, login_as):
    member = world["member"]
    login_as("office")
    old_phone = member.phone
    page = client.post(f"/volunteers/{member.id}/edit", data=_edit_data(member, phone="999", name="张三改")).get_data(
        as_text=True)
    assert "手机号码格式不正确" in " ".join(field_errors(page, "phone"))
    assert field_value(page, "name") == "张三改" and field_value(page, "phone") == "999"
    db.session.expire_all()
    assert (member.name, member.phone) == ("张三", old_phone)
    assert audit_entries("volunteer.update") == []


def test_edit_stale_version_refused(world, client, login_as):
    member = world["member"]
    login_as("office")
    stale = _edit_data(member, name="张三甲")
    member.note = "别人先改了"
    db.session.commit()  # version bumps
    page = client.post(f"/volunteers/{member.id}/edit", data=stale).get_data(as_text=True)
    assert "已被他人修改" in page
    assert field_value(page, "name") == "张三甲"
    db.session.expire_all()
    assert member.name == "张三" and member.note == "别人先改了"
    assert audit_entries("volunteer.update") == []


def test_edit_to_someone_elses_id_refused(world, client, login_as):
    login_as("office")
    member, outsider = world["member"], world["outsider"]
    page = client.post(f"/volunteers/{member.id}/edit", data=_edit_data(member, id_number=outsider.id_number, gender="", birth_date="")).get_data(
        as_text=True)
    assert "已属于另一名志愿者" in " ".join(field_errors(page, "id_number"))
    db.session.expire_all()
    assert member.id_number != outsider.id_number


def test_edit_adds_team_membership(world, client, login_as):
    member = world["member"]
    login_as("office")
    data = _edit_data(member, teams=[str(world["team"].id), str(world["other"].id)])
    assert client.post(f"/volunteers/{member.id}/edit", data=data).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(TeamMembership)
                             .where(TeamMembership.volunteer_id == member.id)) == 2
    (entry,) = audit_entries("volunteer.update")
    assert entry.changes["after"]["teams_added"] == ["古美居委志愿服务队"]


# --- status ------------------------------------------------------------------------------------------------

def test_status_change_audited(world, client, login_as):
    member = world["member"]
    login_as("office")
    page = client.get(f"/volunteers/{member.id}").get_data(as_text=True)
    assert 'data-confirm="确定注销该志愿者' in page
    response = client.post(f"/volunteers/{member.id}/status", data={"status": "cancelled"})
    assert response.status_code == 302
    db.session.expire_all()
    assert member.status == "cancelled"
    (entry,) = audit_entries("volunteer.status")
    assert entry.changes == {"before": {"status": "active"}, "after": {"status": "cancelled"}}
    page = client.get(f"/volunteers/{member.id}").get_data(as_text=True)
    assert "恢复" in page and "注销" in page
    client.post(f"/volunteers/{member.id}/status", data={"status": "active"})
    db.session.expire_all()
    assert member.status == "active" and len(audit_entries("volunteer.status")) == 2


def test_status_bad_value_or_no_change(world, client, login_as):
    member = world["member"]
    login_as("office")
    assert client.post(f"/volunteers/{member.id}/status", data={"status": "deleted"}).status_code == 400
    assert client.post(f"/volunteers/{member.id}/status", data={"status": "active"}).status_code == 302
    assert audit_entries("volunteer.status") == []


def test_csrf_required_on_posts(world, app, client, login_as):
    login_as("office")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        _assert_csrf_refusals(world, client)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _assert_csrf_refusals(world, client):
    assert client.post(f"/volunteers/{world['member'].id}/status", data={"status": "cancelled"}).status_code == 400
    assert client.post(f"/volunteers/{world['member'].id}/id-number").status_code == 400
    assert client.post("/volunteers/new", data=form_data()).status_code == 400
    assert audit_entries("volunteer.view_id") == [] and counts()[0] == 2
