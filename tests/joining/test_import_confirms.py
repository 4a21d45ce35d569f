"""The office's roster confirms a self-registered (未核实) person when the names agree, and
refuses the row as a conflict when they do not (CONTRACT section 9)."""
from datetime import date

from sqlalchemy import select

from tests import factories as f
from tests.imports.helpers import TODAY, errors_by_row, workbook_bytes
from volunteer.audit.models import AuditLog
from volunteer.excel.importers import import_volunteers
from volunteer.extensions import db
from volunteer.volunteers.models import Volunteer

HEADER = ["姓名", "证件号码", "手机号码", "工作单位"]


def _import(*rows):
    report = import_volunteers(None, workbook_bytes({"花名册": [HEADER, *rows]}), file_name="r.xlsx", today=TODAY)
    db.session.commit()
    return report


def test_same_id_and_name_confirms_and_fills_in(app):
    number = f.make_id_number(date(1992, 3, 4), serial=501)
    person = f.make_volunteer(name="李自注", id_number=number, verified=False)
    db.session.commit()
    report = _import(["李自注", number, "13811112222", "街道医院"])
    assert not report["errors"] and report["updated"] == 1
    assert ["身份", "未核实（自助注册）", "已核实"] in report.plan["update"][0]["changes"]  # the preview says so
    db.session.expire_all()
    person = db.session.get(Volunteer, person.id)
    assert person.verified is True and person.employer == "街道医院" and person.phone == "13811112222"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "import.volunteers"))
    assert entry.changes["updated"][str(person.id)]["verified"] is True


def test_a_different_name_is_a_conflict_row_and_nothing_changes(app):
    number = f.make_id_number(date(1992, 3, 4), serial=502)
    person = f.make_volunteer(name="王冒名", id_number=number, verified=False)
    db.session.commit()
    report = _import(["李真人", number, "13811113333", "街道医院"])
    errors = errors_by_row(report)
    assert any("自助注册" in m and "姓名不一致" in m for _c, m in errors[2])
    db.session.expire_all()
    person = db.session.get(Volunteer, person.id)
    assert person.verified is False and person.name == "王冒名" and person.employer is None


def test_a_verified_person_is_updated_as_before(app):
    number = f.make_id_number(date(1992, 3, 4), serial=503)
    f.make_volunteer(name="赵已核", id_number=number)
    db.session.commit()
    report = _import(["赵已核", number, "13811114444", ""])
    assert report["updated"] == 1 and not report["errors"]
