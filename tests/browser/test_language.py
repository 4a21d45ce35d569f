"""The 中文 / English switch in a real browser, on a 360-px phone and a desktop: a browser that
prefers English gets English; the switch works with JavaScript off, is remembered on the next
page, and keeps the volunteer logged in; the certificate stays Chinese with its English
translation beside it."""
from datetime import date

import pytest

from volunteer.certificates import services as certificates
from volunteer.extensions import db

from tests import factories as f
from tests.browser.test_phone_layout import PHONE, _login


@pytest.fixture
def person(app, today):
    team = f.make_team("虹桥居委志愿服务队")
    volunteer = f.make_volunteer("王秀英", teams=[team])
    f.make_record(f.make_activity(team, "敬老院探访", service_date=date(2026, 1, 10)), volunteer, minutes=150)
    user = f.make_user("volunteer", username=volunteer.phone, volunteer=volunteer)
    cert = certificates.issue_certificate(None, volunteer, date(2026, 1, 1), date(2026, 1, 31), today=today)
    db.session.commit()
    return user, cert


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_switch_without_javascript_is_remembered(browser, live_server, person, viewport):
    user, _cert = person
    context = browser.new_context(locale="zh-CN", viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _login(page, live_server.url, user.username)
        assert page.locator("h1").first.inner_text().endswith("的志愿服务")
        switch = page.locator("form.language-switch button")
        assert switch.is_visible() and switch.inner_text() == "English"
        switch.click()
        page.wait_for_load_state()
        assert page.url.endswith("/me") and page.locator("html").get_attribute("lang") == "en"
        assert "Volunteer service of" in page.locator("h1").first.inner_text()
        assert page.locator("h1 [lang=zh]").inner_text() == "王秀英"  # the name stays as entered
        page.goto(live_server.url + "/activities/")
        assert page.locator("html").get_attribute("lang") == "en"
        page.locator("form.language-switch button").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "zh-CN" and "/activities" in page.url
    finally:
        context.close()


def test_english_browser_and_the_certificate_translation(browser, live_server, person):
    user, cert = person
    context = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(live_server.url + "/login")
        assert page.locator("h1").inner_text() == "Log in"
        _login(page, live_server.url, user.username)
        page.goto(live_server.url + f"/certificates/{cert.id}")
        assert page.locator("#certificate").get_attribute("lang") == "zh-CN"
        assert "志愿服务记录证明" in page.locator("#certificate h1").inner_text()  # the official form stays Chinese
        page.click("#cert-english")
        page.wait_for_load_state()
        assert "English translation" in page.locator("#translation-note").inner_text()
        assert page.locator("#translation-number").inner_text() == cert.number
        assert page.locator("#translation-hours").inner_text() == "2.5"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the translation is {width} px wide on a {PHONE['width']}-px phone"
    finally:
        context.close()
