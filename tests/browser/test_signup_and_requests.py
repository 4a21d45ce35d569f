"""A volunteer's path on a 360-px phone, in a real Chromium (CONTRACT section 9): sign up to a
full activity (候补第 1 位), another cancels and the first is moved up (已报名); then ask for a
correction of a record, the leader accepts it (at a desktop), and /me shows the corrected hours."""
from datetime import timedelta

from sqlalchemy import select

from tests import factories as f
from tests.browser.test_core_journey import _login
from volunteer.activities import signups
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord

PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN", "is_mobile": True, "has_touch": True}


def _phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())  # the 确定取消报名？ question
    return context, page


def _fits(page, width=360):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _world(today):
    team = f.make_team("古北居委志愿服务队")
    act = f.make_activity(team, "周末敬老院探访", service_date=today + timedelta(days=7), start_time="09:00",
                          end_time="11:00", headcount=1)
    past = f.make_activity(team, "河道清洁", service_date=today - timedelta(days=3), start_time="08:00",
                           end_time="12:00")
    first, waiting = f.make_volunteer("张敏", teams=[team]), f.make_volunteer("陈静", teams=[team])
    f.make_user("volunteer", username="13900000201", volunteer=first)
    f.make_user("volunteer", username="13900000202", volunteer=waiting)
    f.make_user("leader", username="leader201", teams=[team])
    signups.sign_up(None, act, first)
    rec = f.make_record(past, waiting, minutes=60, status="pending")
    db.session.commit()
    return act, rec


def test_a_waiting_volunteer_is_moved_up_when_another_cancels(live_server, browser, today):
    act, _ = _world(today)
    context, page = _phone(browser)
    try:
        _login(page, live_server.url, "13900000202")
        page.goto(f"{live_server.url}/activities/{act.id}")
        assert "名额已满" in page.inner_text("#headcount")
        page.locator("button", has_text="报名候补").click()
        page.wait_for_load_state()
        assert "候补第 1 位" in page.inner_text(".alert")
        assert "候补第 1 位" in page.inner_text("#my-signup")
        page.goto(f"{live_server.url}/me")
        assert "候补第 1 位" in page.inner_text("#my-signups")
        _fits(page)

        other, other_page = _phone(browser)
        try:
            _login(other_page, live_server.url, "13900000201")
            other_page.locator("#my-signups button", has_text="取消报名").click()
            other_page.wait_for_load_state()
            assert "已取消报名" in other_page.inner_text(".alert")
        finally:
            other.close()

        page.reload()
        signed = page.inner_text("#my-signups")
        assert "已报名" in signed and "候补第" not in signed  # 已报名（已由候补递补）
    finally:
        context.close()


def test_a_correction_asked_on_a_phone_is_accepted_by_the_leader(live_server, browser, today):
    _, rec = _world(today)
    context, page = _phone(browser)
    try:
        _login(page, live_server.url, "13900000202")
        # A correction: 申请更正 beside the record, 2.5 hours instead of 1.
        page.locator(f"a[href$='/requests/records/{rec.id}']").click()
        page.wait_for_load_state()
        _fits(page)
        page.fill("input[name=hours]", "两个半")
        page.fill("textarea[name=reason]", "八点到十点半都在，队长少记了")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        assert "服务时长必须是数字" in page.inner_text("form:has(textarea[name=reason])")
        assert page.input_value("textarea[name=reason]") == "八点到十点半都在，队长少记了"
        page.fill("input[name=hours]", "2.5")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        assert "更正申请已提交" in page.inner_text(".alert")
        assert "待处理" in page.inner_text("#my-requests ~ ul")
        _fits(page)
        page.context.clear_cookies()

        page.set_viewport_size({"width": 1280, "height": 900})  # the leader at a desktop
        _login(page, live_server.url, "leader201")
        assert "待处理 1 件" in page.inner_text("#record-requests")
        page.locator("#record-requests a", has_text="去处理").click()
        page.wait_for_load_state()
        _fits(page, 1280)
        page.locator("#request-queue a").first.click()
        page.wait_for_load_state()
        _fits(page, 1280)
        assert "2.5 小时" in page.inner_text("#request-ask")
        page.locator("button", has_text="采纳").first.click()
        page.wait_for_load_state()
        assert "已采纳" in page.inner_text(".alert")
        page.context.clear_cookies()

        page.set_viewport_size(PHONE["viewport"])
        _login(page, live_server.url, "13900000202")
        assert "已采纳" in page.inner_text("#my-requests ~ ul")
        row = page.locator("tr", has_text="河道清洁").inner_text()
        assert "2.5" in row
        _fits(page)
    finally:
        context.close()
    db.session.rollback()  # end this thread's snapshot: the server committed in its own
    assert db.session.scalar(select(ServiceRecord.minutes).where(ServiceRecord.id == rec.id)) == 150


def test_a_leader_calls_an_activity_off_on_a_phone_and_the_signed_up_see_it(live_server, browser, today):
    act, _ = _world(today)
    context, page = _phone(browser)
    try:
        _login(page, live_server.url, "leader201")
        page.goto(f"{live_server.url}/requests/?status=all")
        _fits(page)
        page.goto(f"{live_server.url}/activities/{act.id}")
        page.locator("a", has_text="取消活动").click()
        page.wait_for_load_state()
        _fits(page)
        page.locator("form:has(input[name=reason]) button[type=submit]").click()
        page.wait_for_load_state()
        assert "请填写取消原因" in page.inner_text("form:has(input[name=reason])")
        page.fill("input[name=reason]", "敬老院临时封闭，改期另行通知")
        page.locator("form:has(input[name=reason]) button[type=submit]").click()
        page.wait_for_load_state()
        assert "活动已取消" in page.inner_text("#activity-cancelled")
        page.context.clear_cookies()

        _login(page, live_server.url, "13900000201")
        signed = page.inner_text("#my-signups")
        assert "活动已取消" in signed and "敬老院临时封闭" in signed and "取消报名" not in signed
        page.goto(f"{live_server.url}/requests/missing")
        _fits(page)
    finally:
        context.close()
