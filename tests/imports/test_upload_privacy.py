"""Uploads and privacy (CONTRACT section 3): a leader's hours preview is no free registration
oracle, the rejected rows go back to the uploader only (a POST, audited), stored files do not
outlive their batch, cancelling is audited, and checking an upload holds no write lock."""
from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta

from sqlalchemy import create_engine, func, select, text, update

from tests import factories
from tests.imports.helpers import id_number, workbook_bytes
from tests.imports.test_routes import count, sample, token_of, upload
from volunteer import throttle
from volunteer.audit.models import AuditLog
from volunteer.database import WRITE_LOCK_KEY
from volunteer.extensions import db
from volunteer.imports import services
from volunteer.imports.models import ImportBatch
from volunteer.clock import utcnow
from volunteer.teams.models import Team

HEADER = ["姓名", "证件号码", "所属队伍", "活动名称", "活动日期", "服务时长"]
REFUSED = "操作过于频繁，请稍后再试"


def hours_file(rows) -> bytes:
    return workbook_bytes({"s": [HEADER] + [list(r) for r in rows]})


def unknown_rows(n: int, team: str = "甲队"):
    return [(f"路人{i}", id_number(serial=500 + i), team, "巡逻", "2026-03-01", 2) for i in range(n)]


def audits(action: str) -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_hours_preview_spends_the_leaders_budget_and_refuses_as_a_whole(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "LOOKUP_BUDGET", 5)
    own = factories.make_team("甲队")
    leader = login_as("leader", teams=[own])
    # Three guesses: each row's answer costs one unit, and the spend is audited.
    token = token_of(upload(client, "hours", hours_file(unknown_rows(3))))
    assert "未找到该证件号码的志愿者" in client.get(f"/imports/{token}").get_data(as_text=True)
    db.session.expire_all()
    assert throttle.budget_left(leader) == 2
    (entry,) = audits("import.lookups")
    assert entry.actor_id == leader.id and entry.changes["lookups"] == 3
    # Six more would need more than the two left: refused as a whole, no row revealed, nothing spent.
    response = upload(client, "hours", hours_file(unknown_rows(6)))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and REFUSED in body
    assert "未找到" not in body and "第2行" not in body
    db.session.expire_all()
    assert throttle.budget_left(leader) == 2
    last = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert last.status == "failed" and last.content is None and "errors" not in last.report


def test_rows_about_own_members_cost_nothing_but_outsiders_do(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "LOOKUP_BUDGET", 2)
    own, other = factories.make_team("甲队"), factories.make_team("乙队")
    members = [factories.make_volunteer(name=f"队员{i}", teams=[own], id_number=id_number(serial=10 + i))
               for i in range(40)]
    outsider = factories.make_volunteer(name="外人", teams=[other], id_number=id_number(serial=99))
    leader = login_as("leader", teams=[own])
    rows = [(v.name, v.id_number, "甲队", "巡逻", "2026-03-01", 2) for v in members]
    token_of(upload(client, "hours", hours_file(rows)))
    db.session.expire_all()
    assert throttle.budget_left(leader) == 2
    # A hit on someone outside one's teams tells as much as a miss: it costs a unit.
    token_of(upload(client, "hours", hours_file([(outsider.name, outsider.id_number, "甲队", "巡逻", "2026-03-02", 1)])))
    db.session.expire_all()
    assert throttle.budget_left(leader) == 1


def test_office_previews_are_not_counted(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "LOOKUP_BUDGET", 1)
    factories.make_team("甲队")
    office = login_as("office")
    token_of(upload(client, "hours", hours_file(unknown_rows(5))))
    assert not audits("import.lookups") and throttle.budget_left(office) is None


def test_error_rows_go_to_the_uploader_only_by_post_and_audited(app, client, login_as):
    own = factories.make_team("甲队")
    leader = login_as("leader", teams=[own])
    token = token_of(upload(client, "hours", hours_file(unknown_rows(2))))
    assert "下载错误行" in client.get(f"/imports/{token}").get_data(as_text=True)
    assert client.get(f"/imports/{token}/errors.xlsx").status_code == 405  # no GET: a download is audited
    for _ in range(2):
        response = client.post(f"/imports/{token}/errors.xlsx")
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    entries = audits("import.errors_download")
    assert len(entries) == 2 and {e.actor_id for e in entries} == {leader.id}
    # The office sees the preview, not the uploader's rows as they were typed.
    client.post("/logout")
    login_as("office")
    assert "下载错误行" not in client.get(f"/imports/{token}").get_data(as_text=True)
    assert client.post(f"/imports/{token}/errors.xlsx").status_code == 404
    assert len(audits("import.errors_download")) == 2


