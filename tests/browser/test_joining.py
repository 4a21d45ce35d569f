"""Joining in a real Chromium, on a 360-px phone and a desktop (CONTRACT section 9): a person
registers and applies to a team, its leader accepts from the start page, and the volunteer
sees the team on /me; a leader gives a forgotten password a one-time replacement, and the
volunteer logs in with it and must choose a new one."""
from datetime import date

import pytest

from tests import factories as f
from tests.browser.test_core_journey import _login
from volunteer.extensions import db

SIZES = {"phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
         "desktop": {"viewport": {"width": 1280, "height": 900}}}


def _open(browser, size):
    context = browser.new_context(locale="zh-CN", **SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm questions
    return context, page


def _fits(page, size):
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_register_apply_and_the_leader_accepts(live_server, browser, size):
    team = f.make_team("阳光居委志愿服务队")
    f.make_user("leader", username="leader301", teams=[f.make_team("别的队")])
    f.make_user("leader", username="leader302", teams=[team])
    db.session.commit()
    context, page = _open(browser, size)
    leader_context, leader = _open(browser, size)
    try:
        page.goto(live_server.url + "/register")
        _fits(page, size)
        page.fill("input[name=name]", "刘新来")
        page.fill("input[name=id_number]", f.make_id_number(date(1996, 5, 6), serial=611))
        page.fill("input[name=phone]", "13877776666")
        page.fill("input[name=password]", "xin-lai-2026")
        page.fill("input[name=confirm]", "xin-lai-2026")
        page.get_by_label("阳光居委志愿服务队").check()
        page.get_by_label("我已阅读并同意上述个人信息收集和使用说明").check()
        page.locator("form button[type=submit]", has_text="注册并登录").click()
        page.wait_for_load_state()
        assert page.url.endswith("/me")
        assert "待处理" in page.inner_text("#my-applications")
        _fits(page, size)

        _login(leader, live_server.url, "leader302")
        assert "阳光居委志愿服务队" in leader.inner_text("#pending-applications")
        leader.locator("#pending-applications a", has_text="阳光居委志愿服务队").click()
        leader.wait_for_load_state()
        _fits(leader, size)
        leader.locator("#applications button", has_text="同意").click()
        leader.wait_for_load_state()
        assert "已同意 刘新来 加入本队" in leader.inner_text(".alert")

        page.reload()
        assert "阳光居委志愿服务队" in page.inner_text("#my-team-list")
        assert "已同意" in page.inner_text("#my-applications")
    finally:
        leader_context.close()
        context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_leader_resets_a_password_and_the_volunteer_must_change_it(live_server, browser, size):
    team = f.make_team("古北居委志愿服务队")
    person = f.make_volunteer("周忘记", teams=[team])
    f.make_user("volunteer", username="13900000301", volunteer=person)
    f.make_user("leader", username="leader303", teams=[team])
    db.session.commit()
    context, leader = _open(browser, size)
    volunteer_context, page = _open(browser, size)
    try:
        _login(leader, live_server.url, "leader303")
        leader.goto(f"{live_server.url}/volunteers/{person.id}")
        leader.locator("button", has_text="重置密码").click()
        leader.wait_for_load_state()
        password = leader.inner_text("#one-time-password").strip()
        assert len(password) == 10
        _fits(leader, size)

        page.goto(live_server.url + "/login")
        page.fill("input[name=username]", "13900000301")
        page.fill("input[name=password]", password)
        page.click("form:has(input[name=password]) button[type=submit]")
        page.wait_for_load_state()
        assert page.url.endswith("/account/password")
        assert "一次性密码" in page.inner_text("#one-time-note")
        _fits(page, size)
        page.goto(live_server.url + "/me")  # nothing else opens before a new password
        assert page.url.endswith("/account/password")
        page.fill("input[name=current_password]", password)
        page.fill("input[name=password]", "zhou-new-2026")
        page.fill("input[name=confirm]", "zhou-new-2026")
        page.click("form:has(input[name=current_password]) button[type=submit]")
        page.wait_for_load_state()
        assert page.url.endswith("/me")
        assert "周忘记 的志愿服务" in page.content()
    finally:
        volunteer_context.close()
        context.close()
