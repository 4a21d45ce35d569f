"""`flask import teams|volunteers|hours FILE`: exit codes 0/1/2, --json, --dry-run,
--skip-invalid, --errors, and the import history the command leaves."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from tests.imports.helpers import EXPECTED, FIXTURES, id_number, make_teams, read_rows, write_xlsx
from tests.imports.test_upload_privacy import WriteLockHeld
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord
from volunteer.imports.models import ImportBatch
from volunteer.teams.models import Team
from volunteer.volunteers.models import Volunteer

REPORT_KEYS = {"file", "sheet", "header_row", "rows", "created", "updated", "unchanged", "rejected", "written",
               "errors", "warnings"}


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["import", *map(str, args)])

    return invoke


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def sample(kind):
    return FIXTURES / EXPECTED[kind]["file"]


def test_teams_then_reimport_unchanged(cli):
    result = cli("teams", sample("teams"))
    assert result.exit_code == 0, result.output
    assert "新增 7" in result.stdout and "导入完成" in result.stdout
    assert count(Team) == 7
    again = cli("teams", sample("teams"), "--json")
    assert again.exit_code == 0
    report = json.loads(again.stdout)
    assert (report["created"], report["updated"], report["unchanged"], report["written"]) == (0, 0, 7, True)


def test_volunteers_all_or_nothing_exit_1(cli):
    cli("teams", sample("teams"))
    result = cli("volunteers", sample("volunteers"))
    assert result.exit_code == 1
    assert "有 5 行有误，未导入任何数据" in result.stdout
    assert "第29行 证件号码：校验位错误" in result.stdout
    assert count(Volunteer) == 0
    batch = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert (batch.kind, batch.status, batch.created_by_id) == ("volunteers", "failed", None)
    assert batch.report["rejected"] == 5 and batch.report["written"] is False


def test_json_report_matches_and_is_alone_on_stdout(cli):
    cli("teams", sample("teams"))
    result = cli("volunteers", sample("volunteers"), "--json", "--skip-invalid")
    assert result.exit_code == 0
    report = json.loads(result.stdout)  # nothing else on stdout
    assert REPORT_KEYS <= set(report)
    assert (report["file"], report["sheet"], report["header_row"], report["rows"]) == ("volunteers.xlsx", "Sheet1", 1, 37)
    assert (report["created"], report["rejected"], report["written"]) == (32, 5, True)
    assert {e["row"] for e in report["errors"]} == {29, 30, 31, 32, 33}
    assert all(set(e) == {"row", "column", "message"} for e in report["errors"] + report["warnings"])
    assert count(Volunteer) == 32
    failed = cli("volunteers", sample("volunteers"), "--json")
    assert failed.exit_code == 1
    assert json.loads(failed.stdout)["unchanged"] == 32


def test_hours_with_skip_invalid(cli):
    cli("teams", sample("teams"))
    cli("volunteers", sample("volunteers"), "--skip-invalid")
    result = cli("hours", sample("hours"), "--json", "--skip-invalid")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["created"], report["activities_created"], report["rejected"]) == (18, 6, 4)
    assert {str(e["row"]): e["column"] for e in report["errors"]} == \
        {n: bad["column"] for n, bad in EXPECTED["hours"]["bad_rows"].items()}
    assert count(ServiceRecord) == 18
    again = cli("hours", sample("hours"), "--json")
    assert again.exit_code == 1  # rows 20-23 are still wrong...
    assert json.loads(again.stdout)["unchanged"] == 18 and count(ServiceRecord) == 18  # ...the rest unchanged


def test_dry_run_writes_nothing(cli):
    cli("teams", sample("teams"))
    batches = count(ImportBatch)
    result = cli("volunteers", sample("volunteers"), "--dry-run", "--skip-invalid")
    assert result.exit_code == 0 and "试运行" in result.stdout
    assert count(Volunteer) == 0 and count(ImportBatch) == batches
    strict = cli("volunteers", sample("volunteers"), "--dry-run", "--json")
    assert strict.exit_code == 1 and json.loads(strict.stdout)["written"] is False


def test_errors_file_keeps_rows_as_they_were(cli, tmp_path):
    cli("teams", sample("teams"))
    out = tmp_path / "errors.xlsx"
    result = cli("volunteers", sample("volunteers"), "--errors", out)
    assert result.exit_code == 1 and out.exists()
    rows = read_rows(out.read_bytes())
    original = read_rows(sample("volunteers").read_bytes())
    assert rows[0] == ["原行号", "错误原因"] + original[0]
    assert len(rows) == 1 + 5
    by_id = {row[4]: row for row in rows[1:]}
    assert by_id["310105199112108040"][1] == "证件号码：校验位错误"
    assert "与第5行重复" in by_id["330106195608210739"][1] and by_id["330106195608210739"][0] == 30
    assert by_id["330106195608210739"][2:] == [c if c != "" else None for c in original[29]]
    clean = tmp_path / "none.xlsx"
    assert cli("teams", sample("teams"), "--errors", clean).exit_code == 0
    assert read_rows(clean.read_bytes()) == [["原行号", "错误原因"] + original_header(sample("teams"))]


def original_header(path):
    return read_rows(path.read_bytes())[0]


def test_history_and_audit_of_a_cli_import(cli):
    result = cli("teams", sample("teams"))
    assert result.exit_code == 0
    batch = db.session.scalar(select(ImportBatch))
    assert batch.file_name == "teams.xlsx" and batch.status == "done" and batch.kind == "teams"
    assert batch.file_sha256 == hashlib.sha256(sample("teams").read_bytes()).hexdigest()
    assert batch.report["created"] == 7 and batch.finished_at is not None
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "import.teams"))
    assert entry.actor_name == "cli" and entry.object_type == "import_batch" and entry.object_id == str(batch.id)


def bomb() -> bytes:
    buf = io.BytesIO(sample("teams").read_bytes())
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/x.bin", bytes(30 << 20))
    return buf.getvalue()


@pytest.mark.parametrize("content, reason", [
    (b"\x00\x93random bytes, not a workbook" * 40, "不是有效的 Excel (.xlsx) 文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048), "旧版 .xls"),
    (None, "压缩比异常"),
])
def test_unusable_files_exit_2(cli, tmp_path, content, reason):
    path = tmp_path / "upload.xlsx"
    path.write_bytes(bomb() if content is None else content)
    result = cli("volunteers", path)
    assert result.exit_code == 2
    assert reason in result.stderr and result.stderr.count("\n") == 1 and result.stdout == ""
    as_json = cli("volunteers", path, "--json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout) == {"file": "upload.xlsx", "fatal": as_json.stderr.strip()}
    batch = db.session.scalars(select(ImportBatch)).first()
    assert batch.status == "failed" and batch.report["fatal"] == result.stderr.strip()


def test_far_cell_exits_2_before_the_grid_is_built(cli, tmp_path):
    from tests.hostile.test_upload_area import FAR_COLUMN, book

    path = tmp_path / "far.xlsx"
    path.write_bytes(book(FAR_COLUMN))
    result = cli("teams", path)
    assert result.exit_code == 2 and result.stdout == ""
    assert "超过 64 列的上限" in result.stderr and result.stderr.count("\n") == 1


def test_dry_run_takes_no_write_lock(app, cli):
    db.session.commit()
    with WriteLockHeld(app) as lock:
        result = cli("teams", sample("teams"), "--dry-run")
        finished_while_held = lock.held  # it never waited for the lock another writer held
    assert result.exit_code == 0 and "试运行" in result.stdout
    assert finished_while_held


def test_missing_required_column_and_missing_file_exit_2(cli, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"花名册": [["姓名", "手机号码"], ["张三", "13912345678"]]})
    result = cli("volunteers", path, "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["fatal"] == "缺少必填列：证件号码"
    hours = write_xlsx(tmp_path / "h.xlsx", {"s": [["姓名", "所属队伍", "活动名称", "活动日期", "服务时长"]]})
    assert "证件号码或手机号码" in cli("hours", hours).stderr
    missing = cli("teams", tmp_path / "nope.xlsx")
    assert missing.exit_code == 2 and "找不到文件" in missing.stderr


def test_reimporting_a_clean_roster_exits_0_all_unchanged(cli, tmp_path):
    make_teams("甲队", "乙队")
    db.session.commit()
    rows = [["姓名", "证件号码", "手机号码", "所属队伍"]] + [
        [f"志愿者{i}", id_number(serial=i), f"1391234{i:04d}", "甲队、乙队"] for i in range(1, 21)]
    path = write_xlsx(tmp_path / "roster.xlsx", {"花名册": rows})
    first = cli("volunteers", path, "--json")
    assert first.exit_code == 0 and json.loads(first.stdout)["created"] == 20
    second = cli("volunteers", path, "--json")
    report = json.loads(second.stdout)
    assert second.exit_code == 0
    assert (report["created"], report["updated"], report["unchanged"], report["rejected"]) == (0, 0, 20, 0)
