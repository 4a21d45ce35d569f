"""The exception queue: each rule flags what it should (and not what it should not), and a
reviewed record leaves the queue."""
from datetime import date, timedelta

from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.integrity import rules, services
from volunteer.integrity.models import IntegrityReview

from tests import factories as f

DAY = date(2026, 3, 10)
WINDOW = (date(2026, 1, 1), None)


def flagged(rule=None):
    counts, rows = services.queue(*WINDOW, rule, limit=1000)
    return {(row["rule"], row["record"].id) for row in rows}


def act(team, start, end, day=DAY, **kw):
    return f.make_activity(team, service_date=day, start_time=start, end_time=end, **kw)


def test_overlap(app):
    team = f.make_team()
    v, w = f.make_volunteer(), f.make_volunteer()
    morning, late_morning, afternoon = act(team, "09:00", "12:00"), act(team, "11:00", "13:00"), act(team, "13:00", "15:00")
    a = f.make_record(morning, v, minutes=120)
    b = f.make_record(late_morning, v, minutes=60)
    c = f.make_record(afternoon, v, minutes=60)        # touches 13:00 but does not overlap
    f.make_record(morning, w, minutes=120)
    f.make_record(afternoon, w, minutes=60)            # back to back: fine
    f.make_record(act(team, "09:00", "12:00", day=DAY + timedelta(days=1)), v, minutes=60)  # another day
    db.session.commit()
    assert {x for x in flagged() if x[0] == "overlap"} == {("overlap", a.id), ("overlap", b.id)}
    assert ("overlap", c.id) not in flagged()
    _, rows = services.queue(*WINDOW, "overlap")
    assert "重叠" in rows[0]["detail"]


def test_overlap_ignores_void_records(app):
    team, v = f.make_team(), f.make_volunteer()
    f.make_record(act(team, "09:00", "12:00"), v, minutes=60)
    f.make_record(act(team, "10:00", "11:00"), v, minutes=60, status="void")
    db.session.commit()
    assert not flagged("overlap")


def test_daily_hours_over_the_limit(app):
    team = f.make_team()
    heavy, fine = f.make_volunteer(), f.make_volunteer()
    r1 = f.make_record(f.make_activity(team, service_date=DAY), heavy, minutes=7 * 60)
    r2 = f.make_record(f.make_activity(team, service_date=DAY), heavy, minutes=5 * 60 + 1, status="pending")
    f.make_record(f.make_activity(team, service_date=DAY), fine, minutes=6 * 60)
    f.make_record(f.make_activity(team, service_date=DAY), fine, minutes=6 * 60)  # exactly 12: not over
    db.session.commit()
    assert flagged("daily_hours") == {("daily_hours", r1.id), ("daily_hours", r2.id)}
    _, rows = services.queue(*WINDOW, "daily_hours")
    assert "12.02" in rows[0]["detail"] and "12" in rows[0]["detail"]


def test_daily_limit_is_a_setting(app, client, login_as):
    team, v = f.make_team(), f.make_volunteer()
    f.make_record(f.make_activity(team, service_date=DAY), v, minutes=9 * 60)
    login_as("office")
    assert not flagged("daily_hours")
    response = client.post("/integrity/settings", data={"daily_hours_limit": "8"})
    assert response.status_code == 302 and rules.daily_hours_limit() == 8
    assert len(flagged("daily_hours")) == 1
    assert db.session.scalars(db.select(AuditLog).where(AuditLog.action == "settings.update")).one()


def test_hours_longer_than_the_activity(app):
    team, v, w = f.make_team(), f.make_volunteer(), f.make_volunteer()
    short = act(team, "09:00", "10:30")
    too_long = f.make_record(short, v, minutes=91)
    f.make_record(short, w, minutes=90)                                    # exactly the span
    f.make_record(f.make_activity(team, service_date=DAY), v, minutes=600)  # no times: cannot tell
    db.session.commit()
    assert flagged("over_span") == {("over_span", too_long.id)}


