"""Hours import rules: finding the volunteer and the activity, 服务时长, duplicates, existing
records, locked months, disagreeing rows, leaders' scope."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.imports.helpers import TODAY, errors_by_row, id_number, make_teams, warnings_by_row, workbook_bytes
from volunteer.activities.models import Activity
from volunteer.audit.models import AuditLog
from volunteer.errors import ServiceError
from volunteer.excel.importers import import_hours
from volunteer.extensions import db
from volunteer.hours.models import MonthLock, ServiceRecord
from volunteer.teams.models import ServiceCategory

HEADER = ["姓名", "证件号码", "手机号码", "所属队伍", "活动名称", "服务类别", "活动日期", "开始时间", "结束时间", "服务时长", "备注"]
DAY = date(2026, 3, 5)


def run(*rows, actor=None, header=HEADER, **kw):
    data = workbook_bytes({"服务时长": [header, *rows]})
    report = import_hours(actor, data, file_name="hours.xlsx", today=TODAY, **kw)
    db.session.commit()
    return report


def row(name="张三", idn=None, phone=None, team="甲队", title="清洁家园", category="助力创全", day=DAY,
        start="09:00", end="12:00", hours=2, note=None):
    return [name, idn, phone, team, title, category, day, start, end, hours, note]


def records():
    return db.session.scalars(select(ServiceRecord).order_by(ServiceRecord.id)).all()


@pytest.fixture
def people(app):
    teams = make_teams("甲队", "乙队")
    zhang = factories.make_volunteer(name="张三", id_number=id_number(serial=1), phone="13912345678")
    li = factories.make_volunteer(name="李四", id_number=id_number(serial=2), phone="13912345679")
    # Two registered people with the same name and mobile (a family sharing one phone, same name).
    twin1 = factories.make_volunteer(name="王五", id_number=id_number(serial=3), phone="13900000000")
    twin2 = factories.make_volunteer(name="王五", id_number=id_number(serial=4), phone="13900000000")
    db.session.commit()
    return {"teams": teams, "zhang": zhang, "li": li, "twins": (twin1, twin2)}


def test_found_by_id_or_by_phone_and_name(people):
    report = run(row(idn=people["zhang"].id_number.lower()),
                 row(name="李 四", phone="+86 139-1234-5679"))
    assert (report["created"], report["activities_created"], report["errors"]) == (2, 1, [])
    assert {r.volunteer_id for r in records()} == {people["zhang"].id, people["li"].id}


def test_who_cannot_be_found(people):
    report = run(row(idn=id_number(serial=9)),
                 row(name="李五", idn=people["li"].id_number),
                 row(name="王五", phone="13900000000"),
                 row(name="赵六", phone="13912345678"),
                 row(name="张三"),
                 row(idn="310104199001011235"))
    by_row = errors_by_row(report)
    assert by_row[2] == [("证件号码", "未找到该证件号码的志愿者，请先登记志愿者")]
    assert by_row[3] == [("姓名", "姓名与该证件号码登记的姓名不一致")]
    assert by_row[4][0][0] == "手机号码" and "多名" in by_row[4][0][1]
    assert by_row[5][0][0] == "手机号码" and "未找到" in by_row[5][0][1]
    assert by_row[6] == [("证件号码", "证件号码和手机号码至少填写一项，用于找到志愿者")]
    assert by_row[7] == [("证件号码", "校验位错误")]
    assert report["written"] is False and records() == []


@pytest.mark.parametrize("hours, minutes, error", [
    (2, 120, None), (1.25, 75, None), (0.1, 6, None), ("1.5", 90, None), (3, 180, None),
    ("１．５", 90, None), (1.0084, 61, None), ("0.975", 59, None), (1.0083, 60, None),
    ("2小时", None, "服务时长必须是数字（小时）"), (0, None, "服务时长必须大于0"), (-1, None, "服务时长必须大于0"),
    (25, None, "服务时长不能超过24小时"), (3.5, None, "服务时长超过活动时间（共3小时）"), (None, None, "服务时长不能为空"),
])
def test_duration_rules(people, hours, minutes, error):
    report = run(row(idn=people["zhang"].id_number, hours=hours))
    if error:
        assert errors_by_row(report) == {2: [("服务时长", error)]}
    else:
        assert report["errors"] == [] and records()[0].minutes == minutes


def test_no_times_no_span_limit_and_time_cells(people):
    report = run(row(idn=people["zhang"].id_number, start=None, end=None, hours=10),
                 row(name="李四", idn=people["li"].id_number, title="夜间巡逻", start=time(18, 0), end=time(22, 30), hours=4.5),
                 row(name="王五", idn=people["twins"][0].id_number, title="早班", start="8:00", end="7:00"),
                 skip_invalid=True)
    assert errors_by_row(report) == {4: [("结束时间", "结束时间必须晚于开始时间")]}
    night = db.session.scalar(select(Activity).where(Activity.title == "夜间巡逻"))
    assert (night.start_time, night.end_time) == ("18:00", "22:30")


def test_activity_found_or_created_and_category_created(people):
    factories.make_category("助力创全")
    existing = factories.make_activity(team=people["teams"]["甲队"], title="清洁家园", service_date=DAY)
    db.session.commit()
    report = run(row(idn=people["zhang"].id_number),
                 row(name="李四", idn=people["li"].id_number, team="乙队", title="清洁家园", category="新类别"),
                 row(name="王五", idn=people["twins"][0].id_number, day="2026/3/6"))
    assert (report["created"], report["activities_created"]) == (3, 2)
    recs = records()
    assert recs[0].activity_id == existing.id
    new_cat = db.session.scalar(select(ServiceCategory).where(ServiceCategory.name == "新类别"))
    assert recs[1].category_id == new_cat.id and recs[1].activity.category_id == new_cat.id
    assert recs[2].service_date == date(2026, 3, 6)
    for r in recs:
        assert (r.team_id, r.category_id, r.service_date) == (r.activity.team_id, r.activity.category_id,
                                                             r.activity.service_date)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "import.hours"))
    assert sorted(entry.changes["records"]) == [r.id for r in recs]
    assert entry.changes["categories_created"] == [new_cat.id] and len(entry.changes["activities_created"]) == 2


def test_unknown_team_and_future_date(people):
    report = run(row(idn=people["zhang"].id_number, team="不存在队"),
                 row(name="李四", idn=people["li"].id_number, day=date(2027, 1, 1)),
                 row(name="李四", idn=people["li"].id_number, day="2026-02-30"))
    by_row = errors_by_row(report)
    assert by_row[2] == [("所属队伍", "队伍不存在：不存在队")]
    assert by_row[3][0][0] == "活动日期" and "晚于今天" in by_row[3][0][1]
    assert by_row[4][0][0] == "活动日期"


def test_same_volunteer_twice_on_one_activity(people):
    report = run(row(idn=people["zhang"].id_number),
                 row(phone="13912345678", hours=1),
                 row(idn=people["zhang"].id_number, title="另一个活动"), skip_invalid=True)
    assert errors_by_row(report) == {3: [("姓名", "同一志愿者在同一活动中重复，与第2行重复")]}
    assert report["created"] == 2 and [r.minutes for r in records()] == [120, 120]


def test_already_recorded_same_or_different_minutes(people):
    run(row(idn=people["zhang"].id_number), row(name="李四", idn=people["li"].id_number))
    report = run(row(idn=people["zhang"].id_number), row(name="李四", idn=people["li"].id_number, hours=2.5))
    assert report["unchanged"] == 1
    assert errors_by_row(report) == {3: [("服务时长", "已登记为2小时，如需更正请在系统中修改")]}
    assert [r.minutes for r in records()] == [120, 120]
    # A voided record no longer counts as recorded.
    rec = records()[1]
    rec.status = "void"
    db.session.commit()
    again = run(row(name="李四", idn=people["li"].id_number, hours=2.5))
    assert again["created"] == 1 and records()[-1].minutes == 150


def test_locked_month_rejected(people):
    db.session.add(MonthLock(month="2026-03"))
    db.session.commit()
    report = run(row(idn=people["zhang"].id_number), row(name="李四", idn=people["li"].id_number, day=date(2026, 4, 1)),
                 skip_invalid=True)
    assert errors_by_row(report) == {2: [("活动日期", "2026-03 已锁账，不能导入该月的服务时长")]}
    assert report["created"] == 1


def test_rows_of_one_activity_that_disagree_first_wins_with_warnings(people):
    report = run(row(idn=people["zhang"].id_number, category=None, start=None, end=None),
                 row(name="李四", idn=people["li"].id_number, category="文明交通", start="09:00", end="11:00"),
                 row(name="王五", idn=people["twins"][0].id_number, category="垃圾分类", start="08:00", end="11:00",
                     hours=3), skip_invalid=True)
    warnings = warnings_by_row(report)
    assert warnings[4] == [("服务类别", "与同一活动的服务类别“文明交通”不一致，以第3行为准"),
                           ("开始时间", "与同一活动的时间（09:00–11:00）不一致，以第3行为准")]
    assert errors_by_row(report) == {4: [("服务时长", "服务时长超过活动时间（共2小时）")]}
    act = db.session.scalar(select(Activity))
    assert (act.category.name, act.start_time, act.end_time) == ("文明交通", "09:00", "11:00")


def test_existing_activity_wins_over_the_file(people):
    cat = factories.make_category("助力创全")
    factories.make_activity(team=people["teams"]["甲队"], title="清洁家园", service_date=DAY, category=cat,
                            start_time="09:00", end_time="10:00")
    db.session.commit()
    report = run(row(idn=people["zhang"].id_number, category="垃圾分类", hours=1))
    assert warnings_by_row(report)[2] == [
        ("服务类别", "与同一活动的服务类别“助力创全”不一致，系统中已有该活动，以系统中的为准"),
        ("结束时间", "与同一活动的时间（09:00–10:00）不一致，系统中已有该活动，以系统中的为准")]
    assert report["created"] == 1 and report["activities_created"] == 0


def test_office_import_is_approved_by_the_actor_and_leader_import_is_pending(people):
    office = factories.make_user(role="office")
    run(row(idn=people["zhang"].id_number), actor=office)
    rec = records()[0]
    assert (rec.status, rec.approved_by_id, rec.created_by_id, rec.source) == ("approved", office.id, office.id, "import")
    leader = factories.make_user(role="leader", teams=[people["teams"]["乙队"]])
    db.session.commit()
    report = run(row(name="李四", idn=people["li"].id_number, team="乙队"), row(name="李四", idn=people["li"].id_number, title="别队活动"),
                 actor=leader, skip_invalid=True)
    assert errors_by_row(report) == {3: [("所属队伍", "您不是“甲队”的队长，只能导入您负责的队伍的服务时长")]}
    rec = records()[-1]
    assert (rec.status, rec.approved_by_id, rec.created_by_id) == ("pending", None, leader.id)
    volunteer_user = factories.make_user(role="volunteer")
    with pytest.raises(ServiceError):
        run(row(name="李四", idn=people["li"].id_number), actor=volunteer_user)


def test_note_kept_verbatim_and_all_or_nothing(people):
    report = run(row(idn=people["zhang"].id_number, note="=1+2"), row(name="李四", idn=people["li"].id_number, hours="两小时"))
    assert report["written"] is False and records() == []
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0
    report = run(row(idn=people["zhang"].id_number, note="=1+2"), row(name="李四", idn=people["li"].id_number, hours="两小时"),
                 skip_invalid=True)
    assert report["written"] is True and records()[0].note == "=1+2"


def test_date_cells_and_text(people):
    report = run(row(idn=people["zhang"].id_number, day=datetime(2026, 3, 5)),
                 row(name="李四", idn=people["li"].id_number, day="2026年3月5日"))
    assert report["activities_created"] == 1 and report["created"] == 2
