"""On-site check-in in a real Chromium: the venue screen's QR read from a screenshot by zbarimg
(as a phone camera would), then a volunteer on a 360-px phone with JavaScript off (WeChat's
built-in browser at its most limited) opens that URL, logs in, is brought back, signs in and
later out, and sees 已签退 with the times and the hours."""
import subprocess
from datetime import datetime, timedelta

import pytest

from volunteer.checkin.models import Checkin
from volunteer.checkin.services import today_beijing
from volunteer.clock import CHINA_TZ
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord

from tests import factories as f
from tests.browser.conftest import need_binary
from tests.browser.test_core_journey import _login
from tests.conftest import PASSWORD


def test_venue_qr_scanned_and_signed_in_and_out_on_a_phone_without_javascript(live_server, page, browser, tmp_path):
    zbarimg = need_binary("zbarimg")
    team = f.make_team("虹桥居委志愿服务队")
    activity = f.make_activity(team, "社区垃圾分类宣传", service_date=today_beijing(), place="虹桥社区广场")
    person = f.make_volunteer("陈阿姨", teams=[team])
    f.make_user("volunteer", username=person.phone, volunteer=person)
    f.make_user("leader", username="leader_checkin", teams=[team])
    db.session.commit()

    # The leader's tablet shows the venue screen; the phone camera sees its QR.
    _login(page, live_server.url, "leader_checkin")
    page.goto(f"{live_server.url}/activities/{activity.id}/checkin")
    code = page.inner_text("#venue-code").strip()
    assert len(code) == 6 and code.isdigit()
    shot = tmp_path / "venue-qr.png"
    page.locator("#venue-qr").screenshot(path=str(shot))
    url = subprocess.run([zbarimg, "--raw", "-q", str(shot)], capture_output=True, text=True, check=True).stdout.strip()
    assert url.startswith(f"{live_server.url}/c/")

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True,
                                has_touch=True, java_script_enabled=False)
    try:
        p = phone.new_page()
        p.set_default_timeout(15000)
        p.goto(url)
        assert "/login" in p.url  # log in first...
        p.fill("input[name=username]", person.phone)
        p.fill("input[name=password]", PASSWORD)
        p.click("form:has(input[name=password]) button[type=submit]")
        p.wait_for_load_state()
        assert p.url == url  # ...then brought back
        assert "社区垃圾分类宣传" in p.inner_text("#checkin-activity")
        button = p.locator("#sign-in")
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 48
        assert p.evaluate("document.documentElement.scrollWidth") <= 360
        button.click()
        p.wait_for_load_state()
        assert "签到成功" in p.inner_text(".alert")
        assert p.locator("#sign-out").is_visible()

        # Back on the venue screen the live list shows her as signed in (it refreshes itself).
        page.reload()
        assert "陈阿姨" in page.inner_text("#checkin-list") and "已签到" in page.inner_text("#checkin-list")

        # An hour and a half later she signs out (less just after midnight in Beijing: the pair is
        # clipped to the activity's day, so it cannot have begun before today's 00:00).
        now = datetime.now(CHINA_TZ)
        since_midnight = int((now - now.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds() // 60)
        served = min(90, since_midnight - 2)
        if served < 1:
            pytest.skip("run within two minutes of midnight in Beijing")
        db.session.rollback()
        pair = db.session.scalars(db.select(Checkin)).one()
        pair.signed_in_at -= timedelta(minutes=served)
        db.session.commit()
        p.click("#sign-out")
        p.wait_for_load_state()
        text = p.inner_text("main")
        assert "已签退" in text and f"{live_server.app.jinja_env.filters['hours'](served)} 小时" in text
        assert p.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        phone.close()
    db.session.rollback()
    rec = db.session.scalars(db.select(ServiceRecord)).one()
    assert (rec.minutes, rec.status, rec.source) == (served, "pending", "checkin")
