"""kill -9 in the middle of a big write leaves nothing half-done.

A process approving 5,000 pending records in one transaction, and the command-line import of a
20,000-row roster, are each killed with a real SIGKILL as soon as their writes have started (the
process reports, from inside its database layer, the moment the first UPDATE / INSERT goes out).
Afterwards the database holds either all of the work with its one audit entry, or none of it and
no audit entry; it passes its integrity check; and the same work then runs through cleanly.
"""
import os
import signal
import subprocess
import sqlite3
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from tests.reliability import helpers as h

pytestmark = pytest.mark.slow

N_RECORDS = 5000  # 100 activities x 50 volunteers
N_ROWS = 20000


def _count(model, *where):
    from volunteer.extensions import db

    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def seed_pending(url: str) -> None:
    """5,000 pending records (bulk inserts; what they say does not matter here, only that they are many)."""
    from volunteer.activities.models import Activity
    from volunteer.extensions import db
    from volunteer.hours.models import ServiceRecord
    from volunteer.teams.services import create_category, create_team
    from volunteer.volunteers.models import Volunteer

    app = h.make_app(url)
    with app.app_context():
        category = create_category(None, "文明交通")
        team = create_team(None, {"name": "故障测试志愿服务队", "kind": "居委"})
        db.session.execute(insert(Volunteer), [
            {"name": f"审核{i}", "id_type": "居民身份证", "id_number": h.make_id_number(i, date(1980, 1, 2)),
             "id_last4": h.make_id_number(i, date(1980, 1, 2))[-4:], "phone": f"1350000{i:04d}",
             "registered_on": date(2025, 1, 1), "status": "active"} for i in range(50)])
        db.session.execute(insert(Activity), [
            {"team_id": team.id, "title": f"审核活动{i}", "category_id": category.id,
             "service_date": date(2026, 3, 1) + timedelta(days=i % 28), "status": "published"} for i in range(100)])
        volunteers = list(db.session.scalars(select(Volunteer.id)))
        activities = db.session.execute(select(Activity.id, Activity.service_date)).all()
        db.session.execute(insert(ServiceRecord), [
            {"activity_id": aid, "volunteer_id": vid, "team_id": team.id, "category_id": category.id,
             "service_date": day, "minutes": 120, "status": "pending", "source": "web"}
            for aid, day in activities for vid in volunteers])
        db.session.commit()
        assert _count(ServiceRecord) == N_RECORDS
        db.session.remove()


