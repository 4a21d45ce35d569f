"""`flask --app volunteer import teams|volunteers|hours|training|commendations|evaluations FILE`:
Excel imports (CONTRACT sections 2 and 10).

Options: --dry-run (validate, write nothing), --skip-invalid (write the valid rows), --errors
OUT.xlsx (the rejected rows as they were plus 错误原因), --json (only the JSON report on stdout),
--include-hidden (read hidden rows too), --map "文件列=字段" (repeatable: the file's column
文件列 becomes the field 字段, a canonical header of the kind; "文件列=" or "文件列=不导入" leaves
it unused; the other columns are matched as usual), as the web preview's column choices.
Exit status: 0 every row accepted (or --skip-invalid and the valid rows written); 1 some row
rejected and nothing written; 2 the file cannot be used (a one-line reason on stderr: also a
sheet whose cells reach past 64 columns or 200,000 rows).  A dry run takes no write lock.
The command line acts as the system (audited as "cli") with office rights; every import
that is not a dry run is kept in the import history.
"""

from __future__ import annotations

import json
import os

import click
from flask.cli import AppGroup

from ..cli_support import cli_write_intent, fail
from ..extensions import db
from ..imports.services import record_batch, sha256, status_for
from ..clock import today_local
from .columns import get_kind
from .importers import ImportReport, fatal_report, run_import, write_error_file
from .vetting import LIMITS, FatalImportError

import_cli = AppGroup("import", help="Excel 导入")

KIND_LABELS = {"teams": "队伍", "volunteers": "志愿者", "hours": "服务时长", "training": "培训记录",
               "commendations": "表彰记录", "evaluations": "服务评价"}
UNUSED = "不导入"
SHOWN_PROBLEMS = 50  # lines of errors (and of warnings) in the human summary


def _read(path: str) -> bytes | str:
    """The file's bytes; the path itself when it is too big or unreadable (the reader says why)."""
    try:
        if os.path.getsize(path) <= LIMITS.max_bytes:
            with open(path, "rb") as fh:
                return fh.read()
    except OSError:
        pass
    return path


def parse_maps(kind: str, maps: tuple[str, ...]) -> dict[str, str | None] | None:
    """``--map "文件列=字段"`` options as the reader's remap; a bad one exits 2 with the reason."""
    if not maps:
        return None
    fields = get_kind(kind).headers
    remap: dict[str, str | None] = {}
    for item in maps:
        header, sep, field = item.partition("=")
        header, field = header.strip(), field.strip()
        if not sep or not header:
            fail(f"--map 的格式应为“文件列=字段”：{item}", 2)
        if field in ("", UNUSED):
            remap[header] = None
        elif field in fields:
            remap[header] = field
        else:
            fail(f"--map {item}：“{field}”不是{KIND_LABELS[kind]}的字段，可选：" + "、".join(fields) + f"，或“{UNUSED}”", 2)
    return remap


