"""The office's register of national packs: build by POST, list, download again by POST (audited)."""
import hashlib
import io
from datetime import date

import openpyxl
from sqlalchemy import select

from tests.factories import make_activity, make_record, make_volunteer
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.national.models import NationalBatch


def _one_record():
    person = make_volunteer(name="王五")
    make_record(make_activity(title="义诊", service_date=date(2025, 5, 1), start_time="09:00", end_time="11:00"),
                person, minutes=120)
    db.session.commit()
    return person


def test_office_builds_lists_and_downloads_a_batch(app, client, login_as):
    person = _one_record()
    login_as("office")
    response = client.post("/national/batches", data={"date_from": "2025-05-01", "date_to": "2025-05-31"})
    assert response.status_code == 302
    page = client.get("/national/batches").get_data(as_text=True)
    assert "已生成第 1 批" in page and "第 1 批" in page and "2025-05-01 至 2025-05-31" in page

    response = client.post("/national/batches/download", data={"batch": "1"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private, no-store")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["志愿者", "服务时长", "不能导出"]
    assert book["服务时长"]["B2"].value == person.id_number  # the full number: office only
    batch = db.session.get(NationalBatch, 1)
    assert hashlib.sha256(response.data).hexdigest() == batch.digest  # byte for byte the same file
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.object_type == "national_batch")).all()
    assert sorted(actions) == ["national.download", "national.export"]


def test_bad_dates_keep_what_was_typed(app, client, login_as):
    login_as("office")
    response = client.post("/national/batches", data={"date_from": "2025-13-40", "date_to": "2025-01-01"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="2025-13-40"' in page and "invalid-feedback" in page
    response = client.post("/national/batches", data={"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)
    assert db.session.scalar(select(NationalBatch.id)) is None


def test_download_of_a_missing_batch(app, client, login_as):
    login_as("office")
    response = client.post("/national/batches/download", data={"batch": "99"}, follow_redirects=True)
    assert "请选择要下载的批次" in response.get_data(as_text=True)


def test_no_download_by_get_and_not_for_a_leader(app, client, login_as):
    _one_record()
    login_as("office")
    client.post("/national/batches", data={})
    assert client.get("/national/batches/download?batch=1").status_code == 405
    client.post("/logout")
    login_as("leader")
    assert client.post("/national/batches/download", data={"batch": "1"}).status_code == 403
    assert client.get("/national/batches").status_code == 403


def test_page_needs_csrf(app, client, login_as):
    login_as("office")
    app.config["WTF_CSRF_ENABLED"] = True  # after the login (the fixture's configuration is restored)
    assert client.post("/national/batches", data={}).status_code == 400
    assert db.session.scalar(select(NationalBatch.id)) is None
