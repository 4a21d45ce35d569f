"""A 服务类别 made anywhere but the seed (the category page, an hours import) is reported as
national 0099 其他 until the office maps it, and the codes page shows it so."""
from sqlalchemy import select

from tests import factories
from tests.imports.helpers import TODAY, id_number, make_teams, workbook_bytes
from volunteer.excel.importers import import_hours
from volunteer.extensions import db
from volunteer.teams.models import ServiceCategory

HEADER = ["姓名", "证件号码", "手机号码", "所属队伍", "活动名称", "服务类别", "活动日期", "开始时间", "结束时间", "服务时长", "备注"]


def _code(name):
    return db.session.scalar(select(ServiceCategory.national_code).where(ServiceCategory.name == name))


def test_category_page_gives_0099(app, client, login_as):
    login_as("office")
    response = client.post("/teams/categories", data={"name": "邻里守望", "sort_order": "5"})
    assert response.status_code in (200, 302)
    assert _code("邻里守望") == "0099"
    page = client.get("/national/codes").get_data(as_text=True)
    row = page[page.index("邻里守望"):]
    assert '<option selected value="0099">0099 其他</option>' in row[:6000]


def test_hours_import_gives_0099(app):
    make_teams("甲队")
    person = factories.make_volunteer(name="张三", id_number=id_number(serial=1))
    db.session.commit()
    report = import_hours(None, workbook_bytes({"服务时长": [
        HEADER, ["张三", person.id_number, None, "甲队", "早班", "楼道清理", TODAY, "9:00", "11:00", 2, None]]}),
        file_name="h.xlsx", today=TODAY)
    db.session.commit()
    assert report["created"] == 1
    assert _code("楼道清理") == "0099"
