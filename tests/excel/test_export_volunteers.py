"""`export volunteers` and exporters.export_volunteers: columns, masking, full ID (audited),
text kept as text, the round trip through the reader (and the importer when present)."""
import json
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from tests import factories
from volunteer.audit.models import AuditLog
from volunteer.errors import ServiceError
from volunteer.excel import exporters
from volunteer.excel.columns import VOLUNTEER_COLUMNS
from volunteer.excel.reader import read_table
from volunteer.extensions import db
from volunteer.privacy import mask_id

CANONICAL = ["姓名", "性别", "证件类型", "证件号码", "手机号码", "出生日期", "政治面貌", "文化程度", "工作单位",
             "居住社区", "所属队伍", "服务特长", "监护人姓名", "监护人电话", "注册日期", "备注",
             "全国志愿者编号"]
TRICKY = ["=1+2", "+86 138", "-5", "@sum(A1)"]


@pytest.fixture
def roster(app):
    a = factories.make_team("甲居委志愿服务队")
    b = factories.make_team("乙职能部门志愿服务队", kind="职能部门")
    factories.make_team("丙空队")
    people = [
        factories.make_volunteer("张三", teams=[a, b], political_status="中共党员", education="本科",
                                 employer="=1+2", community="+86 138", skills="-5", note="@sum(A1)"),
        factories.make_volunteer("李四", teams=[b], birth=date(2015, 6, 1), guardian_name="李父",
                                 guardian_phone="13900001111"),
        factories.make_volunteer("王·五", teams=[]),
    ]
    db.session.commit()
    return {"a": a, "b": b, "people": people}


def run(app, *args):
    return app.test_cli_runner().invoke(args=["export", *args])


def sheet_rows(path):
    wb = openpyxl.load_workbook(path)
    assert len(wb.worksheets) == 1
    ws = wb.worksheets[0]
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


def test_columns_are_the_import_templates_in_order(app, roster, tmp_path):
    assert [c.header for c in VOLUNTEER_COLUMNS] == CANONICAL
    out = tmp_path / "v.xlsx"
    result = run(app, "volunteers", str(out))
    assert result.exit_code == 0, result.output
    ws, rows = sheet_rows(out)
    assert ws.title == "志愿者花名册"
    assert rows[0] == CANONICAL
    assert [r[0] for r in rows[1:]] == ["张三", "李四", "王·五"]  # registry order, like the list
    zhang = dict(zip(CANONICAL, rows[1]))
    assert zhang["所属队伍"] == "乙职能部门志愿服务队、甲居委志愿服务队"
    # Beside a masked ID number the birth date would complete it: only the full-ID export has it.
    assert zhang["政治面貌"] == "中共党员" and zhang["出生日期"] is None
    assert dict(zip(CANONICAL, rows[3]))["所属队伍"] is None


def test_id_numbers_are_masked_by_default_and_not_audited(app, roster, tmp_path):
    out = tmp_path / "v.xlsx"
    assert run(app, "volunteers", str(out)).exit_code == 0
    _, rows = sheet_rows(out)
    ids = [r[3] for r in rows[1:]]
    assert ids == [mask_id(v.id_number) for v in roster["people"]]
    assert all("*" * 8 in i for i in ids)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "volunteer.export_full_id")) is None


def test_full_id_is_audited_as_cli_with_the_count(app, roster, tmp_path):
    out = tmp_path / "v.xlsx"
    result = run(app, "volunteers", str(out), "--full-id")
    assert result.exit_code == 0, result.output
    _, rows = sheet_rows(out)
    assert [r[3] for r in rows[1:]] == [v.id_number for v in roster["people"]]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "volunteer.export_full_id"))
    assert entry.actor_name == "cli" and entry.changes["count"] == 3


def test_text_cells_stay_text_exactly(app, roster, tmp_path):
    out = tmp_path / "v.xlsx"
    assert run(app, "volunteers", str(out)).exit_code == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in ws[1]]
    row = ws[2]
    cells = [row[header.index(h)] for h in ("工作单位", "居住社区", "服务特长", "备注")]
    assert [c.value for c in cells] == TRICKY
    assert all(c.data_type == "s" and not c.quotePrefix for c in cells)
    assert row[header.index("证件号码")].number_format == "@"


