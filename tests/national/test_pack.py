"""The national pack (CONTRACT section 10): sheets read back with openpyxl, each 不能导出 reason,
numbered batches, --since-last after an approval and after a correction, the CLI's exit codes."""
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from tests.factories import make_activity, make_record, make_user, make_volunteer
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.hours.services import approve_records, correct_record, void_record
from volunteer.national.models import NationalBatch, NationalExported
from volunteer.national.pack import create_batch

PAST = date(2025, 6, 1)
NOW = datetime(2025, 7, 1, 12, 0)  # Beijing wall-clock "now" the rules judge by (fixed: no time of day)


def _sheets(path):
    book = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def _pack(tmp_path, name="pack.xlsx", actor=None, **kw):
    path = tmp_path / name
    with open(path, "w+b") as f:
        batch = create_batch(actor, f, now_local=kw.pop("now_local", NOW), **kw)
    db.session.commit()
    return batch, _sheets(path)


def _by_header(sheet):
    header, *rows = sheet
    return [dict(zip(header, row)) for row in rows]


def test_sheets_and_columns(app, tmp_path):
    person = make_volunteer(name="张三", political_status="中共党员", education="本科", skills="驾驶、摄影",
                            national_no="0012345")
    activity = make_activity(title="社区清洁", service_date=PAST, start_time="09:00", end_time="11:30")
    rec = make_record(activity, person, minutes=150, note="=1+2")
    batch, sheets = _pack(tmp_path)

    assert list(sheets) == ["志愿者", "服务时长", "不能导出"]
    people = _by_header(sheets["志愿者"])
    assert people == [{"姓名": "张三", "证件类型": "内地居民身份证", "证件号码": person.id_number,
                       "性别": person.gender, "出生日期": datetime(1990, 1, 5), "手机号码": person.phone,
                       "政治面貌": "中国共产党党员", "学历": "大学本科", "个人特长": "驾驶运输、摄像摄影",
                       "全国志愿者编号": "0012345", "本系统编号": person.id}]
    hours = _by_header(sheets["服务时长"])
    assert hours == [{"证件类型": "内地居民身份证", "证件号码": person.id_number, "姓名": "张三",
                      "全国志愿者编号": "0012345", "项目名称": "社区清洁",
                      "开始时间": datetime(2025, 6, 1, 9, 0), "结束时间": datetime(2025, 6, 1, 11, 30),
                      "时长": 2.5, "录入方式": "1", "备注": "=1+2", "本系统记录号": rec.id}]
    assert sheets["不能导出"] == [["本系统记录号", "姓名", "项目名称", "活动日期", "开始时间", "结束时间", "时长",
                                "不能导出的原因"]]
    assert (batch.id, batch.volunteers, batch.records, batch.refused) == (1, 1, 1, 0)
    assert len(batch.digest) == 64
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "national.export")).one()
    assert entry.object_id == str(batch.id) and entry.actor_name == "cli"


def test_hours_to_two_decimals_and_only_approved(app, tmp_path):
    activity = make_activity(service_date=PAST, start_time="08:00", end_time="18:00")
    make_record(activity, minutes=100)
    make_record(activity, minutes=60, status="pending")
    make_record(activity, minutes=60, status="void", void_reason="x")
    _batch, sheets = _pack(tmp_path)
    assert [row["时长"] for row in _by_header(sheets["服务时长"])] == [1.67]


@pytest.mark.parametrize("times, minutes, day, reason", [
    ((None, None), 60, PAST, "没有开始和结束时间"),
    (("22:00", "02:00"), 60, PAST, "开始和结束不在同一天"),
    (("09:00", "11:00"), 60, date(2025, 7, 1), "服务时间在将来"),  # ends 11:00 on "today", NOW is 12:00 ...
    (("09:00", "11:00"), 0, PAST, "时长为 0"),
])
def test_each_refusal_reason(app, tmp_path, times, minutes, day, reason):
    if reason.startswith("服务时间在将来"):
        times = ("13:00", "15:00")  # ... so 13:00-15:00 that day has not ended yet
    person = make_volunteer(name="李四")
    activity = make_activity(title="巡逻", service_date=day, start_time=times[0], end_time=times[1])
    rec = make_record(activity, person, minutes=minutes)
    batch, sheets = _pack(tmp_path)
    assert _by_header(sheets["服务时长"]) == []
    refused = _by_header(sheets["不能导出"])
    assert len(refused) == 1 and refused[0]["本系统记录号"] == rec.id
    assert refused[0]["姓名"] == "李四" and refused[0]["项目名称"] == "巡逻"
    assert reason in refused[0]["不能导出的原因"]
    assert batch.refused == 1 and batch.records == 0


