"""A team leader's day on a 360-px phone, in a real Chromium (CONTRACT section 12): create an
activity (the one team pre-selected, times typed as 9:00 and 11点), publish it with the main
button, log hours, then withdraw one wrong entry by clearing its box."""
from volunteer.activities.models import Activity
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord

from tests import factories as f
from tests.browser.test_core_journey import _login


def test_a_leader_on_a_phone_creates_publishes_logs_and_withdraws(live_server, browser, today):
    team = f.make_team("虹桥一居委志愿服务队")
    f.make_category("社区服务")
    right, wrong = f.make_volunteer("王伟", teams=[team]), f.make_volunteer("李芳", teams=[team])
    f.make_user("leader", username="leader13", teams=[team])
    db.session.commit()

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _login(page, live_server.url, "leader13")
        page.goto(f"{live_server.url}/activities/new")
        assert page.locator("select[name=team_id] option").all_inner_texts() == ["虹桥一居委志愿服务队"]
        page.fill("input[name=title]", "清晨护河")
        page.select_option("select[name=category_id]", label="社区服务")
        page.fill("input[name=service_date]", today.isoformat())
        page.fill("input[name=start_time]", "9:00")
        page.fill("input[name=end_time]", "11点")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        assert "活动已创建" in page.inner_text(".alert")
        assert "09:00–11:00" in page.inner_text("dl")

        # On a draft the main (primary) button is 发布; after publishing it is 登记时长.
        page.locator("button.btn-primary", has_text="发布").click()
        page.wait_for_load_state()
        assert "已发布" in page.inner_text(".alert")
        page.locator("a.btn-primary", has_text="登记时长").click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        page.fill(f"#hours-{right.id}", "2")
        page.fill(f"#hours-{wrong.id}", "1.5")
        page.click("text=保存时长")
        assert "新增 2 条" in page.inner_text(".alert")

        page.fill(f"#hours-{wrong.id}", "")
        page.click("text=保存时长")
        assert "撤回 1 条" in page.inner_text(".alert")
    finally:
        context.close()
    db.session.rollback()  # end this thread's snapshot: the server committed in its own
    activity = db.session.scalars(db.select(Activity)).one()
    assert (activity.start_time, activity.end_time, activity.status) == ("09:00", "11:00", "published")
    rows = {r.volunteer_id: (r.minutes, r.status, r.void_reason) for r in db.session.scalars(db.select(ServiceRecord))}
    assert rows == {right.id: (120, "pending", None), wrong.id: (90, "void", "队长撤回")}
