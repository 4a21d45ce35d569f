"""Roster import rules (CONTRACT section 4) on messy files built with openpyxl."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl.styles import Font, PatternFill
from sqlalchemy import func, select

from tests.imports.helpers import (TODAY, errors_by_row, id_number, make_teams, warnings_by_row,
                                   workbook_bytes, years_ago)
from volunteer.audit.models import AuditLog
from volunteer.excel.importers import FatalImportError, import_volunteers
from volunteer.extensions import db
from volunteer.teams.models import Team, TeamMembership
from volunteer.volunteers.models import Volunteer

HEADER = ["姓名", "证件号码", "手机号码", "所属队伍"]


def run(sheets, setup=None, **kw):
    data = workbook_bytes(sheets, setup)
    report = import_volunteers(None, data, file_name="roster.xlsx", today=kw.pop("today", TODAY), **kw)
    db.session.commit()
    return report


def one_sheet(*rows, header=HEADER):
    return {"花名册": [header, *rows]}


def volunteer(number):
    return db.session.scalar(select(Volunteer).where(Volunteer.id_number == number))


def team_names(v):
    return sorted(db.session.scalars(select(Team.name).join(TeamMembership, TeamMembership.team_id == Team.id)
                                     .where(TeamMembership.volunteer_id == v.id)))


@pytest.fixture
def teams(app):
    made = make_teams("甲队", "乙队", "丙队")
    db.session.commit()
    return made


def test_header_on_row_3_under_merged_title_instructions_sheet_first_and_aliases(teams):
    def setup(wb):
        ws = wb["花名册"]
        ws.merge_cells("A1:F1")
        ws["A1"].font = Font(bold=True, size=16)

    sheets = {
        "填写说明": [["请按模板填写，带*的为必填"], ["姓名：填写真实姓名"]],
        "花名册": [["虹桥镇志愿者花名册"], ["填报单位：锦绣居委", None, "填报日期：2026年3月1日"],
                   ["序号", " 姓名* ", "身份证号", "联系电话", "所属志愿服务队", "学历", "特长"],
                   [1, "张三", id_number(serial=1), "13912345678", "甲队", "本科", "摄影"]],
    }
    report = run(sheets, setup)
    assert (report["sheet"], report["header_row"], report["rows"], report["created"]) == ("花名册", 3, 1, 1)
    v = volunteer(id_number(serial=1))
    assert (v.name, v.phone, v.education, v.skills) == ("张三", "13912345678", "本科", "摄影")
    assert team_names(v) == ["甲队"]


def test_errors_name_the_columns_as_written_in_the_file(teams):
    header = ["姓名", "身份证号码", "手机", "志愿服务队"]
    report = run(one_sheet(["李四", "310104199001011235", "12345", "丁队"], header=header))
    assert errors_by_row(report)[2] == [("身份证号码", "校验位错误"),
                                        ("手机", "手机号码格式不正确，应为以13-19开头的11位手机号"),
                                        ("志愿服务队", "队伍不存在：丁队")]
    assert report["rejected"] == 1 and report["written"] is False


def test_id_stored_as_a_number_is_rejected_with_how_to_fix(teams):
    number = id_number(serial=5)
    report = run(one_sheet(["王五", float(number[:17] + "0"), "13912345678", None],
                           ["赵六", "3.10104199001011E+17", "13912345679", None]))
    for row in (2, 3):
        (column, message), = errors_by_row(report)[row]
        assert column == "证件号码" and "数字" in message and "文本" in message


def test_id_and_name_and_phone_normalisation(teams):
    birth = date(1990, 1, 5)
    lower_x = next(id_number(birth, s) for s in range(1, 999) if id_number(birth, s).endswith("X"))
    wide = id_number(birth, 7)
    spaced = id_number(birth, 8)
    full_width = wide.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    report = run(one_sheet(
        ["张  三", lower_x.lower(), "+86 139 1234 5678", "甲队"],
        ["欧阳　娜娜", full_width, "139-1234-5679", None],
        ["阿依·古丽 ", f" {spaced[:6]} {spaced[6:14]} {spaced[14:]} ", "+86-139-1234-5680", None],
    ))
    assert report["errors"] == [] and report["created"] == 3
    assert volunteer(lower_x).name == "张三" and volunteer(lower_x).phone == "13912345678"
    assert volunteer(wide).name == "欧阳娜娜" and volunteer(wide).phone == "13912345679"
    assert volunteer(spaced).name == "阿依·古丽" and volunteer(spaced).phone == "13912345680"


def test_six_date_spellings(teams):
    birth = date(1990, 1, 5)
    spellings = [datetime(1990, 1, 5), "1990-01-05", "1990/1/5", "1990.01.05", "1990年1月5日", "19900105", 19900105]
    rows = [[f"日期{i}", id_number(birth, 100 + i), "13912345678", None, value, value]
            for i, value in enumerate(spellings)]
    report = run(one_sheet(*rows, header=HEADER + ["出生日期", "注册日期"]))
    assert report["errors"] == [] and report["created"] == len(spellings)
    for i in range(len(spellings)):
        v = volunteer(id_number(birth, 100 + i))
        assert (v.birth_date, v.registered_on) == (birth, birth)


def test_dates_that_disagree_or_do_not_exist(teams):
    number = id_number(date(1990, 1, 5), 11)  # odd sequence digit: 男
    report = run(one_sheet(["甲", number, "13912345678", None, "1990-01-06", "女"],
                           ["乙", id_number(date(1990, 1, 5), 12), "13912345678", None, "1990-02-30", None],
                           header=HEADER + ["出生日期", "性别"]))
    by_row = errors_by_row(report)
    assert [c for c, _ in by_row[2]] == ["性别", "出生日期"]
    assert by_row[3][0][0] == "出生日期" and "不是实际存在的日期" in by_row[3][0][1]


def test_several_teams_in_one_cell_and_memberships_only_added(teams):
    number = id_number(serial=21)
    run(one_sheet(["张三", number, "13912345678", "甲队、乙队；丙队"]))
    assert team_names(volunteer(number)) == ["丙队", "乙队", "甲队"]
    make_teams("丁队")
    db.session.commit()
    report = run(one_sheet(["张三", number, "13912345678", "丁队"]))
    assert report["updated"] == 1
    assert team_names(volunteer(number)) == ["丁队", "丙队", "乙队", "甲队"]  # none removed


def test_unknown_team_among_several(teams):
    report = run(one_sheet(["张三", id_number(serial=22), "13912345678", "甲队,不存在队，丙队"]))
    assert errors_by_row(report)[2] == [("所属队伍", "队伍不存在：不存在队")]


def test_duplicate_id_in_file_rejects_the_later_row_naming_the_first(teams):
    number = id_number(serial=23)
    report = run(one_sheet(["张三", number, "13912345678", None],
                           ["李四", id_number(serial=24), "13912345679", None],
                           ["张三", number.lower(), "13912345670", None]), skip_invalid=True)
    assert errors_by_row(report) == {4: [("证件号码", "证件号码与第2行重复")]}
    assert report["created"] == 2 and volunteer(number).phone == "13912345678"


def test_family_members_share_a_phone(teams):
    report = run(one_sheet(["张三", id_number(serial=25), "13912345678", None],
                           ["张小三", id_number(date(2000, 5, 5), 26), "13912345678", None]))
    assert report["created"] == 2 and report["errors"] == []


def test_child_under_14_needs_guardian_and_16_year_old_is_a_warning(teams):
    child = id_number(years_ago(TODAY, 12), 31)
    teen = id_number(years_ago(TODAY, 16), 32)
    guarded = id_number(years_ago(TODAY, 12), 33)
    header = HEADER + ["监护人姓名", "监护人电话"]
    report = run(one_sheet(["小明", child, "13912345678", None, None, None],
                           ["小红", teen, "13912345679", None, None, None],
                           ["小刚", guarded, "13912345670", None, "王大刚", "139 1234 5671"], header=header),
                 skip_invalid=True)
    by_row = errors_by_row(report)
    assert [c for c, _ in by_row[2]] == ["监护人姓名", "监护人电话"]
    assert 3 not in by_row and 4 not in by_row
    warnings = warnings_by_row(report)
    assert warnings[3] == [("出生日期", "未满18周岁（16岁）")] and warnings[4][0][0] == "出生日期"
    assert report["created"] == 2 and volunteer(teen) is not None
    assert volunteer(guarded).guardian_phone == "13912345671"


def test_age_boundary_on_the_birthday(teams):
    turns_14_today = id_number(years_ago(TODAY, 14), 41)
    turns_14_tomorrow = id_number(years_ago(TODAY, 14, days=-1), 42)
    report = run(one_sheet(["满十四", turns_14_today, "13912345678", None],
                           ["差一天", turns_14_tomorrow, "13912345679", None]))
    assert set(errors_by_row(report)) == {3}


def test_blank_and_formatted_but_empty_rows_are_skipped(teams):
    def setup(wb):
        ws = wb["花名册"]
        for col in "ABCDE":
            ws[f"{col}3"].fill = PatternFill("solid", fgColor="FFFF00")
            ws[f"{col}3"].font = Font(bold=True)
        ws["B5"].number_format = "@"

    report = run({"花名册": [HEADER + ["序号"],
                            ["张三", id_number(serial=51), "13912345678", None, 1],
                            [None], ["   ", " ", None, None, 2], [None],
                            ["李四", id_number(serial=52), "13912345679", None, 3]]}, setup)
    assert report["rows"] == 2 and report["created"] == 2
    assert report["errors"] == []


def test_formula_text_kept_verbatim(teams):
    number = id_number(serial=61)
    report = run(one_sheet(["张三", number, "13912345678", None, "=1+2", "@SUM(A1)", "+86 备注", "-5"],
                           header=HEADER + ["备注", "工作单位", "居住社区", "服务特长"]))
    assert report["created"] == 1
    v = volunteer(number)
    assert (v.note, v.employer, v.community, v.skills) == ("=1+2", "@SUM(A1)", "+86 备注", "-5")


def test_existing_volunteer_updated_by_non_empty_cells_only(teams):
    number = id_number(serial=71)
    header = HEADER + ["工作单位", "备注", "政治面貌"]
    run(one_sheet(["张三", number, "13912345678", "甲队", "某公司", "老备注", "团员"], header=header))
    v = volunteer(number)
    version = v.version
    report = run(one_sheet(["张三", number, "13912345679", None, None, None, None], header=header))
    assert (report["updated"], report["unchanged"]) == (1, 0)
    db.session.refresh(v)
    assert (v.phone, v.employer, v.note, v.political_status) == ("13912345679", "某公司", "老备注", "共青团员")
    assert v.version == version + 1 and team_names(v) == ["甲队"]
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "import.volunteers")
                               .order_by(AuditLog.id.desc())).first()
    assert entry.changes["updated"] == {str(v.id): {"before": {"phone": "13912345678"},
                                                    "after": {"phone": "13912345679"}}}
    again = run(one_sheet(["张三", number, "13912345679", "甲队", None, None, None], header=header))
    assert (again["updated"], again["unchanged"]) == (0, 1)


def test_existing_child_keeps_guardian_from_the_database(teams):
    number = id_number(years_ago(TODAY, 12), 81)
    header = HEADER + ["监护人姓名", "监护人电话"]
    run(one_sheet(["小明", number, "13912345678", None, "王大明", "13912345600"], header=header))
    report = run(one_sheet(["小明", number, "13912345678", "甲队"]))
    assert report["errors"] == [] and report["updated"] == 1


def test_other_id_types_need_gender_and_birth_date(teams):
    header = HEADER + ["证件类型", "性别", "出生日期"]
    report = run(one_sheet(["John Smith", "E12345678", "13912345678", None, "护照", None, None],
                           ["Jane Doe", "e87654321", "13912345679", None, "护照", "女", "1985-03-04"],
                           header=header), skip_invalid=True)
    assert [c for c, _ in errors_by_row(report)[2]] == ["性别", "出生日期"]
    v = volunteer("E87654321")
    assert (v.id_type, v.gender, v.birth_date) == ("护照", "女", date(1985, 3, 4))


def test_all_or_nothing_and_dry_run(teams):
    rows = one_sheet(["张三", id_number(serial=91), "13912345678", None], ["李四", "bad", "13912345679", None])
    report = run(rows)
    assert (report["created"], report["rejected"], report["written"]) == (1, 1, False)
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0
    dry = run(rows, skip_invalid=True, dry_run=True)
    assert dry["written"] is False and db.session.scalar(select(func.count()).select_from(Volunteer)) == 0


def test_fatal_files(teams):
    with pytest.raises(FatalImportError, match="缺少必填列：手机号码"):
        run(one_sheet(["张三", id_number(serial=92)], header=["姓名", "证件号码"]))
    with pytest.raises(FatalImportError, match="没有找到表头"):
        run({"s": [["name", "id"], ["x", "y"]]})
    with pytest.raises(FatalImportError):
        import_volunteers(None, b"not a workbook at all", file_name="x.xlsx", today=TODAY)


def test_too_long_free_text_is_rejected_not_a_database_error(teams):
    report = run(one_sheet(["张三", id_number(serial=93), "13912345678", None, "单" * 201],
                           header=HEADER + ["工作单位"]))
    assert errors_by_row(report)[2] == [("工作单位", "工作单位不能超过200个字")]


def test_cancelled_volunteer_is_not_added_to_a_new_team(teams):
    number = id_number(serial=94)
    run(one_sheet(["张三", number, "13912345678", "甲队"]))
    v = volunteer(number)
    v.status = "cancelled"
    db.session.commit()
    report = run(one_sheet(["张三", number, "13912345678", "乙队"]))
    assert report["errors"] == [] and report["unchanged"] == 1
    assert warnings_by_row(report)[2] == [("所属队伍", "该志愿者已注销，未加入队伍")]
    assert team_names(v) == ["甲队"]


def test_only_the_office_imports_rosters_and_teams(teams):
    from tests import factories
    from volunteer.errors import ServiceError
    from volunteer.excel.importers import import_teams

    leader = factories.make_user(role="leader")
    data = workbook_bytes(one_sheet(["张三", id_number(serial=95), "13912345678", None]))
    with pytest.raises(ServiceError):
        import_volunteers(leader, data, file_name="x.xlsx", today=TODAY)
    with pytest.raises(ServiceError):
        import_teams(leader, workbook_bytes({"s": [["队伍名称", "队伍类型"], ["甲", "居委"]]}), file_name="t.xlsx",
                     today=TODAY)
    office = factories.make_user(role="office")
    assert import_volunteers(office, data, file_name="x.xlsx", today=TODAY)["created"] == 1


def test_an_import_refreshes_cached_counts_and_numbers_new_volunteers_after_existing_ones(teams):
    from volunteer import figures

    def count():
        return figures.cached("test.import.count", None,
                              lambda: db.session.scalar(select(func.count()).select_from(Volunteer)))

    run(one_sheet(["先来", id_number(serial=1), "13912345671", "甲队"]))
    # The highest id gone (raw SQL: the product never deletes a volunteer): SQLite hands it out
    # again, and the import must number its rows the way the database does.
    db.session.execute(TeamMembership.__table__.delete())
    db.session.execute(Volunteer.__table__.delete())
    db.session.commit()
    db.session.expunge_all()
    figures.clear()
    assert count() == 0
    report = run(one_sheet(["王一", id_number(serial=2), "13912345672", "甲队"],
                           ["王二", id_number(serial=3), "13912345673", "乙队、丙队"]))
    assert report["created"] == 2
    assert count() == 2  # the token moved on: not the 0 cached before the import
    one, two = volunteer(id_number(serial=2)), volunteer(id_number(serial=3))
    assert (one.name, team_names(one)) == ("王一", ["甲队"])
    assert (two.name, team_names(two)) == ("王二", ["丙队", "乙队"])
