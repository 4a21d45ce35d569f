"""Hostile uploads: oversize bodies, path-like file names, zip bombs, huge declared sheets."""
import io
import os
import re
import zipfile

import pytest
from sqlalchemy import select

from volunteer.extensions import db
from volunteer.imports.models import ImportBatch
from volunteer.volunteers.validators import COLUMN_NAMES

from tests import factories as f
from tests.hostile._helpers import xlsx

HEADER = list(COLUMN_NAMES.values())


def _good_file() -> bytes:
    team = f.make_team("上传队")
    db.session.commit()
    row = ["孙七", None, "居民身份证", f.make_id_number(serial=11), "13800000011"] + [None] * 5 + [team.name] + [None] * 5
    return xlsx(HEADER, [row])


def _upload(client, data: bytes, name: str):
    return client.post("/imports/", data={"kind": "volunteers", "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_oversize_body_is_413_in_chinese(app, client, login_as):
    login_as("office")
    big = b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    resp = _upload(client, big, "big.xlsx")
    assert resp.status_code == 413
    body = resp.get_data(as_text=True)
    assert "文件过大" in body and "20 MB" in body
    assert db.session.scalar(select(ImportBatch.id)) is None


def _snapshot(app):
    places = {os.getcwd(), app.instance_path, os.path.dirname(app.instance_path)}
    out = {}
    for p in places:
        if os.path.isdir(p):
            out[p] = set(os.listdir(p))
    return out


@pytest.mark.parametrize("name", [
    "../../etc/passwd.xlsx", "C:\\evil\\..\\x.xlsx", "/etc/cron.d/x.xlsx", "a\x00b.xlsx", "a\nb\r.xlsx",
    "..\\..\\..\\windows\\system32\\x.xlsx", "x" * 1000 + ".xlsx", "<script>alert(1)</script>.xlsx", "..", "",
])
def test_file_name_is_stored_safely(app, client, login_as, name):
    login_as("office")
    data = _good_file()
    before = _snapshot(app)
    resp = _upload(client, data, name)
    assert resp.status_code in (200, 302), resp.status_code
    db.session.expire_all()
    batch = db.session.scalars(select(ImportBatch)).one_or_none()
    if batch is None:
        # No file name (or one the multipart parser drops): the form asks for a file, nothing stored.
        assert "请选择要导入的 Excel 文件" in resp.get_data(as_text=True)
        assert _snapshot(app) == before
        return
    stored = batch.file_name
    assert stored and len(stored) <= 255
    assert "/" not in stored and "\\" not in stored
    assert not re.search(r"[\x00-\x1f\x7f]", stored), repr(stored)
    assert stored not in ("..", ".")
    assert _snapshot(app) == before, "a file was written outside the database"
    page = client.get("/imports/").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "etc/passwd" not in page and "evil\\" not in page


def _rewrite(data: bytes, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, edit(info.filename, src.read(info.filename)))
        extra = edit(None, None)
        if extra:
            for member, payload in extra:
                dst.writestr(member, payload)
    return out.getvalue()


def _assert_refused(client, data, *words):
    resp = _upload(client, data, "bad.xlsx")
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    for w in words:
        assert w in body, body[:2000]
    db.session.expire_all()
    statuses = [b.status for b in db.session.scalars(select(ImportBatch))]
    assert "preview" not in statuses and statuses == ["failed"]


def test_zip_bomb_refused(app, client, login_as):
    login_as("office")
    base = _good_file()

    def edit(name, payload):
        if name is None:
            return [("xl/media/bomb.bin", b"\0" * (30 * 1024 * 1024))]
        return payload

    _assert_refused(client, _rewrite(base, edit), "压缩比异常")


def test_bomb_inside_the_sheet_refused(app, client, login_as):
    login_as("office")
    base = _good_file()

    def edit(name, payload):
        if name and name.endswith("sheet1.xml"):
            return payload.replace(b"</sheetData>", b"</sheetData>" + b" " * (30 * 1024 * 1024))
        return None if name is None else payload

    _assert_refused(client, _rewrite(base, edit), "已拒绝导入")


def test_far_cell_under_a_lying_dimension_refused(app, client, login_as):
    login_as("office")
    base = _good_file()

    def edit(name, payload):
        if name and name.endswith("sheet1.xml"):
            new = payload.replace(b"</sheetData>", b'<row r="10000"><c r="XFD10000"><v>1</v></c></row></sheetData>')
            assert new != payload and b"<dimension" in new  # the declared dimension stays small
            return new
        return None if name is None else payload

    _assert_refused(client, _rewrite(base, edit), "超过 64 列的上限")


def test_million_real_rows_without_dimension_refused(app, client, login_as):
    login_as("office")
    base = _good_file()

    def edit(name, payload):
        if name and name.endswith("sheet1.xml"):
            payload = re.sub(rb"<dimension [^>]*/>", b"", payload)
            rows = b"".join(b'<row r="%d"/>' % i for i in range(3, 1_000_003))
            return payload.replace(b"</sheetData>", rows + b"</sheetData>")
        return None if name is None else payload

    _assert_refused(client, _rewrite(base, edit), "行的上限")


def test_not_a_zip_and_legacy_xls(app, client, login_as):
    login_as("office")
    _assert_refused(client, b"<html>" + b"x" * 100, "不是有效的 Excel")
    db.session.execute(ImportBatch.__table__.delete())
    db.session.commit()
    _assert_refused(client, b"\xd0\xcf\x11\xe0" + b"\0" * 600, "旧版 .xls")


@pytest.mark.parametrize("name", ["a\nb\r.xlsx", "a\x00b.xlsx", "..", ".", "\x7f\x1b[31m.xlsx", "dir/\n",
                                  "C:\\evil\\..\\x.xlsx", "../" * 200 + "y" * 400])
def test_short_name_rule(name):
    from volunteer.imports.services import _short
    stored = _short(name)
    assert stored and len(stored) <= 255 and stored not in (".", "..")
    assert "/" not in stored and "\\" not in stored
    assert not re.search(r"[\x00-\x1f\x7f]", stored), repr(stored)