def test_overlap_keeps_the_first_and_names_it(app, tmp_path):
    person = make_volunteer()
    first = make_record(make_activity(title="早班", service_date=PAST, start_time="09:00", end_time="11:00"), person)
    second = make_record(make_activity(title="叠班", service_date=PAST, start_time="10:30", end_time="12:00"), person)
    make_record(make_activity(title="下午", service_date=PAST, start_time="11:00", end_time="12:00"),
                make_volunteer())  # another person at the same time: no overlap
    make_record(make_activity(title="接班", service_date=PAST, start_time="11:00", end_time="13:00"), person,
                minutes=60)  # starts when the first ends: no overlap with it (but with 叠班, refused)
    _batch, sheets = _pack(tmp_path)
    sent = {row["本系统记录号"] for row in _by_header(sheets["服务时长"])}
    refused = {row["本系统记录号"]: row["不能导出的原因"] for row in _by_header(sheets["不能导出"])}
    assert first.id in sent and second.id in refused
    assert f"记录号 {first.id}（早班" in refused[second.id]
    assert len(sent) == 3 and len(refused) == 1


def test_dates_filter_inclusive(app, tmp_path):
    for day in (date(2025, 3, 31), date(2025, 4, 1), date(2025, 4, 30), date(2025, 5, 1)):
        make_record(make_activity(service_date=day, start_time="09:00", end_time="10:00"), minutes=60)
    _batch, sheets = _pack(tmp_path, date_from=date(2025, 4, 1), date_to=date(2025, 4, 30))
    days = sorted(row["开始时间"].date() for row in _by_header(sheets["服务时长"]))
    assert days == [date(2025, 4, 1), date(2025, 4, 30)]
    assert len(_by_header(sheets["志愿者"])) == 2  # the people of the batch's records only


def test_everything_lists_volunteers_without_records(app, tmp_path):
    make_volunteer(name="新人")
    make_volunteer(name="已注销", status="cancelled")
    _batch, sheets = _pack(tmp_path)
    assert [row["姓名"] for row in _by_header(sheets["志愿者"])] == ["新人"]


def test_since_last_after_an_approval(app, tmp_path):
    office = make_user("office")
    activity = make_activity(service_date=PAST, start_time="09:00", end_time="11:00")
    old = make_record(activity, minutes=120)
    pending = make_record(activity, minutes=90, status="pending")
    first, _ = _pack(tmp_path, "1.xlsx", since_last=True)
    assert first.records == 1

    second, sheets = _pack(tmp_path, "2.xlsx", since_last=True)
    assert second.id == first.id + 1 and second.records == 0
    assert list(sheets) == ["志愿者", "服务时长", "不能导出", "变更"]
    assert len(sheets["志愿者"]) == 1 and len(sheets["变更"]) == 1  # headers only: an empty batch

    approve_records(office, [pending.id])
    third, sheets = _pack(tmp_path, "3.xlsx", since_last=True)
    assert [row["本系统记录号"] for row in _by_header(sheets["服务时长"])] == [pending.id]
    assert len(_by_header(sheets["志愿者"])) == 1 and third.records == 1
    assert old.id not in {row["本系统记录号"] for row in _by_header(sheets["服务时长"])}


def test_since_last_after_a_correction_and_a_void(app, tmp_path):
    office = make_user("office")
    activity = make_activity(title="助老", service_date=PAST, start_time="09:00", end_time="12:00")
    corrected, voided, kept = (make_record(activity, minutes=120) for _ in range(3))
    first, _ = _pack(tmp_path, "1.xlsx")
    correct_record(office, corrected, 150, "少记了半小时")
    void_record(office, voided, "重复登记", correction=True)
    db.session.commit()

    second, sheets = _pack(tmp_path, "2.xlsx", since_last=True)
    assert [row["本系统记录号"] for row in _by_header(sheets["服务时长"])] == [corrected.id]
    assert _by_header(sheets["服务时长"])[0]["时长"] == 2.5
    changes = {row["本系统记录号"]: row for row in _by_header(sheets["变更"])}
    assert set(changes) == {corrected.id, voided.id}
    assert changes[corrected.id]["变更"] == "更正" and changes[corrected.id]["原时长"] == 2
    assert changes[corrected.id]["现时长"] == 2.5 and changes[corrected.id]["原批次号"] == first.id
    assert changes[voided.id]["变更"] == "作废" and "删除" in changes[voided.id]["处理办法"]
    assert second.changes == 2

    third, sheets = _pack(tmp_path, "3.xlsx", since_last=True)
    assert third.records == 0 and len(sheets["变更"]) == 1  # reported once
    assert db.session.get(NationalExported, kept.id).batch_id == first.id


