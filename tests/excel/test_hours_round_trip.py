"""`export hours` writes masked ID numbers (310104********123X); importing that file again must
change nothing: a masked 证件号码 is not an error, the volunteer is found by 手机号码 + 姓名."""
from __future__ import annotations

import json
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from tests import factories
from tests.imports.helpers import TODAY, errors_by_row, id_number, make_teams, workbook_bytes
from volunteer.excel.exporters import export_hours
from volunteer.excel.importers import import_hours
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord

HEADER = ["姓名", "证件号码", "手机号码", "所属队伍", "活动名称", "服务类别", "活动日期", "开始时间", "结束时间", "服务时长", "备注"]
DAY = date(2026, 3, 5)
MASKED_MESSAGE = "证件号码已隐去部分数字（含*），不能用来查找志愿者"


def snapshot():
    return [(r.id, r.activity_id, r.volunteer_id, r.minutes, r.status, r.note, r.approved_at)
            for r in db.session.scalars(select(ServiceRecord).order_by(ServiceRecord.id))]


@pytest.fixture
def recorded(app):
    """Records of every live status, minutes that are no whole number of hours, a passport holder,
    and a family (different names) sharing one mobile number."""
    a, b = factories.make_team("甲队"), factories.make_team("乙队")
    cat = factories.make_category("垃圾分类")
    people = [factories.make_volunteer("张三", teams=[a]), factories.make_volunteer("李四", teams=[b]),
              factories.make_volunteer("王芳", phone="13900001111"), factories.make_volunteer("王小明", phone="13900001111"),
              factories.make_volunteer("玛丽亚·李", gender="女")]
    passport = people[-1]
    passport.id_type, passport.id_number, passport.id_last4 = "护照", "E12345678", "5678"
    acts = [factories.make_activity(a, title="清洁家园", service_date=date(2026, 3, 1), category=cat,
                                    start_time="09:00", end_time="11:30"),
            factories.make_activity(b, title="文明交通", service_date=date(2026, 3, 8), category=cat),
            factories.make_activity(a, title="助老陪伴", service_date=date(2026, 2, 27), category=None,
                                    start_time="14:00", end_time="17:00")]
    minutes = [100, 45, 150, 50, 61, 7, 180, 90, 1, 135]
    statuses = ["approved", "pending"]
    k = 0
    for act in acts:
        for person in people:
            if act is acts[2] and person is people[1]:
                continue  # not everyone was there
            factories.make_record(act, person, minutes[k % len(minutes)], status=statuses[k % 2],
                                  note="=1+2" if k == 3 else None,
                                  approved_at=datetime(2026, 3, 9, 2, 0) if k % 2 == 0 else None)
            k += 1
    db.session.commit()
    return {"people": people, "count": k}


def test_export_then_import_changes_nothing_with_masked_ids(app, recorded, tmp_path):
    out = tmp_path / "hours.xlsx"
    assert export_hours(None, out) == recorded["count"]
    sheet = openpyxl.load_workbook(out).worksheets[0]
    numbers = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(numbers) == recorded["count"] and all("*" in n for n in numbers)  # every one masked
    before = snapshot()

    result = app.test_cli_runner().invoke(args=["import", "hours", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["errors"] == [] and report["rejected"] == 0
    assert (report["rows"], report["unchanged"], report["created"], report["activities_created"]) == \
        (recorded["count"], recorded["count"], 0, 0)
    db.session.expire_all()
    assert snapshot() == before


def test_export_then_import_again_without_json_exits_0(app, recorded, tmp_path):
    out = tmp_path / "hours.xlsx"
    export_hours(None, out)
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["import", "hours", str(out)])
        assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert len(snapshot()) == recorded["count"]


# --- the rule itself, on hand-made files ---------------------------------------------------------

def run(*rows, **kw):
    report = import_hours(None, workbook_bytes({"服务时长": [HEADER, *rows]}), file_name="hours.xlsx", today=TODAY, **kw)
    db.session.commit()
    return report


def row(name, idn, phone=None, hours=2, title="清洁家园"):
    return [name, idn, phone, "甲队", title, "助力创全", DAY, "09:00", "12:00", hours, None]


@pytest.fixture
def people(app):
    make_teams("甲队")
    zhang = factories.make_volunteer(name="张三", id_number=id_number(serial=1), phone="13912345678")
    twin1 = factories.make_volunteer(name="王五", id_number=id_number(serial=3), phone="13900000000")
    twin2 = factories.make_volunteer(name="王五", id_number=id_number(serial=4), phone="13900000000")
    db.session.commit()
    return {"zhang": zhang, "twins": (twin1, twin2)}


def masked(number):
    return number[:6] + "*" * 8 + number[-4:]


def test_masked_number_with_phone_and_name_finds_the_volunteer(people):
    report = run(row("张三", masked(people["zhang"].id_number), "13912345678"),
                 row("张三", "310104＊＊＊＊＊＊＊＊0011", "139 1234 5678", hours=1, title="另一个活动"))  # full-width
    assert report["errors"] == [] and report["created"] == 2
    assert {r.volunteer_id for r in db.session.scalars(select(ServiceRecord))} == {people["zhang"].id}


def test_masked_number_that_cannot_be_used(people):
    report = run(row("张三", masked(people["zhang"].id_number)),                   # no mobile number
                 row("张三", masked(people["zhang"].id_number), "13800000000"),    # mobile and name do not match
                 row("王五", masked(people["twins"][0].id_number), "13900000000"))  # two people match
    by_row = errors_by_row(report)
    assert by_row[2] == [("证件号码", f"{MASKED_MESSAGE}；请填写手机号码，或填写完整的证件号码")]
    assert by_row[3] == [("证件号码", f"{MASKED_MESSAGE}，按手机号码和姓名也未找到相符的志愿者；"
                                    "请核对手机号码，或填写完整的证件号码")]
    assert by_row[4] == [("证件号码", f"{MASKED_MESSAGE}，而手机号码和姓名都相同的志愿者有多名；请填写完整的证件号码")]
    assert report["written"] is False


def test_a_full_number_is_still_checked(people):
    report = run(row("张三", "310104199001011234", "13912345678"))
    assert errors_by_row(report) == {2: [("证件号码", "校验位错误")]}


def test_voided_records_in_an_export_are_not_revived_by_importing_it(app, recorded, tmp_path):
    office = factories.make_user("office")
    victim = db.session.scalars(select(ServiceRecord).where(ServiceRecord.status == "approved")).first()
    from volunteer.hours.services import void_record

    void_record(office, victim, "重复登记")
    db.session.commit()
    out = tmp_path / "hours.xlsx"
    export_hours(None, out)
    before = snapshot()
    result = app.test_cli_runner().invoke(args=["import", "hours", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["created"] == 0 and report["unchanged"] == recorded["count"]
    assert any(w["message"] == "状态为“已作废”的记录不导入" for w in report["warnings"])
    db.session.expire_all()
    assert snapshot() == before
