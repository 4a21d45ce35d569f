"""`flask export volunteers|hours|summary|national|training|commendations|evaluations`: Excel
exports from the command line (CONTRACT section 2).

The command line acts as the system (audited as "cli") with office rights. A bad argument
(unknown team, bad date) is a one-line Chinese reason on stderr and exit status 2. The file is
written next to OUT under a temporary name and renamed into place once complete, so a failed
export never leaves a half-written OUT behind.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from ..cli_support import cli_write_intent, fail
from ..errors import ServiceError
from ..extensions import db
from ..national.pack import create_batch
from . import exporters, merit_exports

export_cli = AppGroup("export", help="Excel 导出")


def _parse_date(value: str | None, option: str) -> date | None:
    """An inclusive YYYY-MM-DD date option (fail with exit 2 when malformed)."""
    if value is None:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        fail(f"{option} 日期格式不正确：{value}（应为 YYYY-MM-DD，例如 2025-01-31）")


@contextmanager
def _output(out: str):
    """Yield a temporary path beside OUT; move it onto OUT when the block succeeds."""
    target = Path(out)
    if target.is_dir():
        fail(f"输出路径是一个文件夹，请给出文件名，例如 {target / 'export.xlsx'}")
    folder = target.parent
    if not folder.is_dir():
        fail(f"输出文件夹不存在：{folder}")
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".xlsx", dir=folder)
    os.close(fd)
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # as any file the user writes (mkstemp makes it 0600)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _run(out: str, export, *, writes: bool = False):
    """Run ``export(path)`` into OUT; a ServiceError (bad argument) exits 2 with its reason."""
    if writes:
        cli_write_intent()
    try:
        with _output(out) as tmp:
            result = export(tmp)
            db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        fail(exc.message)
    except OSError as exc:  # the folder is not writable, the disk is full...
        db.session.rollback()
        fail(f"无法写入 {out}：{exc.strerror or exc}")
    return result


@export_cli.command("volunteers")
@click.argument("out")
@click.option("--team", "team_name", default=None, help="只导出该队伍的成员（队伍名称）")
@click.option("--full-id", is_flag=True, help="导出完整证件号码和出生日期（记入操作日志）")
def volunteers(out, team_name, full_id):
    """Export the roster (import template columns, in order). Without --full-id the ID numbers
    are masked and 出生日期 is empty: the mask hides exactly the birth date."""
    count = _run(out, lambda path: exporters.export_volunteers(None, path, team_name=team_name, full_id=full_id),
                 writes=full_id)
    click.echo(f"已导出 {count} 名志愿者到 {out}" + ("（含完整证件号码，已记入操作日志）" if full_id else ""))


@export_cli.command("hours")
@click.argument("out")
@click.option("--from", "date_from", default=None, help="活动日期起（含），YYYY-MM-DD")
@click.option("--to", "date_to", default=None, help="活动日期止（含），YYYY-MM-DD")
@click.option("--team", "team_name", default=None, help="只导出该队伍组织的活动（队伍名称）")
def hours(out, date_from, date_to, team_name):
    """Export one row per service record (every status)."""
    start, end = _parse_date(date_from, "--from"), _parse_date(date_to, "--to")
    if start and end and start > end:
        fail(f"--from {start} 晚于 --to {end}")
    count = _run(out, lambda path: exporters.export_hours(None, path, date_from=start, date_to=end,
                                                          team_name=team_name))
    click.echo(f"已导出 {count} 条服务记录到 {out}")


@export_cli.command("summary")
@click.argument("out")
@click.option("--year", default=None, help="年份，例如 2025（必填）")
@click.option("--month", default=None, help="月份 1–12（省略则为全年）")
def summary(out, year, month):
    """Export the office's statistics workbook (按队伍 · 按类别 · 按月份 · 志愿者排行)."""
    if year is None:
        fail("缺少 --year：请指定年份，例如 --year 2025")
    if not year.strip().isdigit() or not 1900 <= int(year) <= 9999:
        fail(f"年份无效：{year}（应为四位数字，例如 2025）")
    if month is not None and (not month.strip().isdigit() or not 1 <= int(month) <= 12):
        fail(f"月份无效：{month}（应为 1–12）")
    y, m = int(year), (int(month) if month is not None else None)
    _run(out, lambda path: exporters.export_summary(path, year=y, month=m))
    period = f"{y}年{m}月" if m else f"{y}年"
    click.echo(f"已导出 {period} 统计报表到 {out}")


@export_cli.command("national")
@click.argument("out")
@click.option("--from", "date_from", default=None, help="活动日期起（含），YYYY-MM-DD")
@click.option("--to", "date_to", default=None, help="活动日期止（含），YYYY-MM-DD")
@click.option("--since-last", is_flag=True, help="只导出上一批以来新确认或有变更的记录")
def national(out, date_from, date_to, since_last):
    """Export the national-standard pack (志愿者 · 服务时长 · 不能导出 · 变更) as the next
    numbered batch (CONTRACT section 10). Exit 0 once written, refused rows or an empty batch
    included; 2 for a bad argument or an unwritable OUT."""
    start, end = _parse_date(date_from, "--from"), _parse_date(date_to, "--to")
    if start and end and start > end:
        fail(f"--from {start} 晚于 --to {end}")

    def build(path):
        with open(path, "w+b") as f:
            return create_batch(None, f, date_from=start, date_to=end, since_last=since_last)

    batch = _run(out, build, writes=True)
    click.echo(f"已导出第 {batch.id} 批到 {out}：志愿者 {batch.volunteers} 人，服务时长 {batch.records} 条，"
               f"不能导出 {batch.refused} 条，变更 {batch.changes} 条")


MERIT_LABELS = {"training": "培训记录（每人每次一行）", "commendations": "表彰记录", "evaluations": "服务评价"}


def _merit_command(kind: str):
    """`export training|commendations|evaluations OUT [--from] [--to]`: the import template's
    columns, live rows of the period (培训日期, 表彰日期, 活动日期), ID numbers masked."""
    @export_cli.command(kind, help=f"导出{MERIT_LABELS[kind]}，列与导入模板相同")
    @click.argument("out")
    @click.option("--from", "date_from", default=None, help="日期起（含），YYYY-MM-DD")
    @click.option("--to", "date_to", default=None, help="日期止（含），YYYY-MM-DD")
    def command(out, date_from, date_to):
        start, end = _parse_date(date_from, "--from"), _parse_date(date_to, "--to")
        if start and end and start > end:
            fail(f"--from {start} 晚于 --to {end}")
        count = _run(out, lambda path: merit_exports.EXPORTERS[kind](None, path, date_from=start, date_to=end))
        click.echo(f"已导出 {count} 条{MERIT_LABELS[kind].split('（')[0]}到 {out}")

    return command


export_training_command = _merit_command("training")
export_commendations_command = _merit_command("commendations")
export_evaluations_command = _merit_command("evaluations")
