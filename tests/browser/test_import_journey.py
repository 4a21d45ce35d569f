"""The office's roster import in a real Chromium (CONTRACT sections 4 and 12), on a desktop and
on a 360-px phone: a roster whose mobiles sit under 电话 while the guesser took 联系方式 (the
landlines) is rejected row by row; the office re-maps the two columns on the preview, sees the
person to add and the person to update (mobile before → after, the ID masked), confirms, and
finds both on the roster page.  A file with a wrong ID number downloads its error workbook,
read back: 原行号 and 错误原因 first, the row as typed."""
from __future__ import annotations

import io
import os

import openpyxl
import pytest

from tests import factories as f
from tests.browser.test_core_journey import _login
from tests.imports.helpers import id_number, workbook_bytes
from volunteer.extensions import db
from volunteer.volunteers.models import Volunteer

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


@pytest.fixture(params=sorted(SIZES))
def sized_page(request, browser):
    phone = request.param == "phone"
    context = browser.new_context(locale="zh-CN", viewport=SIZES[request.param], is_mobile=phone, has_touch=phone,
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield request.param, page
    context.close()


def _upload(page, base, path):
    page.goto(f"{base}/imports/")
    assert page.locator("select[name=kind]").input_value() == "volunteers"  # rosters are the usual upload
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并检查')")
    page.wait_for_load_state()


def test_office_remaps_a_column_confirms_and_finds_the_volunteers(live_server, sized_page, tmp_path):
    size, page = sized_page
    team = f.make_team("虹桥一居委志愿服务队")
    known = f.make_volunteer("王伟", teams=[team], id_number=id_number(serial=301), phone="13700000000")
    f.make_user("office", username=f"clerk_{size}")
    db.session.commit()
    new_id = id_number(serial=302)
    roster = tmp_path / "虹桥花名册.xlsx"
    roster.write_bytes(workbook_bytes({"花名册": [
        ["序号", "姓名", "证件号码", "联系方式", "电话", "所属队伍"],
        [1, "王伟", known.id_number, "021-64001234", "13711112222", "虹桥一居委志愿服务队"],
        [2, "李芳", new_id, "021-64005678", "13922223333", "虹桥一居委志愿服务队"]]}))

    _login(page, live_server.url, f"clerk_{size}")
    _upload(page, live_server.url, roster)
    assert "尚未写入任何数据" in page.inner_text("body")
    assert page.locator("[data-count=rejected]").inner_text() == "2"
    assert page.get_by_label("联系方式", exact=True).input_value() == "手机号码"  # the guess

    page.get_by_label("联系方式", exact=True).select_option("")
    page.get_by_label("电话", exact=True).select_option("手机号码")
    page.click("button:has-text('按此对应重新检查')")
    page.wait_for_load_state()
    assert "以下是新的检查结果" in page.inner_text(".alert-success")
    assert page.locator("[data-count=rejected]").inner_text() == "0"
    assert page.get_by_label("电话", exact=True).input_value() == "手机号码"  # the choice is kept
    added = page.inner_text("#import-plan-create")
    assert "李芳" in added and "13922223333" in added and new_id not in added and new_id[:6] + "********" in added
    updated = page.inner_text("#import-plan-update")
    assert "王伟" in updated and "13700000000" in updated and "13711112222" in updated
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['SCREENSHOTS']}/import_preview_{size}.png", full_page=True)

    page.click("button:has-text('确认导入')")
    page.wait_for_load_state()
    assert "导入完成：新增 1 条，更新 1 条" in page.inner_text(".alert-success")

    page.goto(f"{live_server.url}/volunteers/?q=李芳")
    assert "李芳" in page.inner_text("body")
    db.session.rollback()
    phones = dict(db.session.execute(db.select(Volunteer.name, Volunteer.phone)).all())
    assert phones == {"王伟": "13711112222", "李芳": "13922223333"}


def test_office_downloads_the_error_workbook(live_server, page, tmp_path):
    f.make_team("虹桥一居委志愿服务队")
    f.make_user("office", username="clerk_errors")
    db.session.commit()
    bad = id_number(serial=311)[:-1] + ("0" if id_number(serial=311)[-1] != "0" else "1")  # wrong check digit
    roster = tmp_path / "有误.xlsx"
    roster.write_bytes(workbook_bytes({"花名册": [
        ["姓名", "证件号码", "手机号码"],
        ["张三", id_number(serial=312), "13900000001"],
        ["李四", bad, "13900000002"]]}))

    _login(page, live_server.url, "clerk_errors")
    _upload(page, live_server.url, roster)
    assert "校验位错误" in page.inner_text("#import-errors")
    with page.expect_download() as download_info:
        page.click("button:has-text('下载错误行')")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read())).worksheets[0]
                .iter_rows(values_only=True))
    assert list(rows[0][:5]) == ["原行号", "错误原因", "姓名", "证件号码", "手机号码"]
    assert rows[1][0] == 3 and "校验位错误" in rows[1][1] and rows[1][2:5] == ("李四", bad, "13900000002")
    assert len(rows) == 2
