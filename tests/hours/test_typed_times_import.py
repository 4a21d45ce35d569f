"""The hours import reads times as people type them (the one parser, fields.parse_time) and
stores the activity's times as HH:MM; a day still to come is refused (CONTRACT section 12)."""
from datetime import timedelta

from sqlalchemy import select

from tests import factories
from tests.imports.helpers import TODAY, errors_by_row, id_number, make_teams, workbook_bytes
from volunteer.activities.models import Activity
from volunteer.excel.importers import import_hours
from volunteer.extensions import db

HEADER = ["姓名", "证件号码", "手机号码", "所属队伍", "活动名称", "服务类别", "活动日期", "开始时间", "结束时间", "服务时长", "备注"]


def _run(*rows):
    report = import_hours(None, workbook_bytes({"服务时长": [HEADER, *rows]}), file_name="h.xlsx", today=TODAY)
    db.session.commit()
    return report


def test_chinese_style_times_are_stored_as_hh_mm(app):
    make_teams("甲队")
    person = factories.make_volunteer(name="张三", id_number=id_number(serial=1))
    db.session.commit()
    report = _run(["张三", person.id_number, None, "甲队", "早班", "助力创全", TODAY, "9点", "11：30", 2, None],
                  ["张三", person.id_number, None, "甲队", "晚班", "助力创全", TODAY, "9.30", "10点半", 1, None])
    assert report["errors"] == [] and report["created"] == 2
    times = {a.title: (a.start_time, a.end_time) for a in db.session.scalars(select(Activity))}
    assert times == {"早班": ("09:00", "11:30"), "晚班": ("09:30", "10:30")}


def test_a_day_to_come_is_refused(app):
    make_teams("甲队")
    person = factories.make_volunteer(name="张三", id_number=id_number(serial=1))
    db.session.commit()
    report = _run(["张三", person.id_number, None, "甲队", "明天", "助力创全", TODAY + timedelta(days=1),
                   "9:00", "11:00", 2, None])
    assert "晚于今天" in str(errors_by_row(report)[2]) and report["created"] == 0
