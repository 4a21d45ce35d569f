"""The queue's most common item, a leader logging their own hours, is confirmed many at a
time: tick them, give one reason, one audit entry lists each."""
from datetime import date

from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.integrity import services
from volunteer.integrity.models import IntegrityReview

from tests import factories as f

DAY = date(2026, 3, 10)


def _own_entries(n):
    team = f.make_team()
    me = f.make_volunteer("队长本人")
    leader = f.make_user("leader", teams=[team], volunteer=me)
    return [f.make_record(f.make_activity(team, service_date=DAY), me, minutes=60, status="pending",
                          created_by_id=leader.id) for _ in range(n)]


def test_office_confirms_many_self_entries_with_one_reason(client, login_as):
    recs = _own_entries(3)
    db.session.commit()
    login_as("office")
    page = client.get("/integrity/?rule=self_entry&date_from=2026-01-01").get_data(as_text=True)
    assert 'action="/integrity/confirm-many"' in page and f'value="self_entry:{recs[0].id}"' in page
    response = client.post("/integrity/confirm-many", data={
        "item": [f"self_entry:{recs[0].id}", f"self_entry:{recs[1].id}"], "reason": "已电话核实",
        "next": "/integrity/?rule=self_entry"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/integrity/?rule=self_entry")
    reviews = db.session.scalars(db.select(IntegrityReview)).all()
    assert {(r.record_id, r.decision, r.reason) for r in reviews} == \
        {(recs[0].id, "confirmed", "已电话核实"), (recs[1].id, "confirmed", "已电话核实")}
    entry = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "integrity.confirm_many")).one()
    assert entry.changes["records"] == [recs[0].id, recs[1].id]
    log = client.get("/audit/").get_data(as_text=True)
    assert "批量确认 2 条无误：队长本人 在" in log and "原因：已电话核实" in log
    _, rows = services.queue(date(2026, 1, 1), None, "self_entry")
    assert [row["record"].id for row in rows] == [recs[2].id]


def test_confirm_many_needs_a_reason_and_a_selection(client, login_as):
    recs = _own_entries(1)
    db.session.commit()
    login_as("office")
    html = client.post("/integrity/confirm-many", data={"item": [f"self_entry:{recs[0].id}"], "reason": " "},
                       follow_redirects=True).get_data(as_text=True)
    assert "请填写处理原因" in html
    html = client.post("/integrity/confirm-many", data={"reason": "核实"}, follow_redirects=True).get_data(as_text=True)
    assert "请先勾选" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(IntegrityReview)) == 0