def stored(token: str):
    db.session.expire_all()
    return db.session.scalar(select(ImportBatch.content).where(ImportBatch.token == token))


def test_stored_file_dropped_on_confirm_and_cancel_and_cancel_audited(client, login_as):
    office = login_as("office")
    token = token_of(upload(client, "teams", sample("teams")))
    assert stored(token) is not None
    client.post(f"/imports/{token}/confirm")
    assert count(Team) == 7 and stored(token) is None
    token = token_of(upload(client, "teams", sample("teams")))
    client.post(f"/imports/{token}/cancel")
    assert stored(token) is None
    (entry,) = audits("import.cancel")
    assert entry.actor_id == office.id and entry.changes["after"] == {"status": "cancelled"}


def test_day_old_preview_expires(client, login_as):
    login_as("office")
    old = token_of(upload(client, "teams", sample("teams")))
    db.session.execute(update(ImportBatch).where(ImportBatch.token == old)
                       .values(created_at=utcnow() - timedelta(days=1, minutes=1)))
    db.session.commit()
    assert "已超过一天" in client.get(f"/imports/{old}").get_data(as_text=True)
    response = client.post(f"/imports/{old}/confirm", follow_redirects=True)
    assert "已超过一天" in response.get_data(as_text=True) and count(Team) == 0
    assert stored(old) is None
    assert db.session.scalar(select(ImportBatch.status).where(ImportBatch.token == old)) == "cancelled"


def test_new_preview_drops_day_old_uploads(client, login_as):
    login_as("office")
    old = token_of(upload(client, "teams", sample("teams")))
    db.session.execute(update(ImportBatch).where(ImportBatch.token == old)
                       .values(created_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    fresh = token_of(upload(client, "teams", sample("teams")))
    assert stored(old) is None and stored(fresh) is not None
    assert audits("import.expire")


class WriteLockHeld:
    """Another connection holding the write lock every POST takes (BEGIN IMMEDIATE on SQLite,
    the advisory lock on PostgreSQL) until `release_now()` or the end of the block; a timer
    releases it after ``seconds`` in any case, so a test that wrongly waits fails instead of
    hanging. No wall-clock limit: what is asserted is whether the work finished while the lock
    was still held."""

    def __init__(self, app, seconds: float = 60):
        self.url, self.seconds = app.config["SQLALCHEMY_DATABASE_URI"], seconds
        self.released_at = None
        self._lock = threading.Lock()

    def __enter__(self):
        if self.url.startswith("sqlite"):
            self.conn = sqlite3.connect(self.url.split("///", 1)[1], isolation_level=None, check_same_thread=False)
            self.conn.execute("BEGIN IMMEDIATE")
            self.release = lambda: self.conn.execute("ROLLBACK")
        else:
            self.engine = create_engine(self.url)
            self.conn = self.engine.connect()
            self.conn.execute(text(f"SELECT pg_advisory_lock({WRITE_LOCK_KEY})"))
            self.release = lambda: self.conn.execute(text(f"SELECT pg_advisory_unlock({WRITE_LOCK_KEY})"))
        self.timer = threading.Timer(self.seconds, self.release_now)
        self.timer.start()
        return self

    @property
    def held(self) -> bool:
        return self.released_at is None

    def release_now(self):
        with self._lock:
            if self.released_at is None:
                self.release()
                self.released_at = time.monotonic()

    def __exit__(self, *exc):
        self.timer.cancel()
        self.release_now()
        self.conn.close()
        if not self.url.startswith("sqlite"):
            self.engine.dispose()


def test_checking_an_upload_takes_no_write_lock(app, client, login_as, monkeypatch):
    login_as("office")
    data = sample("volunteers")
    checked_while_held = []
    real = services.run_import

    def watched(*args, **kwargs):
        report = real(*args, **kwargs)
        checked_while_held.append(lock.held)
        lock.release_now()  # now storing the batch may take the lock
        return report

    monkeypatch.setattr(services, "run_import", watched)
    db.session.commit()  # this test's own session holds nothing either
    with WriteLockHeld(app) as lock:
        response = upload(client, "volunteers", data)
    assert response.status_code == 302
    # The whole file was read and checked while someone else held the write lock; only
    # storing the batch waited for it.
    assert checked_while_held == [True]
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 1
