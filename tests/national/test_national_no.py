"""全国志愿者编号 (CONTRACT section 10): imported, exported, searched, kept on edit."""
from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import make_volunteer
from tests.imports.helpers import TODAY, id_number, workbook_bytes
from volunteer.excel.exporters import export_volunteers
from volunteer.excel.importers import import_volunteers
from volunteer.extensions import db
from volunteer.volunteers.models import Volunteer
from volunteer.volunteers.services import search_volunteers


def _import(rows):
    header = ["姓名", "证件号码", "手机号码", "备注", "志愿者编号", "全国志愿者编号"]
    report = import_volunteers(None, workbook_bytes({"花名册": [header, *rows]}), file_name="r.xlsx", today=TODAY)
    db.session.commit()
    return report


def test_import_reads_its_own_column_and_ignores_a_local_number(app):
    number = id_number(date(1990, 1, 5), 11)
    report = _import([["张三", number, "13912345678", "老队员", "XH-0001", "31010419900105001A"]])
    assert report["errors"] == [] and report["created"] == 1
    person = db.session.scalar(select(Volunteer).where(Volunteer.id_number == number))
    assert person.national_no == "31010419900105001A" and person.note == "老队员"
    # A later file without the column leaves the number alone; with a new one, it is replaced.
    _import([["张三", number, "13912345678", "老队员", None, None]])
    assert db.session.get(Volunteer, person.id).national_no == "31010419900105001A"


def test_export_writes_it_after_the_note(app):
    make_volunteer(name="李四", note="备注文字", national_no="NV0000123")
    db.session.commit()
    out = BytesIO()
    export_volunteers(None, out)
    sheet = load_workbook(BytesIO(out.getvalue()), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if "姓名" in r)
    i = header.index("备注")
    assert header[i + 1] == "全国志愿者编号"
    data = next(r for r in rows if r[0] == "李四")
    assert data[i + 1] == "NV0000123"


def test_roster_search_finds_it_whole(app, client, login_as):
    target = make_volunteer(name="王五", national_no="NV7788")
    make_volunteer(name="赵六")
    db.session.commit()
    found = db.session.scalars(search_volunteers(q="NV7788")).all()
    assert [v.id for v in found] == [target.id]
    login_as("office")
    assert "王五" in client.get("/volunteers/?q=NV7788").get_data(as_text=True)


def test_edit_page_offers_it_so_saving_keeps_it(app, client, login_as):
    person = make_volunteer(name="孙七", national_no="NV42")
    db.session.commit()
    login_as("office")
    page = client.get(f"/volunteers/{person.id}/edit").get_data(as_text=True)
    assert "全国志愿者编号" in page and 'value="NV42"' in page
