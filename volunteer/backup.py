"""`flask --app volunteer backup OUT`: a consistent copy of the database, safe while the app runs.

SQLite: the sqlite3 online-backup API copies every page in one step inside one read
transaction, so the copy is the database as it was at one instant; in WAL mode the app's
writers carry on meanwhile (a reader never blocks the writer). The copy is switched to a
rollback journal (one self-contained file) and checked with `PRAGMA quick_check`.

PostgreSQL: `pg_dump -Fc` (custom format, for `pg_restore`); pg_dump reads everything in one
repeatable-read snapshot, so it too is a consistent copy while the app writes. The password,
if the URL has one, goes to pg_dump through PGPASSWORD, never on its command line.

Either way the copy is written to a temporary file beside OUT and renamed into place only when
complete: OUT is never a half-written file. Before copying, the command writes one audit entry
(actor `cli`, action `system.backup`) in its own committed transaction, so the copy itself
records when it was taken and where to.
"""
import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from .audit.services import record
from .cli_support import cli_write_intent, fail
from .extensions import db


def find_pg_dump() -> str | None:
    """pg_dump on PATH, else the newest one under /usr/lib/postgresql/*/bin (Debian's layout)."""
    found = shutil.which("pg_dump")
    if found:
        return found

    def version(path):
        part = Path(path).parts[-3]  # /usr/lib/postgresql/<version>/bin/pg_dump
        return tuple(int(x) for x in part.split(".") if x.isdigit())

    candidates = [p for p in glob.glob("/usr/lib/postgresql/*/bin/pg_dump") if os.access(p, os.X_OK)]
    return max(candidates, key=version) if candidates else None


def _temp_beside(out: Path) -> Path:
    """An empty file beside OUT, readable by its owner only: a copy holds full ID numbers."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return tmp


def backup_sqlite(database: str, out: Path) -> None:
    """Copy a SQLite database file to `out` with the online-backup API."""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise click.ClickException("内存数据库无法备份。")
    if not Path(database).is_file():
        raise click.ClickException(f"数据库文件不存在：{database}")
    tmp = _temp_beside(out)
    src = sqlite3.connect(database, timeout=30)
    try:
        dest = sqlite3.connect(str(tmp))
        try:
            # pages=-1 (the default): every page in one step, i.e. one consistent snapshot.
            src.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            status = dest.execute("PRAGMA quick_check").fetchone()[0]
            if status != "ok":
                raise click.ClickException(f"备份文件校验失败：{status}")
        finally:
            dest.close()
        os.replace(tmp, out)
    finally:
        src.close()
        tmp.unlink(missing_ok=True)


def pg_dump_command(url) -> tuple[list[str], dict]:
    """The pg_dump arguments and extra environment for a SQLAlchemy PostgreSQL URL."""
    pg_dump = find_pg_dump()
    if not pg_dump:
        raise click.ClickException(
            "找不到 pg_dump：请安装 PostgreSQL 客户端（Debian/Ubuntu: apt-get install postgresql-client），"
            "其版本不低于数据库服务器的版本。")
    env = {}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    libpq = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query).render_as_string(hide_password=False)
    return [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--dbname={libpq}"], env


def backup_postgresql(url, out: Path) -> None:
    """pg_dump -Fc of the database to `out`."""
    args, extra_env = pg_dump_command(url)
    tmp = _temp_beside(out)
    try:
        result = subprocess.run(args + [f"--file={tmp}"], env=os.environ | extra_env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            reason = (result.stderr or "").strip().splitlines()
            raise click.ClickException("pg_dump 失败：" + (reason[-1] if reason else f"退出码 {result.returncode}"))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _audit(out: Path, dialect: str) -> None:
    """One committed audit entry before the copy, so the copy records its own making.

    A database that cannot take the entry (a read-only standby, a full disk) is still backed
    up: the failure is reported on stderr and the copy goes ahead.
    """
    cli_write_intent()
    try:
        record(None, "system.backup", "database", None, f"备份数据库到 {out}", path=str(out), dialect=dialect)
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        click.echo(f"警告：未能写入操作日志（{reason}），继续备份。", err=True)
    finally:
        db.session.remove()


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, resolve_path=True))
@with_appcontext
def backup_command(out):
    """数据库备份：运行中也可安全执行（SQLite 在线备份 / PostgreSQL pg_dump -Fc）。"""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    out_path = Path(out)
    if not out_path.parent.is_dir():
        fail(f"目标目录不存在：{out_path.parent}", 2)
    dialect = url.get_backend_name()
    if dialect not in ("sqlite", "postgresql"):
        fail(f"不支持备份此类数据库：{dialect}", 2)
    try:
        # Fail early, before the audit entry (which would also create an empty SQLite file).
        if dialect == "postgresql":
            pg_dump_command(url)
        elif not url.database or url.database == ":memory:" or not Path(url.database).is_file():
            raise click.ClickException(f"数据库文件不存在：{url.database or '（内存数据库）'}")
        elif out_path.resolve() in {Path(url.database + end).resolve() for end in ("", "-wal", "-shm", "-journal")}:
            raise click.ClickException("备份文件不能覆盖数据库本身或其 -wal/-shm 文件，请换一个文件名。")
        _audit(out_path, dialect)
        if dialect == "sqlite":
            backup_sqlite(url.database, out_path)
        else:
            backup_postgresql(url, out_path)
    except click.ClickException as exc:
        fail(exc.message, 1)
    size = out_path.stat().st_size
    shown = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"
    click.echo(f"已备份到 {out_path}（{shown}）")
