"""The office's month end in a real Chromium (CONTRACT section 12): 月末结账 from the main menu,
the month's pending count leads into the approvals queue filtered to it, the report says 未锁账,
and the lock asks for confirmation before it locks. Desktop, then the page on a 360-px phone."""
from datetime import timedelta

from volunteer.extensions import db
from volunteer.hours.models import MonthLock, ServiceRecord

from tests import factories as f
from tests.browser.test_core_journey import _login


def test_office_closes_last_month(live_server, page, browser, today):
    month_day = today.replace(day=1) - timedelta(days=1)
    month = f"{month_day:%Y-%m}"
    team = f.make_team("虹桥一居委志愿服务队")
    activity = f.make_activity(team, title="清晨护河", service_date=month_day.replace(day=3))
    for name in ("王伟", "李芳"):
        f.make_record(activity, f.make_volunteer(name, teams=[team]), minutes=120, status="pending")
    f.make_user("office", username="clerk13")
    db.session.commit()

    _login(page, live_server.url, "clerk13")
    page.goto(f"{live_server.url}/reports/?year={month_day.year}&month={month_day.month}")
    assert "未锁账" in page.inner_text("#report-unlocked") and "还有 2 条待审核" in page.inner_text("#report-unlocked")

    page.click("nav >> text=月末结账")
    row = page.locator(f'tr[data-month="{month}"]')
    assert "2 条" in row.inner_text()
    row.locator("a", has_text="2 条").click()
    page.wait_for_load_state()
    assert f"month={month}" in page.url and "待审核 2 条" in page.inner_text("h1")
    page.check("input[data-check-all=record_id]")
    page.click("text=通过所选")
    assert "已审核通过 2 条" in page.inner_text(".alert")

    page.click("nav >> text=月末结账")
    page.locator(f'tr[data-month="{month}"] button', has_text="锁账").click()
    page.wait_for_load_state()
    assert f"确认锁定 {month}" in page.inner_text("#lock-confirm")
    db.session.rollback()
    assert db.session.get(MonthLock, month) is None  # nothing locked before the confirmation
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=确认锁账")
    page.wait_for_load_state()
    assert f"{month} 已锁账" in page.inner_text(".alert")
    assert "已锁账" in page.locator(f'tr[data-month="{month}"]').inner_text()

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True)
    try:
        small = phone.new_page()
        _login(small, live_server.url, "clerk13")
        small.goto(f"{live_server.url}/integrity/months")
        assert small.evaluate("document.documentElement.scrollWidth") <= 360
        assert "已锁账" in small.locator(f'tr[data-month="{month}"]').inner_text()
    finally:
        phone.close()
    db.session.rollback()
    assert db.session.get(MonthLock, month) is not None
    assert {r.status for r in db.session.scalars(db.select(ServiceRecord))} == {"approved"}
