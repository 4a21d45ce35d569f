"""What a volunteer notices on a 360-px phone (issue 16): the activity list as cards with what one
needs to decide (date, time, place, team, places left, 报名), /me's records as readable lines,
the main actions at the bottom of the screen, text of at least 16 px, the 大字 switch; and on a
desktop the same templates still show tables."""
from datetime import timedelta

import pytest

from volunteer.activities.models import ActivitySignup
from volunteer.extensions import db

from tests import factories as f
from tests.browser.test_phone_layout import PHONE, _login

# The smallest font size of visible text on the page, and the element that has it.
SMALLEST_TEXT = r"""
() => {
  let smallest = [99, ''];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const e = node.parentElement;
    if (!node.textContent.trim() || !e || e.closest('script, style, .visually-hidden, nav.navbar')) continue;
    if (!e.getClientRects().length || getComputedStyle(e).visibility === 'hidden') continue;
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (size < smallest[0]) smallest = [size, node.textContent.trim().slice(0, 20)];
  }
  return smallest;
}
"""


@pytest.fixture
def volunteer_world(today):
    team = f.make_team("锦绣江南居委志愿服务队")
    person = f.make_volunteer("王秀英", teams=[team])
    soon = f.make_activity(team, "垃圾分类桶边督导", service_date=today + timedelta(days=3), start_time="07:00",
                           end_time="09:30", place="锦绣江南小区东门", headcount=10)
    for other in (f.make_volunteer(f"邻居{n}", teams=[team]) for n in range(3)):
        db.session.add(ActivitySignup(activity_id=soon.id, volunteer_id=other.id))
    done = f.make_activity(team, "敬老院探访", service_date=today - timedelta(days=20))
    f.make_record(done, person, minutes=150, status="approved")
    f.make_user("volunteer", username=person.phone, volunteer=person)
    db.session.commit()
    return person, soon


def _phone(browser, **kw):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, **kw)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_a_volunteer_decides_and_signs_up_from_one_card(live_server, browser, volunteer_world):
    person, soon = volunteer_world
    context, page = _phone(browser)
    try:
        _login(page, live_server.url, person.phone)
        page.goto(live_server.url + "/activities/")
        card = page.locator("tr", has_text="垃圾分类桶边督导")
        text = " ".join(card.inner_text().split())
        for wanted in (soon.service_date.isoformat(), "07:00–09:30", "锦绣江南小区东门", "锦绣江南居委志愿服务队",
                       "剩余 7 个名额"):
            assert wanted in text, f"{wanted!r} missing from the card: {text}"
        box = card.bounding_box()
        assert box["width"] <= PHONE["width"], "the card is wider than the screen"
        title = card.locator(".cell-title").bounding_box()
        assert title["y"] - box["y"] < 20, "the activity's title does not lead its card"
        button = card.get_by_role("button", name="报名")
        size = button.bounding_box()
        assert size["height"] >= 44 and size["width"] >= 44, f"报名 is {size['width']}x{size['height']} px"
        button.click()
        page.wait_for_load_state()
        page.goto(live_server.url + "/activities/")
        assert "已报名" in page.locator("tr", has_text="垃圾分类桶边督导").inner_text()
    finally:
        context.close()


def test_me_reads_as_lines_with_the_main_actions_under_the_thumb(live_server, browser, volunteer_world):
    person, _ = volunteer_world
    context, page = _phone(browser)
    try:
        _login(page, live_server.url, person.phone)
        page.goto(live_server.url + "/me")
        line = page.locator("#my-records tbody tr").first
        assert " ".join(line.inner_text().split()) .startswith((volunteer_world[1].service_date
                                                               - timedelta(days=23)).isoformat())
        text = " ".join(line.inner_text().split())
        assert "敬老院探访" in text and "2.5 小时" in text and "已确认" in text, text
        assert line.bounding_box()["height"] < 80, "a record takes more than two lines"
        for name in ("报名活动", "现场签到", "开具证明"):
            box = page.get_by_role("link", name=name).bounding_box()
            assert box["y"] > PHONE["height"] * 0.75, f"{name} is not at the bottom of the screen"
            assert box["height"] >= 44, f"{name} is {box['height']} px high"
        page.get_by_role("link", name="开具证明").click()
        page.wait_for_load_state()
        assert "/certificates/" in page.url
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/login", "/me", "/activities/", "/c"])
def test_volunteer_pages_have_text_of_at_least_16px(live_server, browser, volunteer_world, path):
    person, _ = volunteer_world
    context, page = _phone(browser)
    try:
        if path != "/login":
            _login(page, live_server.url, person.phone)
        page.goto(live_server.url + path)
        size, text = page.evaluate(SMALLEST_TEXT)
        assert size >= 16, f"{path}: {text!r} is {size} px"
    finally:
        context.close()


