"""A long certificate printed to A4 PDF in a real Chromium: the issuer's block stays on page 1,
the records that do not fit are in the numbered 附表, every page says 第 x 页 共 y 页, and 经办人
is never the login's name."""
import subprocess
from datetime import timedelta

from volunteer.extensions import db

from tests import factories as f
from tests.browser.conftest import need_binary
from tests.browser.test_certificate_print import _login


def test_long_certificate_pages(live_server, page, tmp_path, today):
    pdftotext = need_binary("pdftotext")
    team = f.make_team("锦绣江南居委志愿服务队")
    alice = f.make_volunteer("张晓红", teams=[team])
    for i in range(40):
        activity = f.make_activity(team, f"第{i + 1}次服务", service_date=today - timedelta(days=3 + 5 * i))
        f.make_record(activity, alice, minutes=60)
    f.make_user("office", username="office", display_name="王办事员")
    db.session.commit()

    _login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/certificates/issue?volunteer_id={alice.id}")
    page.fill("#period_from", (today - timedelta(days=365)).isoformat())
    page.fill("#period_to", today.isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_selector("#certificate")
    assert page.locator("button[data-print]", has_text="打印").is_visible()

    pdf = tmp_path / "certificate.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = ["".join(p.split()) for p in text.split("\f") if p.strip()]  # pdftotext spaces CJK loosely
    total = len(pages)
    assert total >= 2
    assert "出具单位" in pages[0] and "负责人" in pages[0] and "出具日期" in pages[0]
    assert pages[1].startswith("附表") or "附表：服务记录明细" in pages[1]
    assert "王办事员" not in text
    for number, content in enumerate(pages, start=1):
        assert f"第{number}页共{total}页" in content, (number, content[-200:])
