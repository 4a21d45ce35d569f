"""Training, commendations and evaluations in Excel: templates, `flask import …` (all or
nothing, --skip-invalid, --dry-run, people by ID or by mobile and name) and `flask export …`
(the template's columns, so an export imports again)."""
import json
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from tests import factories as f
from volunteer.audit.models import AuditLog
from volunteer.excel.templates import build_template
from volunteer.excel.writer import SheetSpec, write_workbook
from volunteer.extensions import db
from volunteer.merits.models import Commendation, Evaluation, Training, TrainingAttendance

TRAINING_HEADER = ["姓名", "证件号码", "手机号码", "培训主题", "培训日期", "学时", "培训类型", "培训方式", "组织者", "所属队伍"]


def _file(tmp_path, name, header, rows):
    path = tmp_path / name
    write_workbook(path, [SheetSpec("Sheet1", header, rows)])
    return path


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=[*map(str, args)])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def people():
    team = f.make_team("虹桥居委志愿服务队")
    a = f.make_volunteer("张三", teams=[team])
    b = f.make_volunteer("李四", teams=[team])
    db.session.commit()
    return team, a, b


@pytest.mark.parametrize("kind,sheet,headers", [
    ("training", "培训记录", ["姓名*", "培训主题*", "学时*", "培训方式"]),
    ("commendations", "表彰记录", ["表彰名称*", "表彰级别", "授予单位"]),
    ("evaluations", "服务评价", ["活动名称*", "守时*", "服务态度*", "专业水平*", "评语"])])
def test_templates(tmp_path, kind, sheet, headers):
    path = tmp_path / f"{kind}.xlsx"
    build_template(kind, path, team_names=["虹桥居委志愿服务队"])
    book = openpyxl.load_workbook(path)
    row = [c.value for c in book[sheet][1]]
    assert all(h in row for h in headers) and "填写说明" in book.sheetnames


def test_training_import_groups_rows_into_one_training_all_or_nothing(tmp_path, cli, people):
    team, a, b = people
    bad = _file(tmp_path, "t.xlsx", TRAINING_HEADER, [
        ["张三", a.id_number, "", "急救培训", "2026-05-10", "2", "专业", "线下", "红十字会", team.name],
        ["李四", "", b.phone, "急救培训", "2026/5/10", "3", "专业", "面授", "红十字会", team.name],
        ["王五", "", "13800000000", "急救培训", "2026-05-10", "两小时", "", "", "", "不存在的队"]])
    result = cli("import", "training", bad, "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and count(Training) == 0 and count(TrainingAttendance) == 0
    messages = {(e["row"], e["column"]) for e in report["errors"]}
    assert (4, "学时") in messages and (4, "所属队伍") in messages
    assert any(w["row"] == 3 and "学时" in w["message"] for w in report["warnings"])  # 3 h vs the first row's 2 h
    result = cli("import", "training", bad, "--skip-invalid", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["created"] == 2
    training = db.session.scalar(select(Training))
    assert (training.minutes, training.mode, training.team_id) == (120, "面授", team.id)
    assert count(TrainingAttendance) == 2
    again = json.loads(cli("import", "training", bad, "--skip-invalid", "--json").stdout)
    assert (again["created"], again["unchanged"]) == (0, 2) and count(Training) == 1
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "import.training")) is not None


def test_commendations_import_dry_run_and_conflicts(tmp_path, cli, people):
    _team, a, _b = people
    header = ["姓名", "身份证号", "表彰名称", "级别", "表彰日期", "授予单位"]
    path = _file(tmp_path, "c.xlsx", header, [["张三", a.id_number, "优秀志愿者", "区", "2026年1月5日", "长宁区文明办"]])
    assert cli("import", "commendations", path, "--dry-run").exit_code == 0 and count(Commendation) == 0
    assert cli("import", "commendations", path).exit_code == 0
    item = db.session.scalar(select(Commendation))
    assert (item.level, item.awarded_on, item.awarded_by) == ("区级", date(2026, 1, 5), "长宁区文明办")
    changed = _file(tmp_path, "c2.xlsx", header, [["张三", a.id_number, "优秀志愿者", "市级", "2026-01-05", "长宁区文明办"]])
    result = cli("import", "commendations", changed, "--json")
    assert result.exit_code == 1 and "作废后重新登记" in result.stdout
    future = _file(tmp_path, "c3.xlsx", header, [["张三", a.id_number, "优秀志愿者", "", "2999-01-05", ""]])
    assert "不能晚于今天" in cli("import", "commendations", future).stdout


def test_evaluations_import_finds_the_record_and_replaces_an_evaluation(tmp_path, cli, people):
    team, a, b = people
    rec = f.make_record(f.make_activity(team, "敬老院探访", service_date=date(2026, 3, 15)), a)
    db.session.commit()
    header = ["姓名", "手机号码", "所属队伍", "活动名称", "活动日期", "守时", "服务态度", "专业水平", "评语"]
    rows = [["张三", a.phone, team.name, "敬老院探访", "2026-03-15", 5, 4, 3, "认真"],
            ["李四", b.phone, team.name, "敬老院探访", "2026-03-15", 5, 5, 5, ""]]
    result = cli("import", "evaluations", _file(tmp_path, "e.xlsx", header, rows), "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["errors"][0]["row"] == 3 and "服务记录" in report["errors"][0]["message"]
    assert cli("import", "evaluations", _file(tmp_path, "e1.xlsx", header, rows[:1])).exit_code == 0
    rows[0][5] = 2
    report = json.loads(cli("import", "evaluations", _file(tmp_path, "e2.xlsx", header, rows[:1]), "--json").stdout)
    assert report["updated"] == 1
    live = db.session.scalars(select(Evaluation).where(Evaluation.status != "void")).all()
    assert [(e.record_id, e.punctuality) for e in live] == [(rec.id, 2)] and count(Evaluation) == 2


def test_export_has_the_template_columns_and_imports_again(tmp_path, cli, people):
    team, a, b = people
    path = _file(tmp_path, "t.xlsx", TRAINING_HEADER, [
        ["张三", a.id_number, "", "急救培训", "2026-05-10", "1.5", "", "", "", ""],
        ["李四", b.id_number, "", "急救培训", "2026-05-10", "1.5", "", "", "", ""]])
    assert cli("import", "training", path).exit_code == 0
    out = tmp_path / "out.xlsx"
    result = cli("export", "training", out, "--from", "2026-05-01")
    assert result.exit_code == 0 and "已导出 2 条" in result.stdout
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["姓名", "证件号码", "手机号码"] and "培训主题" in header
    assert sheet.cell(2, 2).value.startswith(a.id_number[:6]) and "*" in sheet.cell(2, 2).value
    report = json.loads(cli("import", "training", out, "--json").stdout)  # masked: matched by mobile and name
    assert (report["unchanged"], report["rejected"]) == (2, 0)
    assert "已导出 0 条" in cli("export", "commendations", tmp_path / "c.xlsx").stdout
    backwards = cli("export", "evaluations", tmp_path / "e.xlsx", "--from", "2026-02-01", "--to", "2026-01-01")
    assert backwards.exit_code == 2