def test_refused_record_fixed_later_is_sent(app, tmp_path):
    activity = make_activity(service_date=PAST)  # no times
    rec = make_record(activity, minutes=60)
    first, _ = _pack(tmp_path, "1.xlsx", since_last=True)
    assert first.refused == 1
    second, _ = _pack(tmp_path, "2.xlsx", since_last=True)
    assert second.refused == 0  # not repeated while unchanged
    activity.start_time, activity.end_time = "09:00", "10:00"
    db.session.commit()
    third, sheets = _pack(tmp_path, "3.xlsx", since_last=True)
    assert [row["本系统记录号"] for row in _by_header(sheets["服务时长"])] == [rec.id]


def test_a_leader_may_not(app, tmp_path):
    from volunteer.errors import ServiceError

    with pytest.raises(ServiceError):
        _pack(tmp_path, actor=make_user("leader"))


# --- the command line -------------------------------------------------------------------------

def test_cli_writes_the_batch_and_exits_0(app, tmp_path):
    make_record(make_activity(service_date=PAST), minutes=60)  # refused (no times): still exit 0
    out = tmp_path / "national.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "national", str(out)])
    assert result.exit_code == 0, result.output
    assert "第 1 批" in result.output
    assert "不能导出" in _sheets(out)
    result = app.test_cli_runner().invoke(args=["export", "national", str(out), "--since-last",
                                                "--from", "2025-01-01", "--to", "2025-12-31"])
    assert result.exit_code == 0 and "第 2 批" in result.output
    assert db.session.scalar(select(NationalBatch.since_last).where(NationalBatch.id == 2)) is True


@pytest.mark.parametrize("args, message", [
    (["--from", "2025-13-01"], "日期格式不正确"),
    (["--from", "2025-05-01", "--to", "2025-04-01"], "晚于"),
])
def test_cli_bad_arguments_exit_2(app, tmp_path, args, message):
    out = tmp_path / "national.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "national", str(out), *args])
    assert result.exit_code == 2 and message in result.output
    assert not out.exists()
    assert db.session.scalar(select(NationalBatch.id)) is None


def test_cli_unwritable_folder_exits_2(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["export", "national", str(tmp_path / "missing" / "x.xlsx")])
    assert result.exit_code == 2 and "输出文件夹不存在" in result.output


def test_a_lapsed_refusal_is_sent_next_time(app, tmp_path):
    rec = make_record(make_activity(service_date=date(2025, 7, 1), start_time="13:00", end_time="15:00"))
    first, _ = _pack(tmp_path, "1.xlsx", since_last=True)  # NOW is 12:00 that day
    assert first.refused == 1
    second, sheets = _pack(tmp_path, "2.xlsx", since_last=True, now_local=datetime(2025, 7, 2, 9, 0))
    assert [row["本系统记录号"] for row in _by_header(sheets["服务时长"])] == [rec.id]


def test_since_last_new_record_overlapping_one_already_sent(app, tmp_path):
    person = make_volunteer()
    sent = make_record(make_activity(title="晚到", service_date=PAST, start_time="10:00", end_time="12:00"), person)
    make_record(make_activity(service_date=PAST, start_time="09:00", end_time="10:00"), make_volunteer(), minutes=60)
    _pack(tmp_path, "1.xlsx", since_last=True)
    # Starts earlier, so in start order it would come first; the national system keeps what it has.
    new = make_record(make_activity(title="早到", service_date=PAST, start_time="09:00", end_time="11:00"), person)
    second, sheets = _pack(tmp_path, "2.xlsx", since_last=True)
    assert _by_header(sheets["服务时长"]) == []
    refused = _by_header(sheets["不能导出"])
    assert [row["本系统记录号"] for row in refused] == [new.id]
    assert f"记录号 {sent.id}（晚到" in refused[0]["不能导出的原因"]
    assert [row["姓名"] for row in _by_header(sheets["志愿者"])] == [person.name]
