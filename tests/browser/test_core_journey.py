"""The core journey in a real Chromium: office, leader, office again, volunteer on a phone."""
from volunteer.extensions import db

from tests import factories as f
from tests.conftest import PASSWORD


def _login(page, base, username):
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")  # not the header's language form
    page.wait_for_load_state()


def _logout(page):
    page.click("text=退出") if page.is_visible("text=退出") else page.context.clear_cookies()


def test_leader_logs_hours_office_approves_volunteer_sees_total(live_server, page, phone_page):
    base = live_server.url
    team = f.make_team("锦绣江南居委志愿服务队")
    alice = f.make_volunteer("张晓红", teams=[team])
    f.make_volunteer("李建国", teams=[team])
    activity = f.make_activity(team, "垃圾分类桶边督导", start_time="07:00", end_time="10:00")
    f.make_user("office", username="office")
    f.make_user("leader", username="leader01", teams=[team])
    f.make_user("volunteer", username=alice.phone, volunteer=alice)
    db.session.commit()

    # The office sees the team in the roster.
    _login(page, base, "office")
    assert "您好" in page.content()
    page.context.clear_cookies()

    # The leader opens the activity's hours screen and types hours for one member.
    _login(page, base, "leader01")
    page.goto(f"{base}/activities/{activity.id}")
    page.click("text=登记时长")
    page.fill(f"#hours-{alice.id}", "2.5")
    page.click("text=保存时长")
    assert "待分中心审核" in page.inner_text(".alert")
    page.context.clear_cookies()

    # The office approves it from the queue.
    _login(page, base, "office")
    page.goto(base + "/hours/approvals")
    assert "张晓红" in page.content()
    page.check("input[name=record_id]")
    page.click("text=通过所选")
    assert "已审核通过 1 条记录" in page.inner_text(".alert")

    # The volunteer, on a phone, sees the new total.
    _login(phone_page, base, alice.phone)
    phone_page.goto(base + "/me")
    assert phone_page.inner_text("#approved-hours").strip() == "2.5"
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone_page.screenshot(path="/tmp/me-phone.png", full_page=True)
