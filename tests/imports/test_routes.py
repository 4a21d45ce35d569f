"""The import pages: upload → preview (nothing written) → confirm, errors download, cancel,
history, permissions (office any kind; leader hours of their teams; volunteers 403)."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.imports.helpers import FIXTURES, id_number, read_rows, workbook_bytes
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord
from volunteer.imports.models import ImportBatch
from volunteer.teams.models import Team
from volunteer.volunteers.models import Volunteer


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def upload(client, kind, data, name="file.xlsx", skip_invalid=False):
    form = {"kind": kind, "file": (io.BytesIO(data), name)}
    if skip_invalid:
        form["skip_invalid"] = "y"
    return client.post("/imports/", data=form, content_type="multipart/form-data")


def sample(kind):
    return (FIXTURES / f"{kind}.xlsx").read_bytes()


def token_of(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    match = re.search(r"/imports/([\w-]+)$", response.headers["Location"])
    return match.group(1)


def text(response):
    return response.get_data(as_text=True)


def test_access(client, login_as):
    assert client.get("/imports/").status_code == 302  # to the login page
    login_as("volunteer", volunteer=factories.make_volunteer())
    assert client.get("/imports/").status_code == 403
    assert upload(client, "teams", sample("teams")).status_code == 403


def test_office_preview_then_confirm(client, login_as):
    login_as("office")
    page = client.get("/imports/")
    assert page.status_code == 200 and "导入记录" in text(page) and 'enctype="multipart/form-data"' in text(page)
    token = token_of(upload(client, "teams", sample("teams"), "teams.xlsx"))
    assert count(Team) == 0  # a preview writes nothing
    preview = client.get(f"/imports/{token}")
    body = text(preview)
    assert preview.status_code == 200
    assert "工作表“队伍”" in body and "表头在第 1 行" in body and "确认导入" in body
    assert re.search(r'data-count="created">7<', body)
    assert client.get(f"/imports/{token}").status_code == 200  # a reload shows the same preview
    done = client.post(f"/imports/{token}/confirm")
    assert done.status_code == 302
    assert count(Team) == 7
    batch = db.session.scalar(select(ImportBatch).where(ImportBatch.token == token))
    assert batch.status == "done" and batch.report["written"] is True and batch.file_name == "teams.xlsx"
    after = text(client.get(f"/imports/{token}"))
    assert "已导入" in after and "确认导入" not in after
    # A second confirmation (double click, another worker) writes nothing more.
    client.post(f"/imports/{token}/confirm")
    assert count(Team) == 7
    history = text(client.get("/imports/"))
    assert "teams.xlsx" in history and batch.file_sha256[:12] in history and "已导入" in history


def test_rejected_rows_shown_downloaded_and_valid_rows_imported(client, login_as):
    login_as("office")
    token_of(upload(client, "teams", sample("teams")))
    client.post(f"/imports/{db.session.scalar(select(ImportBatch.token))}/confirm")
    token = token_of(upload(client, "volunteers", sample("volunteers"), "volunteers.xlsx"))
    body = text(client.get(f"/imports/{token}"))
    assert "仅导入 32 条有效记录" in body and "确认导入" not in body
    assert "第29行" in body and "校验位错误" in body and "与第5行重复" in body
    assert "下载错误行" in body and "取消" in body
    download = client.post(f"/imports/{token}/errors.xlsx")
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    rows = read_rows(download.data)
    assert rows[0][:2] == ["原行号", "错误原因"] and len(rows) == 6
    assert any(r[1] == "证件号码：校验位错误" and r[0] == 29 for r in rows[1:])
    # Pressing the plain confirm without choosing to skip: all or nothing, nothing written.
    client.post(f"/imports/{token}/confirm")
    assert count(Volunteer) == 0
    assert db.session.scalar(select(ImportBatch.status).where(ImportBatch.token == token)) == "preview"
    client.post(f"/imports/{token}/confirm", data={"skip_invalid": "1"})
    assert count(Volunteer) == 32
    assert db.session.scalar(select(ImportBatch.status).where(ImportBatch.token == token)) == "done"


def test_confirm_from_another_session_uses_the_stored_file(app, client, login_as):
    first = login_as("office")
    token = token_of(upload(client, "teams", sample("teams")))
    other = app.test_client()
    second = factories.make_user(role="office")
    db.session.commit()
    other.post("/login", data={"username": second.username, "password": factories.PASSWORD})
    assert other.post(f"/imports/{token}/confirm").status_code == 302
    assert count(Team) == 7 and first.id != second.id


def test_fatal_file_shown_on_upload_page(client, login_as):
    login_as("office")
    response = upload(client, "volunteers", b"this is not a workbook" * 10, "roster.xlsx")
    body = text(response)
    assert response.status_code == 200
    assert "文件无法导入" in body and "不是有效的 Excel (.xlsx) 文件" in body and "Traceback" not in body
    batch = db.session.scalar(select(ImportBatch))
    assert batch.status == "failed" and batch.content is None and "fatal" in batch.report
    # A required column not recognised is put right on the preview (choose the column), not refused.
    missing = upload(client, "volunteers", workbook_bytes({"s": [["姓名", "手机号码"], ["张三", "13912345678"]]}))
    assert "缺少必填列：证件号码" in text(client.get(missing.headers["Location"]))
    assert upload(client, "volunteers", b"").status_code == 200  # an empty upload is a form error


def test_cancel(client, login_as):
    login_as("office")
    token = token_of(upload(client, "teams", sample("teams")))
    assert client.post(f"/imports/{token}/cancel").status_code == 302
    batch = db.session.scalar(select(ImportBatch))
    db.session.refresh(batch)
    assert batch.status == "cancelled" and batch.content is None
    client.post(f"/imports/{token}/confirm")
    assert count(Team) == 0


def test_leader_imports_hours_of_own_teams_only(client, login_as):
    own = factories.make_team("甲队")
    other = factories.make_team("乙队")
    v = factories.make_volunteer(name="张三", id_number=id_number(serial=5))
    leader = login_as("leader", teams=[own])
    page = text(client.get("/imports/"))
    assert 'value="hours"' in page and 'value="volunteers"' not in page
    assert upload(client, "volunteers", sample("volunteers")).status_code == 403
    header = ["姓名", "证件号码", "所属队伍", "活动名称", "活动日期", "服务时长"]
    data = workbook_bytes({"s": [header, ["张三", v.id_number, "甲队", "巡逻", "2026-03-01", 2],
                                 ["张三", v.id_number, "乙队", "巡逻", "2026-03-01", 2]]})
    token = token_of(upload(client, "hours", data, "hours.xlsx"))
    body = text(client.get(f"/imports/{token}"))
    assert "您不是“乙队”的队长" in body and "仅导入 1 条有效记录" in body
    client.post(f"/imports/{token}/confirm", data={"skip_invalid": "1"})
    rec = db.session.scalar(select(ServiceRecord))
    assert (rec.team_id, rec.status, rec.created_by_id) == (own.id, "pending", leader.id)
    assert count(ServiceRecord) == 1 and other.id != own.id


def test_batches_of_others_are_hidden_from_leaders(app, client, login_as):
    office = factories.make_user(role="office")
    batch = ImportBatch(token="tok-office", kind="teams", file_name="t.xlsx", file_sha256="0" * 64,
                        status="done", report={}, created_by_id=office.id)
    db.session.add(batch)
    login_as("leader", teams=[factories.make_team()])
    assert client.get("/imports/tok-office").status_code == 404
    assert client.post("/imports/tok-office/confirm").status_code == 404
    assert "t.xlsx" not in text(client.get("/imports/"))


def test_history_is_paginated(client, login_as):
    user = login_as("office")
    for i in range(55):
        db.session.add(ImportBatch(token=f"t{i}", kind="teams", file_name=f"file{i:02d}.xlsx", file_sha256="a" * 64,
                                   status="done", report={"rows": 1, "created": 1, "updated": 0, "unchanged": 0,
                                                          "rejected": 0}, created_by_id=user.id))
    db.session.commit()
    first = text(client.get("/imports/"))
    assert first.count("file") >= 50 and "下一页" in first
    second = text(client.get("/imports/?page=2"))
    assert len(re.findall(r"file\d\d\.xlsx", second)) == 5


@pytest.mark.parametrize("kind", ["volunteers", "hours"])
def test_csrf_protected(app, client, login_as, kind):
    login_as("office")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert upload(client, kind, sample(kind)).status_code == 400
        assert client.post("/imports/whatever/confirm").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert count(ImportBatch) == 0


def test_three_samples_through_the_web(client, login_as):
    from tests.imports.helpers import EXPECTED
    from volunteer.activities.models import Activity

    login_as("office")
    outcome = {}
    for kind in ("teams", "volunteers", "hours"):
        token = token_of(upload(client, kind, sample(kind), f"{kind}.xlsx", skip_invalid=kind != "teams"))
        body = text(client.get(f"/imports/{token}"))
        report = db.session.scalar(select(ImportBatch.report).where(ImportBatch.token == token))
        valid = report["rows"] - report["rejected"]
        assert ("确认导入" if kind == "teams" else f"仅导入 {valid} 条有效记录") in body
        client.post(f"/imports/{token}/confirm", data={} if kind == "teams" else {"skip_invalid": "1"})
        outcome[kind] = db.session.scalar(select(ImportBatch.report).where(ImportBatch.token == token))
    assert outcome["teams"]["created"] == EXPECTED["teams"]["created"]
    assert outcome["volunteers"]["created"] == EXPECTED["volunteers"]["accepted"]
    assert {e["row"] for e in outcome["volunteers"]["errors"]} == {int(n) for n in EXPECTED["volunteers"]["bad_rows"]}
    assert outcome["hours"]["created"] == EXPECTED["hours"]["records"]
    assert {str(e["row"]): e["column"] for e in outcome["hours"]["errors"]} == \
        {n: bad["column"] for n, bad in EXPECTED["hours"]["bad_rows"].items()}
    assert count(ServiceRecord) == 18 and count(Activity) == 6 and count(Volunteer) == 32
    statuses = set(db.session.scalars(select(ServiceRecord.status)))
    assert statuses == {"approved"}
