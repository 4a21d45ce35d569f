"""The office imports training, commendations and evaluations on the import page too: upload,
preview (nothing written), confirm."""
import io
import re

from sqlalchemy import func, select

from tests import factories as f
from volunteer.excel.writer import SheetSpec, write_workbook
from volunteer.extensions import db
from volunteer.merits.models import Commendation, TrainingAttendance


def _xlsx(header, rows) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, [SheetSpec("Sheet1", header, rows)])
    return buffer.getvalue()


def _upload(client, kind, data):
    return client.post("/imports/", data={"kind": kind, "file": (io.BytesIO(data), "f.xlsx")},
                       content_type="multipart/form-data")


def test_office_previews_then_confirms_a_training_file(client, login_as):
    team = f.make_team("虹桥居委志愿服务队")
    a = f.make_volunteer("张三", teams=[team])
    login_as("office")
    assert "培训记录" in client.get("/imports/").get_data(as_text=True)
    data = _xlsx(["姓名", "证件号码", "培训主题", "培训日期", "学时"], [["张三", a.id_number, "急救培训", "2026-05-10", "2"]])
    r = _upload(client, "training", data)
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    token = re.search(r"/imports/([\w-]+)$", r.headers["Location"]).group(1)
    preview = client.get(f"/imports/{token}")
    assert preview.status_code == 200 and "确认导入" in preview.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TrainingAttendance)) == 0
    assert client.post(f"/imports/{token}/confirm").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(TrainingAttendance)) == 1


def test_a_leader_cannot_import_commendations(client, login_as):
    team = f.make_team()
    a = f.make_volunteer("张三", teams=[team])
    login_as("leader", teams=[team])
    data = _xlsx(["姓名", "证件号码", "表彰名称", "表彰日期"], [["张三", a.id_number, "优秀", "2026-01-01"]])
    r = _upload(client, "commendations", data)
    assert r.status_code in (200, 403)
    assert db.session.scalar(select(func.count()).select_from(Commendation)) == 0