def _run(kind: str, file: str, dry_run: bool, skip_invalid: bool, errors_out: str | None, as_json: bool,
         include_hidden: bool = False, remap: dict | None = None) -> None:
    if not dry_run:  # a dry run only reads: other writers need not wait while it checks the file
        cli_write_intent()
    name = os.path.basename(file) or file
    data = _read(file)
    try:
        report = run_import(kind, None, data, file_name=name, dry_run=dry_run, skip_invalid=skip_invalid,
                            today=today_local(), include_hidden=include_hidden, remap=remap)
    except FatalImportError as exc:
        db.session.rollback()
        if not dry_run and isinstance(data, bytes):
            record_batch(None, kind, name, sha=sha256(data), report=fatal_report(name, exc.reason), status="failed")
            db.session.commit()
        if as_json:
            click.echo(json.dumps(fatal_report(name, exc.reason), ensure_ascii=False))
        fail(exc.reason, 2)
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        try:
            record_batch(None, kind, name, sha=sha256(data), report=report, status=status_for(report))
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    if errors_out:
        try:
            write_error_file(errors_out, report.table, report["errors"])
        except OSError as exc:
            click.echo(f"无法写入错误行文件 {errors_out}：{exc.strerror or exc}", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        click.echo(summary(kind, report, dry_run=dry_run, skip_invalid=skip_invalid, errors_out=errors_out))
    raise SystemExit(1 if report["rejected"] and not skip_invalid else 0)


def summary(kind: str, report: ImportReport, *, dry_run: bool, skip_invalid: bool, errors_out: str | None) -> str:
    """The human summary (Chinese) printed without --json."""
    lines = [f"{report['file']}：工作表“{report['sheet']}”，表头在第{report['header_row']}行，"
             f"共 {report['rows']} 行数据（{KIND_LABELS[kind]}）",
             f"新增 {report['created']} · 更新 {report['updated']} · 未变 {report['unchanged']} · "
             f"有误 {report['rejected']} 行"
             + (f" · 新建活动 {report['activities_created']} 个" if "activities_created" in report else "")]
    for title, items in (("错误", report["errors"]), ("提示", report["warnings"])):
        if items:
            lines.append(f"{title}：")
            lines += [f"  第{e['row']}行 {e['column']}：{e['message']}" for e in items[:SHOWN_PROBLEMS]]
            if len(items) > SHOWN_PROBLEMS:
                lines.append(f"  ……另有 {len(items) - SHOWN_PROBLEMS} 条（--errors 导出错误行，--json 查看全部）")
    rejected = report["rejected"]
    if dry_run:
        outcome = "试运行（--dry-run），未写入任何数据。"
        if rejected and not skip_invalid:
            outcome += f"有 {rejected} 行有误，正式导入时不会写入任何数据。"
    elif report["written"]:
        outcome = "导入完成。" + (f"已跳过 {rejected} 行有误的数据。" if rejected else "")
    else:
        outcome = (f"有 {rejected} 行有误，未导入任何数据。请改正后重新导入，"
                   "或加 --skip-invalid 只导入有效的行。")
    if errors_out:
        outcome += f"错误行已写入 {errors_out}。"
    lines.append(outcome)
    return "\n".join(lines)


def _command(kind: str, help_text: str):
    @import_cli.command(kind, help=help_text)
    @click.argument("file", metavar="FILE")
    @click.option("--dry-run", is_flag=True, help="只检查，不写入")
    @click.option("--skip-invalid", is_flag=True, help="跳过有误的行，导入其余有效行")
    @click.option("--errors", "errors_out", metavar="OUT.xlsx", default=None, help="把有误的行（附错误原因）写入此文件")
    @click.option("--json", "as_json", is_flag=True, help="只在标准输出打印 JSON 报告")
    @click.option("--include-hidden", is_flag=True, help="也读取表格中被隐藏的行")
    @click.option("--map", "maps", multiple=True, metavar="文件列=字段",
                  help="指定文件中某列对应的字段（可多次使用；“文件列=不导入”表示不使用该列），其余列照常识别")
    def command(file, dry_run, skip_invalid, errors_out, as_json, include_hidden, maps):
        _run(kind, file, dry_run, skip_invalid, errors_out, as_json, include_hidden, parse_maps(kind, maps))

    return command


import_teams_command = _command("teams", "导入队伍（.xlsx .xls .et .ods .csv）")
import_volunteers_command = _command("volunteers", "导入志愿者花名册（.xlsx .xls .et .ods .csv）")
import_hours_command = _command("hours", "导入服务时长（.xlsx .xls .et .ods .csv）")
import_training_command = _command("training", "导入培训记录：每行一人参加一次培训（.xlsx .xls .et .ods .csv）")
import_commendations_command = _command("commendations", "导入表彰记录（.xlsx .xls .et .ods .csv）")
import_evaluations_command = _command("evaluations", "导入服务评价：每行评价一条服务记录（.xlsx .xls .et .ods .csv）")
