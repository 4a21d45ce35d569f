"""`flask --app volunteer backup OUT` while another process keeps writing, then the restore steps
exactly as README.md documents them (the shell block is read from README.md and run), then the
restored data is checked against the writer's ledger of acknowledged transactions.

The writer commits one round at a time (a new activity, hours for three volunteers, their
audit entries) and appends the round to its ledger only after the commit. A consistent copy is
then a prefix of the ledger: rounds 1..k whole, nothing of round k+1, for some k between the
ledger's length when the backup started and when it ended.
"""
import json
import os
import re
import stat
import subprocess
import time
from contextvars import copy_context
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.reliability import helpers as h

pytestmark = pytest.mark.slow

README = h.REPO / "README.md"


def documented_block(kind: str) -> str:
    """The shell block that follows `<!-- restore:KIND` in README.md."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- restore:" + kind + r"\b.*?-->\s*```sh\n(.*?)```", text, re.S)
    assert found, f"README.md has no restore:{kind} block"
    return found.group(1)


def run_block(script: str, cwd: Path, path_dirs=()) -> None:
    env = dict(os.environ)
    if path_dirs:
        env["PATH"] = os.pathsep.join([*path_dirs, env.get("PATH", "")])
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"documented restore failed:\n{script}\n{result.stdout}\n{result.stderr}"


def ledger_rounds(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def seed(url: str) -> dict:
    from volunteer.auth.services import create_user
    from volunteer.extensions import db
    from volunteer.clock import today_local
    from volunteer.teams.services import create_category, create_team
    from volunteer.volunteers.services import register_volunteer

    app = h.make_app(url)
    with app.app_context():
        category = create_category(None, "垃圾分类")
        team = create_team(None, {"name": "备份测试志愿服务队", "kind": "居委"})
        volunteers = [register_volunteer(None, {"name": f"备份队员{i}", "id_number": h.make_id_number(700 + i),
                                                "phone": f"1360000070{i}", "teams": [team.name]},
                                         today=today_local()).id for i in range(3)]
        create_user(None, role="office", username="office-backup", password=h.PASSWORD)
        db.session.commit()
        out = {"team": team.id, "category": category.id, "volunteers": volunteers}
        db.session.remove()
    return out


def restore(url: str, backup: Path, tmp_path: Path) -> tuple[str, callable]:
    """Follow README.md's restore steps; return the restored database's URL and a clean-up."""
    if h.backend() == "sqlite":
        checkout = tmp_path / "checkout"
        (checkout / "instance").mkdir(parents=True)
        live = h.sqlite_path(url)
        # The database being replaced, with a stale -wal beside it, as after a crash.
        (checkout / "instance" / "volunteer.sqlite3").write_bytes(live.read_bytes())
        (checkout / "instance" / "volunteer.sqlite3-wal").write_bytes(b"\0" * 4096)
        script = (documented_block("sqlite").replace("/backups/volunteer-20261124.sqlite3", str(backup))
                  .replace("cd /srv/volunteer", f"cd {checkout}"))
        run_block(script, checkout)
        restored = checkout / "instance" / "volunteer.sqlite3"
        assert not (checkout / "instance" / "volunteer.sqlite3-wal").exists()
        assert (checkout / "instance" / "before-restore" / "volunteer.sqlite3").exists()
        return f"sqlite:///{restored}", lambda: None
    u = h.make_url_parts(url)
    name = h.pg_name("restored")
    h.drop_pg_database(name)
    script = (documented_block("postgresql").replace("/backups/volunteer-20261124.dump", str(backup))
              .replace("PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres",
                       f"PGHOST={u['host']} PGPORT={u['port']} PGUSER={u['user']}")
              .replace("volunteer_restored", name))
    run_block(script, tmp_path, [str(Path(h.pg_tool("pg_restore")).parent)])
    return h.pg_database_url(name), lambda: h.drop_pg_database(name)


def test_backup_while_writing_then_documented_restore(tmp_path):
    with h.fresh_database(tmp_path, "backup") as url:
        fixture = seed(url)
        ledger, stop = tmp_path / "ledger.jsonl", tmp_path / "stop"
        log = open(tmp_path / "writer.log", "wb")
        writer = subprocess.Popen(
            [h.PYTHON, "-m", "tests.reliability.proc_writer", url, str(ledger), str(stop),
             str(fixture["team"]), str(fixture["category"]), *map(str, fixture["volunteers"])],
            cwd=h.REPO, env=h.subprocess_env(url), stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: len(ledger_rounds(ledger)) >= 15, 60, "the writer's first rounds")
            before = len(ledger_rounds(ledger))
            backup = tmp_path / ("copy.sqlite3" if h.backend() == "sqlite" else "copy.dump")
            result = h.flask_cli(url, "backup", str(backup))
            after = len(ledger_rounds(ledger))
            assert result.returncode == 0, result.stderr
            assert "已备份到" in result.stdout
            assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # it holds full ID numbers
            # the writer carries on after the backup, unharmed
            wait_for(lambda: len(ledger_rounds(ledger)) >= after + 15, 60, "rounds after the backup")
        finally:
            stop.touch()
            try:
                writer.wait(timeout=60)
            finally:
                if writer.poll() is None:
                    writer.kill()
                log.close()
        assert writer.returncode == 0, (tmp_path / "writer.log").read_text(errors="replace")[-3000:]
        rounds = ledger_rounds(ledger)
        assert not list(tmp_path.glob(".copy.*"))  # no temporary file left beside OUT

        restored_url, cleanup = restore(url, backup, tmp_path)
        try:
            upgrade = h.flask_cli(restored_url, "db", "upgrade")
            assert upgrade.returncode == 0, upgrade.stderr
            k = check_restored(restored_url, rounds, fixture, backup)
        finally:
            h.dispose_engines()
            cleanup()
        assert before <= k <= after, (before, k, after)
        print(f"[{h.backend()}] backup taken with {before}..{after} rounds acknowledged; copy holds rounds 1..{k} "
              f"whole; writer went on to {len(rounds)} rounds")


def check_restored(url: str, rounds: list[dict], fixture: dict, backup: Path) -> int:
    """The restored database holds ledger rounds 1..k, each whole, and nothing else."""
    from volunteer.activities.models import Activity
    from volunteer.audit.models import AuditLog
    from volunteer.extensions import db
    from volunteer.hours.models import ServiceRecord

    app = h.make_app(url)
    with app.app_context():
        activities = db.session.scalars(select(Activity).order_by(Activity.id)).all()
        k = len(activities)
        assert [a.id for a in activities] == [r["activity"] for r in rounds[:k]], "not a prefix of the ledger"
        records = db.session.scalars(select(ServiceRecord)).all()
        assert len(records) == k * len(fixture["volunteers"])
        by_activity = {}
        for r in records:
            by_activity.setdefault(r.activity_id, {})[str(r.volunteer_id)] = (r.id, r.minutes, r.status)
        audit = db.session.scalars(select(AuditLog)).all()
        created = {e.object_id for e in audit if e.action == "activity.create"}
        logged = {e.object_id: sorted(e.changes["records"]) for e in audit if e.action == "hours.log"}
        for round_ in rounds[:k]:
            aid = round_["activity"]
            got = by_activity.get(aid, {})
            want = {vid: (rid, round_["minutes"][vid], "approved") for vid, rid in round_["records"].items()}
            assert got == want, (round_, got)
            assert str(aid) in created, f"round {round_['n']}: activity without its audit entry"
            assert logged.get(str(aid)) == sorted(round_["records"].values()), f"round {round_['n']}: hours audit"
        assert len(created) == k and len(logged) == k  # no audit entry of a round that is not there
        marks = [e for e in audit if e.action == "system.backup"]
        assert len(marks) == 1 and marks[0].actor_name == "cli" and marks[0].changes["path"] == str(backup)
        db.session.remove()
    # and the restored copy serves the app: the office can log in
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/login", data={"username": "office-backup", "password": h.PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    return k


# --- refusals ---------------------------------------------------------------------------------------

def invoke(app, *args):
    """Run an app command in this process, without leaking its write intent into the test."""
    return copy_context().run(app.test_cli_runner().invoke, args=list(args))


def test_backup_refuses_a_missing_folder_or_database(tmp_path):
    app = h.make_app(f"sqlite:///{tmp_path / 'absent.sqlite3'}")
    result = invoke(app, "backup", str(tmp_path / "no-such-folder" / "copy.sqlite3"))
    assert result.exit_code == 2 and "目标目录不存在" in result.stderr
    out = tmp_path / "copy.sqlite3"
    result = invoke(app, "backup", str(out))
    assert result.exit_code == 1 and "数据库文件不存在" in result.stderr
    assert not out.exists() and not (tmp_path / "absent.sqlite3").exists()


def test_backup_will_not_overwrite_the_database_itself(tmp_path):
    live = tmp_path / "live.sqlite3"
    h.migrate(f"sqlite:///{live}")
    before = live.read_bytes()
    app = h.make_app(f"sqlite:///{live}")
    for target in (live, tmp_path / "live.sqlite3-wal"):
        result = invoke(app, "backup", str(target))
        assert result.exit_code == 1 and "不能覆盖数据库本身" in result.stderr
    assert live.read_bytes() == before


def test_backup_without_pg_dump_says_so(tmp_path, monkeypatch):
    from volunteer import backup

    monkeypatch.setattr(backup, "find_pg_dump", lambda: None)
    app = h.make_app("postgresql+psycopg://nobody@127.0.0.1:9/volunteer")
    result = invoke(app, "backup", str(tmp_path / "copy.dump"))
    assert result.exit_code == 1
    assert "找不到 pg_dump" in result.stderr and "postgresql-client" in result.stderr
    assert not (tmp_path / "copy.dump").exists()


def test_a_failed_pg_dump_leaves_no_partial_file_and_keeps_the_old_copy(tmp_path, monkeypatch):
    from volunteer import backup

    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\n"
                    "for a in \"$@\"; do case $a in --file=*) printf 'PGDMP partial' > \"${a#--file=}\";; esac; done\n"
                    "echo 'pg_dump: error: connection to server lost' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(backup, "find_pg_dump", lambda: str(fake))
    out = tmp_path / "copy.dump"
    out.write_bytes(b"yesterday's good copy")
    app = h.make_app("postgresql+psycopg://nobody:pw@127.0.0.1:9/volunteer")
    result = invoke(app, "backup", str(out))
    assert result.exit_code == 1 and "pg_dump 失败" in result.stderr and "connection to server lost" in result.stderr
    assert out.read_bytes() == b"yesterday's good copy"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.dump", "pg_dump"]


def test_pg_dump_gets_the_password_from_the_environment_not_the_command_line():
    from sqlalchemy.engine import make_url

    from volunteer.backup import pg_dump_command

    args, env = pg_dump_command(make_url("postgresql+psycopg://clerk:s3cret@db.example:5433/volunteer?sslmode=require"))
    assert env == {"PGPASSWORD": "s3cret"}
    assert not any("s3cret" in a for a in args)
    assert "--format=custom" in args
    assert "--dbname=postgresql://clerk@db.example:5433/volunteer?sslmode=require" in args