def test_future_activity_with_records(app, today):
    team = f.make_team()
    future = f.make_record(f.make_activity(team, service_date=today + timedelta(days=3)), minutes=60)
    f.make_record(f.make_activity(team, service_date=today), minutes=60)
    f.make_record(f.make_activity(team, service_date=today + timedelta(days=3)), minutes=60, status="void")
    db.session.commit()
    counts, rows = services.queue(date(2000, 1, 1), today - timedelta(days=400))  # outside the window: still shown
    assert {(r["rule"], r["record"].id) for r in rows if r["rule"] == "future"} == {("future", future.id)}


def test_self_entry_and_self_approval(app):
    team = f.make_team()
    me, other = f.make_volunteer("队长本人"), f.make_volunteer("别人")
    leader = f.make_user("leader", teams=[team], volunteer=me)
    office_self = f.make_volunteer("办事员本人")
    office = f.make_user("office", volunteer=office_self)
    plain_office = f.make_user("office")
    a = f.make_activity(team, service_date=DAY)
    own_entry = f.make_record(a, me, minutes=60, status="pending", created_by_id=leader.id)
    own_approval = f.make_record(a, office_self, minutes=60, created_by_id=plain_office.id, approved_by_id=office.id)
    f.make_record(a, other, minutes=60, created_by_id=leader.id, approved_by_id=office.id)        # someone else's
    f.make_record(f.make_activity(team, service_date=DAY), me, minutes=60, created_by_id=plain_office.id,
                  approved_by_id=plain_office.id)                                               # entered by others
    db.session.commit()
    assert flagged("self_entry") == {("self_entry", own_entry.id), ("self_entry", own_approval.id)}
    _, rows = services.queue(*WINDOW, "self_entry")
    details = {r["record"].id: r["detail"] for r in rows}
    assert "登记" in details[own_entry.id] and "审核" in details[own_approval.id]


def test_review_confirm_and_void_take_records_out_of_the_queue(app, client, login_as):
    team, v = f.make_team(), f.make_volunteer()
    short = act(team, "09:00", "10:00")
    keep = f.make_record(short, v, minutes=120)
    drop = f.make_record(short, f.make_volunteer(), minutes=180)
    db.session.commit()
    login_as("office")
    page = client.get(f"/integrity/?date_from=2026-01-01").get_data(as_text=True)
    assert f'data-record="{keep.id}"' in page and f'data-record="{drop.id}"' in page
    review_page = client.get(f"/integrity/review/over_span/{keep.id}")
    assert review_page.status_code == 200 and "超过" in review_page.get_data(as_text=True)

    response = client.post(f"/integrity/review/over_span/{keep.id}", data={"reason": "", "decision": "confirmed"})
    assert response.status_code == 200 and "请填写处理原因" in response.get_data(as_text=True)
    assert client.post(f"/integrity/review/over_span/{keep.id}",
                       data={"reason": "活动实际延长，已核实", "decision": "confirmed"}).status_code == 302
    assert client.post(f"/integrity/review/over_span/{drop.id}",
                       data={"reason": "多填", "decision": "voided"}).status_code == 302
    db.session.expire_all()
    assert flagged("over_span") == set()
    assert keep.status == "approved" and drop.status == "void" and "多填" in drop.void_reason
    decisions = {r.record_id: r.decision for r in db.session.scalars(db.select(IntegrityReview))}
    assert decisions == {keep.id: "confirmed", drop.id: "voided"}
    actions = [a.action for a in db.session.scalars(db.select(AuditLog).order_by(AuditLog.id))]
    assert actions.count("integrity.confirm") == 1 and actions.count("integrity.void") == 1 and "hours.void" in actions
    assert "活动实际延长" in client.get("/integrity/reviews").get_data(as_text=True)
    # reviewed twice: refused
    again = client.post(f"/integrity/review/over_span/{keep.id}", data={"reason": "再来", "decision": "confirmed"})
    assert "已经处理过" in again.get_data(as_text=True)


def test_a_record_not_in_the_queue_cannot_be_reviewed(app, client, login_as):
    rec = f.make_record(f.make_activity(service_date=DAY), minutes=60)
    db.session.commit()
    login_as("office")
    assert client.get(f"/integrity/review/over_span/{rec.id}").status_code == 302
    html = client.post(f"/integrity/review/over_span/{rec.id}", data={"reason": "x", "decision": "confirmed"}).get_data(as_text=True)
    assert "不在异常队列" in html
    assert client.get(f"/integrity/review/nonsense/{rec.id}").status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(IntegrityReview)) == 0
