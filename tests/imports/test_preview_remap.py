"""The preview lets the office correct the column mapping, shows what confirming writes, and
offers another kind when the headers fit it better (CONTRACT sections 4 and 12)."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from tests import factories
from tests.imports.helpers import id_number, workbook_bytes
from tests.imports.test_routes import text, token_of, upload
from volunteer.activities.models import Activity
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord
from volunteer.imports.models import ImportBatch
from volunteer.teams.models import Team
from volunteer.volunteers.models import Volunteer

# 联系方式 is a listed alias of 手机号码, so the guesser takes it; here it holds landlines, and
# the mobiles are under 电话, which is no alias: every row is rejected until the office re-maps.
MISGUESSED = [["序号", "姓名", "证件号码", "联系方式", "电话"],
              [1, "张三", id_number(serial=11), "021-64001234", "13912345678"],
              [2, "李四", id_number(serial=12), "021-64005678", "13812345678"]]


def batch_of(token) -> ImportBatch:
    db.session.expire_all()
    return db.session.scalar(select(ImportBatch).where(ImportBatch.token == token))


def remap(client, token, choices: dict[str, str], **extra):
    """POST the column mapping: header as written -> field ('' for 不导入), the rest as guessed."""
    columns = batch_of(token).report["columns"]
    form = {f"col{i}": choices.get(header, field or "") for i, (header, field) in enumerate(columns.items())}
    return client.post(f"/imports/{token}/recheck", data={**form, **extra})


def selected(body: str, name: str) -> str:
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', body, re.S).group(0)
    return re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select_html).group(0)


def test_office_remaps_a_misguessed_column_and_confirm_writes_what_the_preview_showed(client, login_as):
    login_as("office")
    token = token_of(upload(client, "volunteers", workbook_bytes({"花名册": MISGUESSED}), "花名册.xlsx"))
    body = text(client.get(f"/imports/{token}"))
    assert "手机号码格式" in body or "手机号码" in body
    assert batch_of(token).report["rejected"] == 2 and "按此对应重新检查" in body
    response = remap(client, token, {"联系方式": "", "电话": "手机号码"})
    assert response.status_code == 302
    batch = batch_of(token)
    assert batch.remap == {"序号": None, "姓名": "姓名", "证件号码": "证件号码", "联系方式": None, "电话": "手机号码"}
    assert batch.report["rejected"] == 0 and batch.report["created"] == 2
    assert batch.report["columns"]["电话"] == "手机号码" and batch.report["columns"]["联系方式"] is None
    page = text(client.get(f"/imports/{token}"))
    assert "确认导入" in page and "13912345678" in page
    assert 'value="手机号码" selected' in page or 'selected value="手机号码"' in page
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "import.recheck"))
    assert audit is not None and "花名册.xlsx" in audit.summary
    assert client.post(f"/imports/{token}/confirm").status_code == 302
    phones = set(db.session.scalars(select(Volunteer.phone)))
    assert phones == {"13912345678", "13812345678"}


def test_a_required_column_not_recognised_is_chosen_on_the_preview(client, login_as):
    login_as("office")
    rows = [["姓名", "身份证", "手机号码"], ["张三", id_number(serial=21), "13912345678"]]
    token = token_of(upload(client, "volunteers", workbook_bytes({"s": rows}), "r.xlsx"))
    body = text(client.get(f"/imports/{token}"))
    assert "缺少必填列：证件号码" in body and "按此对应重新检查" in body and "确认导入" not in body
    assert client.post(f"/imports/{token}/confirm").status_code == 302  # refused: nothing to write yet
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
    assert remap(client, token, {"身份证": "证件号码"}).status_code == 302
    assert batch_of(token).report.get("fatal") is None and batch_of(token).report["created"] == 1
    client.post(f"/imports/{token}/confirm")
    assert db.session.scalar(select(Volunteer.name)) == "张三"


def test_bad_choices_are_refused_with_the_choices_kept(client, login_as):
    login_as("office")
    token = token_of(upload(client, "volunteers", workbook_bytes({"花名册": MISGUESSED}), "花名册.xlsx"))
    twice = remap(client, token, {"电话": "手机号码"})  # 联系方式 stays 手机号码 too
    body = text(twice)
    assert twice.status_code == 200 and "“联系方式”和“电话”都对应了“手机号码”" in body
    assert 'value="手机号码" selected' in selected(body, "col4") or "手机号码" in selected(body, "col4")
    none = text(remap(client, token, {"证件号码": ""}))
    assert "必填的字段没有对应的列：证件号码" in none
    bogus = text(remap(client, token, {"电话": "工资"}))
    assert "“电话”的对应字段无效" in bogus
    assert batch_of(token).remap is None  # nothing stored


def test_preview_lists_rows_to_add_and_update_with_changes_masked(client, login_as, today):
    team = factories.make_team("虹桥居委志愿服务队")
    known = factories.make_volunteer(name="王五", id_number=id_number(serial=31), phone="13700000000",
                                     birth=date(1990, 1, 5))
    login_as("office")
    rows = [["姓名", "证件号码", "手机号码", "所属队伍"],
            ["王五", known.id_number, "13711111111", "虹桥居委志愿服务队"],
            ["赵六", id_number(serial=32), "13722222222", "虹桥居委志愿服务队"]]
    token = token_of(upload(client, "volunteers", workbook_bytes({"s": rows}), "r.xlsx"))
    body = text(client.get(f"/imports/{token}"))
    create = re.search(r'id="import-plan-create".*?</table>', body, re.S).group(0)
    update = re.search(r'id="import-plan-update".*?</table>', body, re.S).group(0)
    assert "赵六" in create and "310104********" in create and id_number(serial=32) not in body
    assert "王五" in update and "13700000000" in update and "13711111111" in update and "加入 虹桥居委志愿服务队" in update
    assert known.id_number not in body
    # Once confirmed, the list of people is gone with the file.
    client.post(f"/imports/{token}/confirm")
    assert batch_of(token).plan is None and team.id


def test_hours_preview_lists_activities_to_create_and_their_status(client, login_as, today):
    team = factories.make_team("甲队")
    v = factories.make_volunteer(name="张三", id_number=id_number(serial=41), teams=[team])
    rows = [["姓名", "证件号码", "所属队伍", "活动名称", "活动日期", "服务时长"],
            ["张三", v.id_number, "甲队", "社区清洁", "2026-03-15", 2]]
    data = workbook_bytes({"s": rows})
    login_as("office")
    body = text(client.get(f"/imports/{token_of(upload(client, 'hours', data, 'h.xlsx'))}"))
    activities = re.search(r'id="import-plan-activities".*?</table>', body, re.S).group(0)
    assert "社区清洁" in activities and "2026-03-15" in activities and "甲队" in activities
    assert "导入的服务时长将直接记为“<strong>已确认</strong>”" in body
    client.post("/logout")
    login_as("leader", teams=[team])
    body = text(client.get(f"/imports/{token_of(upload(client, 'hours', data, 'h.xlsx'))}"))
    assert "“<strong>待审核</strong>”" in body and "**************" in body and v.id_number not in body
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0
    assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) == 0


def test_roster_uploaded_as_hours_offers_volunteers(client, login_as):
    login_as("office")
    rows = [["姓名", "性别", "证件号码", "手机号码", "居住社区"], ["张三", "男", id_number(serial=51), "13912345678", "虹桥"]]
    token = token_of(upload(client, "hours", workbook_bytes({"s": rows}), "名单.xlsx"))
    body = text(client.get(f"/imports/{token}"))
    assert "表头更像“志愿者”表格" in body and "改为按“志愿者”检查" in body
    assert client.post(f"/imports/{token}/recheck", data={"kind": "volunteers"}).status_code == 302
    batch = batch_of(token)
    assert batch.kind == "volunteers" and batch.report["created"] == 1 and batch.remap is None
    assert "表头更像" not in text(client.get(f"/imports/{token}"))


def test_hours_file_uploaded_as_roster_and_teams_file_as_roster(client, login_as):
    login_as("office")
    hours = [["姓名", "证件号码", "手机号码", "所属队伍", "活动名称", "活动日期", "服务时长"],
             ["张三", id_number(serial=61), "13912345678", "甲队", "清洁", "2026-03-15", 2]]
    token = token_of(upload(client, "volunteers", workbook_bytes({"s": hours}), "h.xlsx"))
    assert "表头更像“服务时长”表格" in text(client.get(f"/imports/{token}"))
    teams = [["队伍名称", "队伍类型"], ["甲队", "居委"]]
    token = token_of(upload(client, "volunteers", workbook_bytes({"s": teams}), "t.xlsx"))
    assert "表头更像“队伍”表格" in text(client.get(f"/imports/{token}"))
    client.post(f"/imports/{token}/recheck", data={"kind": "teams"})
    client.post(f"/imports/{token}/confirm")
    assert db.session.scalar(select(Team.name)) == "甲队"


def test_leader_cannot_switch_to_a_kind_they_may_not_import(client, login_as):
    team = factories.make_team("甲队")
    login_as("leader", teams=[team])
    rows = [["姓名", "证件号码", "所属队伍", "活动名称", "活动日期", "服务时长"],
            ["张三", id_number(serial=71), "甲队", "清洁", "2026-03-15", 2]]
    token = token_of(upload(client, "hours", workbook_bytes({"s": rows}), "h.xlsx"))
    assert client.post(f"/imports/{token}/recheck", data={"kind": "volunteers"}).status_code == 403
    assert client.post(f"/imports/{token}/recheck", data={"kind": "nonsense"}).status_code == 404
    assert batch_of(token).kind == "hours"


def test_a_leaders_recheck_pays_for_its_answers_and_a_refused_one_changes_nothing(app, client, login_as,
                                                                                   monkeypatch):
    from volunteer import throttle

    monkeypatch.setitem(app.config, "LOOKUP_BUDGET", 5)
    own = factories.make_team("甲队")
    leader = login_as("leader", teams=[own])
    rows = [["姓名", "证件号码", "所属队伍", "活动名称", "活动日期", "服务时长"]] + \
        [[f"路人{i}", id_number(serial=600 + i), "甲队", "巡逻", "2026-03-01", 2] for i in range(2)]
    token = token_of(upload(client, "hours", workbook_bytes({"s": rows}), "h.xlsx"))
    db.session.expire_all()
    assert throttle.budget_left(leader) == 3
    assert remap(client, token, {}).status_code == 302  # the same answers again: paid again
    db.session.expire_all()
    assert throttle.budget_left(leader) == 1
    refused = client.post(f"/imports/{token}/recheck", data={"col0": "姓名", "col1": "证件号码", "col2": "所属队伍",
                                                             "col3": "活动名称", "col4": "活动日期", "col5": "服务时长"},
                          follow_redirects=True)
    assert "操作过于频繁" in text(refused)
    db.session.expire_all()
    assert throttle.budget_left(leader) == 1 and batch_of(token).remap is not None  # the paid one stays


def test_two_columns_of_equal_rank_are_settled_on_the_preview(client, login_as):
    login_as("office")
    rows = [["姓名", "身份证号", "身份证号（新）", "手机号码"],
            ["张三", "作废", id_number(serial=91), "13912345678"]]
    token = token_of(upload(client, "volunteers", workbook_bytes({"s": rows}), "r.xlsx"))
    body = text(client.get(f"/imports/{token}"))
    assert "表头不明确" in body and "按此对应重新检查" in body and "无需重新上传" in body
    assert remap(client, token, {"身份证号": "", "身份证号（新）": "证件号码"}).status_code == 302
    assert batch_of(token).report["created"] == 1
    client.post(f"/imports/{token}/confirm")
    assert db.session.scalar(select(Volunteer.id_number)) == id_number(serial=91)


def test_teams_preview_lists_the_team_to_add_and_the_change_to_an_existing_one(client, login_as):
    factories.make_team("甲队", kind="居委")
    login_as("office")
    rows = [["队伍名称", "队伍类型", "所属阵地"], ["甲队", "社会组织", ""], ["乙队", "居委", "虹桥站"]]
    body = text(client.get(f"/imports/{token_of(upload(client, 'teams', workbook_bytes({'s': rows}), 't.xlsx'))}"))
    create = re.search(r'id="import-plan-create".*?</table>', body, re.S).group(0)
    update = re.search(r'id="import-plan-update".*?</table>', body, re.S).group(0)
    assert "乙队" in create and "虹桥站" in create and "甲队" not in create
    assert "甲队" in update and "队伍类型" in update and "居委" in update and "社会组织" in update