def test_the_large_text_switch_is_remembered_by_the_browser(live_server, browser, volunteer_world):
    person, _ = volunteer_world
    context, page = _phone(browser)
    try:
        page.goto(live_server.url + "/login")
        before = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main h1')).fontSize)")
        page.get_by_role("button", name="大字").click()
        page.wait_for_load_state()
        assert page.url.endswith("/login")
        after = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main h1')).fontSize)")
        assert after >= before * 1.2
        _login(page, live_server.url, person.phone)
        page.goto(live_server.url + "/me")
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.get_by_role("button", name="大字").get_attribute("aria-pressed") == "true"
        # MIIT's 适老版: main controls at least 60 x 60.
        for name in ("报名活动", "现场签到", "开具证明"):
            assert page.get_by_role("link", name=name).bounding_box()["height"] >= 60
    finally:
        context.close()


def test_tables_stay_tables_on_a_desktop(live_server, page, volunteer_world):
    person, _ = volunteer_world
    _login(page, live_server.url, person.phone)
    page.goto(live_server.url + "/activities/")
    assert page.evaluate("getComputedStyle(document.querySelector('main table')).display") == "table"
    assert page.locator("main thead th", has_text="地点").is_visible()
    page.goto(live_server.url + "/me")
    assert page.evaluate("getComputedStyle(document.querySelector('#my-records tbody tr')).display") == "table-row"
    assert page.evaluate("getComputedStyle(document.querySelector('#main-actions')).position") == "static"


THUMB_BOX = r"""
(selector) => {
  const r = document.querySelector(selector).getBoundingClientRect();
  const e = document.querySelector(selector), s = getComputedStyle(e);
  return {top: r.top, bottom: r.bottom, height: r.height, width: r.width, position: s.position,
          where: e.outerHTML.slice(0, 80) + ' ' + document.documentElement.className};
}
"""


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_sign_in_and_issue_are_under_the_thumb(live_server, browser, app, volunteer_world, today, elder):
    """签到 on /c and on the QR's page /c/<token>, and 开具证明, sit in the lower part of a 360x740
    screen (within thumb reach, however long the header and the card above them) and are 44 px high."""
    from volunteer.checkin import tokens
    from volunteer.clock import utcnow

    person, soon = volunteer_world
    now_activity = f.make_activity(soon.team, "今天的桶边督导：锦绣江南小区东门和西门两个投放点轮换值守",
                                   service_date=today, start_time="00:00", end_time="23:59",
                                   place="锦绣江南小区东门", headcount=10)
    db.session.commit()
    with app.test_request_context():
        token = tokens.qr_token(now_activity.id, today, tokens.counter_at(utcnow()))
    context, page = _phone(browser)
    if elder:
        context.add_cookies([{"name": "display", "value": "elder", "url": live_server.url}])
    try:
        _login(page, live_server.url, person.phone)
        for path, selector in (("/c", "main form button[type=submit]"), (f"/c/{token}", "#sign-in"),
                               (f"/certificates/issue?volunteer_id={person.id}", "main form button[type=submit]")):
            page.goto(live_server.url + path)
            box = page.evaluate(THUMB_BOX, selector)
            assert box["top"] > PHONE["height"] * 0.6, f"{path}: the main action's top is at {box['top']:.0f} px"
            assert box["bottom"] <= PHONE["height"], f"{path}: the main action is below the screen: {box}"
            assert box["height"] >= 44, f"{path}: the main action is {box['height']:.0f} px high"
            assert box["width"] >= PHONE["width"] * 0.8, f"{path}: the main action is {box['width']:.0f} px wide"
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        page.goto(live_server.url + f"/c/{token}")
        page.click("#sign-in")
        page.wait_for_load_state()
        assert "签到成功" in page.inner_text("main")
    finally:
        context.close()


HEADER = r"""
() => [...document.querySelectorAll('nav.navbar > .container-fluid > :not(.collapse)')]
  .filter(e => e.getClientRects().length && getComputedStyle(e).display !== 'none')
  .map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim().slice(0, 12), r.top, r.bottom, r.right]; })
"""


@pytest.mark.parametrize("who", ["anon", "volunteer"])
def test_the_large_text_header_keeps_one_row_on_a_phone(live_server, browser, volunteer_world, who):
    """With 大字 on, the header at 360 px is still one row: the brand, the switches and the menu
    button side by side (none pushed under another), and nothing past the screen's edge."""
    person, _ = volunteer_world
    context, page = _phone(browser)
    context.add_cookies([{"name": "display", "value": "elder", "url": live_server.url}])
    try:
        if who == "volunteer":
            _login(page, live_server.url, person.phone)
        page.goto(live_server.url + ("/me" if who == "volunteer" else "/login"))
        parts = page.evaluate(HEADER)
        assert len(parts) >= 2, parts
        middles = [(top + bottom) / 2 for _name, top, bottom, _right in parts]
        assert max(middles) - min(middles) < 12, f"the header takes more than one row: {parts}"
        assert max(right for *_rest, right in parts) <= PHONE["width"], parts
    finally:
        context.close()
