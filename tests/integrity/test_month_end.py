"""Month end in one place: the overview of months, the two-step lock, the refusal's link, and
the approvals queue's pending count per team and month."""
from datetime import date

from volunteer.extensions import db
from volunteer.hours.models import MonthLock

from tests import factories as f


def _month_row(html: str, month: str) -> str:
    start = html.index(f'data-month="{month}"')
    return html[start:html.index("</tr>", start)]


def test_months_page_lists_each_month_with_pending_link_and_lock_state(client, login_as):
    team = f.make_team()
    f.make_record(f.make_activity(team, service_date=date(2026, 1, 10)), minutes=60, status="approved")
    f.make_record(f.make_activity(team, service_date=date(2026, 2, 10)), minutes=60, status="pending")
    f.make_record(f.make_activity(team, service_date=date(2026, 2, 11)), minutes=60, status="pending")
    db.session.add(MonthLock(month="2025-12"))
    db.session.commit()
    login_as("office")
    html = client.get("/integrity/months").get_data(as_text=True)
    assert "月末结账" in html
    feb = _month_row(html, "2026-02")
    assert "/hours/approvals?month=2026-02" in feb and "2 条" in feb and "锁账…" not in feb
    jan = _month_row(html, "2026-01")
    assert "未锁账" in jan and "锁账…" in jan
    assert "已锁账" in _month_row(html, "2025-12")


def test_main_menu_reaches_month_end(client, login_as):
    login_as("office")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/integrity/months">月末结账' in html


def test_lock_asks_for_confirmation_before_locking(client, login_as):
    f.make_record(f.make_activity(service_date=date(2026, 1, 10)), minutes=60, status="approved")
    db.session.commit()
    login_as("office")
    html = client.post("/integrity/months", data={"month": "2026-01"}).get_data(as_text=True)
    assert "确认锁定 2026-01" in html and 'name="confirm" value="1"' in html and "data-confirm=" in html
    assert db.session.get(MonthLock, "2026-01") is None
    client.post("/integrity/months", data={"month": "2026-01", "confirm": "1"})
    assert db.session.get(MonthLock, "2026-01") is not None


def test_refusal_links_to_the_pending_records(client, login_as):
    for day in (3, 4, 5):
        f.make_record(f.make_activity(service_date=date(2026, 2, day)), minutes=60, status="pending")
    db.session.commit()
    login_as("office")
    for data in ({"month": "2026-02"}, {"month": "2026-02", "confirm": "1"}):
        html = client.post("/integrity/months", data=data).get_data(as_text=True)
        assert "还有 3 条待审核" in html
        assert 'href="/hours/approvals?month=2026-02"' in html
        assert "确认锁定" not in html
    assert db.session.get(MonthLock, "2026-02") is None


def test_approvals_queue_counts_pending_per_team_and_month(client, login_as):
    a, b = f.make_team(name="甲队"), f.make_team(name="乙队")
    for team, day in ((a, 3), (a, 4), (b, 5)):
        f.make_record(f.make_activity(team, service_date=date(2026, 2, day)), minutes=60, status="pending")
    f.make_record(f.make_activity(a, service_date=date(2026, 3, 1)), team=a, minutes=60, status="pending")
    db.session.commit()
    login_as("office")
    html = client.get("/hours/approvals").get_data(as_text=True)
    block = html[html.index('id="pending-by-team"'):html.index("</details>", html.index('id="pending-by-team"'))]
    assert f'/hours/approvals?team_id={a.id}&amp;month=2026-02">2 条' in block
    assert f'/hours/approvals?team_id={b.id}&amp;month=2026-02">1 条' in block
    assert f'/hours/approvals?team_id={a.id}&amp;month=2026-03">1 条' in block
    filtered = client.get(f"/hours/approvals?team_id={b.id}&month=2026-02").get_data(as_text=True)
    assert "待审核 1 条" in filtered
