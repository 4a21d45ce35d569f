"""A certificate printed to A4 PDF in a real Chromium carries a QR code that decodes to the
certificate's absolute verification URL; the reports page is captured for a look."""
import subprocess
from datetime import timedelta

from volunteer.certificates.models import Certificate
from volunteer.extensions import db
from volunteer.clock import today_local

from tests import factories as f
from tests.browser.conftest import need_binary
from tests.conftest import PASSWORD


def _login(page, base, username):
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")  # not the header's language form
    page.wait_for_load_state()


def _world():
    today = today_local()
    team = f.make_team("锦绣江南居委志愿服务队")
    other = f.make_team("城运中心志愿服务队", kind="职能部门")
    clean, help_ = f.make_category("垃圾分类"), f.make_category("为民服务")
    alice = f.make_volunteer("张晓红", teams=[team])
    for i, (t, cat, minutes) in enumerate([(team, clean, 150), (team, help_, 90), (other, clean, 120),
                                           (team, clean, 180), (other, help_, 60)]):
        day = today - timedelta(days=20 + 17 * i)
        activity = f.make_activity(t, f"第{i + 1}次服务", service_date=day, category=cat, start_time="08:00",
                                   end_time="12:00")
        f.make_record(activity, alice, minutes=minutes)
        f.make_record(activity, f.make_volunteer(teams=[t]), minutes=minutes - 30)
    f.make_user("office", username="office", display_name="王办事员")
    db.session.commit()
    return alice, today


def test_printed_certificate_qr_decodes_to_verify_url(live_server, page, tmp_path):
    pdftoppm, zbarimg = need_binary("pdftoppm"), need_binary("zbarimg")
    base = live_server.url
    alice, today = _world()

    _login(page, base, "office")
    page.goto(f"{base}/certificates/issue?volunteer_id={alice.id}")
    page.fill("#period_from", (today - timedelta(days=365)).isoformat())
    page.fill("#period_to", today.isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_selector("#certificate")
    assert page.inner_text("#cert-hours").strip() == "10"  # 150 + 90 + 120 + 180 + 60 minutes

    db.session.rollback()  # end this thread's read transaction to see the server's write
    cert = db.session.scalars(db.select(Certificate)).one()
    assert page.url.endswith(f"/certificates/{cert.id}")

    pdf = tmp_path / "certificate.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    subprocess.run([pdftoppm, "-r", "200", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages, "pdftoppm produced no image"
    decoded = subprocess.run([zbarimg, "--raw", "-q", str(pages[0])], capture_output=True, text=True)
    assert decoded.stdout.strip() == f"{base}/certificates/verify/{cert.code}", decoded.stderr

    # The address in the QR code opens the public page, even without a login.
    page.context.clear_cookies()
    page.goto(decoded.stdout.strip())
    assert "证明有效" in page.inner_text("#verify-status") and cert.number in page.content()


def test_reports_dashboard_screenshot(live_server, page, phone_page):
    base = live_server.url
    _world()
    _login(page, base, "office")
    page.goto(base + "/reports/")
    assert page.inner_text("[data-total=records]").strip() == "10"
    assert page.locator("svg.chart").count() >= 4
    page.screenshot(path="/tmp/reports-dashboard.png", full_page=True)

    _login(phone_page, base, "office")
    phone_page.goto(base + "/reports/")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone_page.screenshot(path="/tmp/reports-dashboard-phone.png", full_page=True)