def run_and_kill(args: list[str], url: str, signal_file, tmp_path, *, min_rows: int = 1, timeout: float = 180) -> str:
    """Start the process, SIGKILL it as soon as it reports that at least `min_rows` rows of its
    writes are on their way; return what it had reported by then."""
    log = open(tmp_path / "victim.log", "wb")
    proc = subprocess.Popen([h.PYTHON, "-m", "tests.reliability.proc_faults", *args], cwd=h.REPO,
                            env=h.subprocess_env(url), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    try:
        while True:
            report = signal_file.read_text() if signal_file.exists() else ""
            if report.startswith("started") and progress(report)[2] >= min_rows:
                os.kill(proc.pid, signal.SIGKILL)
                break
            if proc.poll() is not None:
                raise AssertionError("finished before it could be killed:\n"
                                     + (tmp_path / "victim.log").read_text(errors="replace")[-3000:])
            if time.monotonic() > deadline:
                raise AssertionError("its writes never started")
            time.sleep(0.001)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    assert proc.returncode == -signal.SIGKILL
    return signal_file.read_text()


def run_to_end(args: list[str], url: str, tmp_path) -> subprocess.CompletedProcess:
    result = subprocess.run([h.PYTHON, "-m", "tests.reliability.proc_faults", *args], cwd=h.REPO,
                            env=h.subprocess_env(url), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


def check_database_intact(url: str) -> None:
    if h.backend() == "sqlite":
        conn = sqlite3.connect(h.sqlite_path(url))
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            conn.close()


def progress(report: str) -> tuple[str, int, int]:
    state, statements, rows = report.split()
    return state, int(statements), int(rows)


def test_kill_9_during_an_approval_batch(tmp_path, record_property):
    from volunteer.audit.models import AuditLog
    from volunteer.extensions import db
    from volunteer.hours.models import ServiceRecord

    with h.fresh_database(tmp_path, "kill_approve") as url:
        seed_pending(url)
        signal_file = tmp_path / "approve.signal"
        # killed a quarter of the way through the UPDATEs (the ORM sends one per record)
        report = run_and_kill(["approve", url, str(signal_file)], url, signal_file, tmp_path,
                              min_rows=N_RECORDS // 4)
        state, statements, rows = progress(report)
        check_database_intact(url)

        app = h.make_app(url)
        with app.app_context():
            outcome = (_count(ServiceRecord, ServiceRecord.status == "approved"),
                       _count(ServiceRecord, ServiceRecord.status == "pending"),
                       _count(AuditLog, AuditLog.action == "hours.approve"))
            db.session.remove()
        assert outcome in ((0, N_RECORDS, 0), (N_RECORDS, 0, 1)), outcome
        if state != "commit":  # killed before the COMMIT went out: nothing may remain
            assert outcome == (0, N_RECORDS, 0), outcome

        # The database carries on: the same batch runs through, once.
        signal_file.unlink()
        run_to_end(["approve", url, str(signal_file)], url, tmp_path)
        with app.app_context():
            assert _count(ServiceRecord, ServiceRecord.status == "approved") == N_RECORDS
            entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "hours.approve")).all()
            assert len(entries) == 1 and len(entries[0].changes["records"]) == N_RECORDS
            db.session.remove()
    summary = (f"[{h.backend()}] approval of {N_RECORDS}: SIGKILL after {rows} of {N_RECORDS} row updates sent "
               f"({state}); afterwards approved={outcome[0]} pending={outcome[1]} audit entries={outcome[2]}")
    record_property("figures", summary)
    print(summary)


def write_roster(path, team: str) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["序号", "姓名", "证件号码", "手机号码", "所属队伍"])
    for i in range(N_ROWS):
        birth = date(1960, 1, 1) + timedelta(days=37 * (i // 1000))
        ws.append([i + 1, f"导入{i}", h.make_id_number(i % 1000, birth), f"139{i:08d}", team])
    wb.save(path)


def import_command_exists(url: str) -> bool:
    result = h.flask_cli(url, "import", "volunteers", "--help")
    return result.returncode == 0 and "--skip-invalid" in result.stdout


def test_kill_9_during_a_20000_row_import(tmp_path, record_property):
    from volunteer.audit.models import AuditLog
    from volunteer.extensions import db
    from volunteer.imports.models import ImportBatch
    from volunteer.teams.models import TeamMembership
    from volunteer.teams.services import create_team
    from volunteer.volunteers.models import Volunteer

    with h.fresh_database(tmp_path, "kill_import") as url:
        if not import_command_exists(url):
            pytest.skip("`flask --app volunteer import volunteers` does not exist yet")
        app = h.make_app(url)
        with app.app_context():
            create_team(None, {"name": "导入测试志愿服务队", "kind": "居委"})
            db.session.commit()
            db.session.remove()
        roster = tmp_path / "roster.xlsx"
        write_roster(roster, "导入测试志愿服务队")

        def outcome():
            with app.app_context():
                found = (_count(Volunteer), _count(TeamMembership),
                         _count(AuditLog, AuditLog.action == "import.volunteers"), _count(ImportBatch))
                db.session.remove()
            return found

        kills = []
        # Killed as the volunteers go in, then (a second run) after they are in and the team
        # memberships are going in: the volunteers already sent must not survive either.
        for pattern in ("INSERT INTO volunteers", "INSERT INTO team_memberships"):
            signal_file = tmp_path / "import.signal"
            signal_file.unlink(missing_ok=True)
            args = ["cli", str(signal_file), pattern, "import", "volunteers", str(roster)]
            state, statements, rows = progress(run_and_kill(args, url, signal_file, tmp_path))
            check_database_intact(url)
            after_kill = outcome()
            kills.append((pattern, rows, state, after_kill))
            assert after_kill in ((0, 0, 0, 0), (N_ROWS, N_ROWS, 1, 1)), (pattern, after_kill)
            if state != "commit":
                assert after_kill == (0, 0, 0, 0), (pattern, after_kill)
            if after_kill != (0, 0, 0, 0):
                break

        # Run again to the end: the whole roster, once.
        result = h.flask_cli(url, "import", "volunteers", str(roster), "--json", timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        assert outcome() == (N_ROWS, N_ROWS, 1, after_kill[3] + 1)
    summary = f"[{h.backend()}] import of {N_ROWS} rows: " + "; ".join(
        f"SIGKILL once {rows} rows of `{pattern}` were sent ({state}) -> volunteers={found[0]} "
        f"memberships={found[1]} audit entries={found[2]}" for pattern, rows, state, found in kills)
    record_property("figures", summary)
    print(summary)