def test_team_option_and_unknown_team(app, roster, tmp_path):
    out = tmp_path / "v.xlsx"
    assert run(app, "volunteers", str(out), "--team", "甲居委志愿服务队").exit_code == 0
    assert [r[0] for r in sheet_rows(out)[1][1:]] == ["张三"]
    bad = tmp_path / "bad.xlsx"
    result = run(app, "volunteers", str(bad), "--team", "不存在的队")
    assert result.exit_code == 2
    assert result.stderr.strip() == "队伍不存在：不存在的队" and "\n" not in result.stderr.strip()
    assert not bad.exists() and not list(tmp_path.glob(".export-*"))


def test_roundtrip_through_the_reader(app, roster, tmp_path):
    out = tmp_path / "v.xlsx"
    assert run(app, "volunteers", str(out), "--full-id").exit_code == 0
    table = read_table(out, "volunteers")
    assert table.header_row == 1 and table.missing == ()
    got = {r.values["id_number"]: r.values for r in table.rows}
    for v in roster["people"]:
        row = got[v.id_number]
        assert (row["name"], row["phone"], row["gender"], row["id_type"]) == (v.name, v.phone, v.gender, v.id_type)
        assert row["birth_date"] == v.birth_date and row["registered_on"] == v.registered_on
    assert got[roster["people"][0].id_number]["note"] == "@sum(A1)"
    assert got[roster["people"][1].id_number]["guardian_phone"] == "13900001111"


def test_reimport_dry_run_reports_every_row_unchanged(app, roster, tmp_path):
    pytest.importorskip("volunteer.excel.importers.volunteers")
    pytest.importorskip("volunteer.excel.commands")
    from volunteer.excel.commands import import_cli

    if "volunteers" not in import_cli.commands:
        pytest.skip("import volunteers command not available")
    out = tmp_path / "v.xlsx"
    assert run(app, "volunteers", str(out), "--full-id").exit_code == 0
    result = app.test_cli_runner().invoke(args=["import", "volunteers", str(out), "--dry-run", "--json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 0, report
    assert (report["rows"], report["unchanged"], report["created"], report["updated"], report["rejected"]) \
        == (3, 3, 0, 0, 0), report


def test_service_scope_and_full_id_rights(app, roster, tmp_path):
    leader = factories.make_user("leader", teams=[roster["a"]])
    office = factories.make_user("office")
    volunteer_user = factories.make_user("volunteer")
    out = tmp_path / "l.xlsx"
    assert exporters.export_volunteers(leader, out) == 1
    assert [r[0] for r in sheet_rows(out)[1][1:]] == ["张三"]
    with pytest.raises(ServiceError):
        exporters.export_volunteers(leader, tmp_path / "x.xlsx", full_id=True)
    with pytest.raises(ServiceError):
        exporters.export_volunteers(volunteer_user, tmp_path / "y.xlsx")
    assert exporters.export_volunteers(office, tmp_path / "o.xlsx", full_id=True) == 3
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "volunteer.export_full_id"))
    assert entry.actor_id == office.id and entry.changes["count"] == 3


def test_filters_match_the_list(app, roster, tmp_path):
    out = tmp_path / "f.xlsx"
    n = exporters.export_volunteers(None, out, filters={"political_status": "中共党员"})
    assert n == 1 and [r[0] for r in sheet_rows(out)[1][1:]] == ["张三"]
    n = exporters.export_volunteers(None, out, filters={"age_group": "u18"}, today=date(2026, 3, 1))
    assert n == 1 and [r[0] for r in sheet_rows(out)[1][1:]] == ["李四"]


def test_out_must_be_a_file_in_an_existing_folder(app, roster, tmp_path):
    result = run(app, "volunteers", str(tmp_path))
    assert result.exit_code == 2 and result.stderr.startswith("输出路径是一个文件夹") and result.stderr.count("\n") == 1
    result = run(app, "volunteers", str(tmp_path / "missing" / "v.xlsx"))
    assert result.exit_code == 2 and result.stderr.startswith("输出文件夹不存在")
