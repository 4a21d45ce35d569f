"""Editing an activity never moves records in a locked month, nor approved records, except by
an office correction in open months: one audit entry lists every record it touched.

The red team's attack: a leader changed an activity's date (or team, or category) and the
activity's approved records, locked months included, moved with it, to another year.
"""
from datetime import date

import pytest

from volunteer.activities import services
from volunteer.audit.models import AuditLog
from volunteer.errors import ServiceError
from volunteer.extensions import db
from volunteer.hours.models import MonthLock, ServiceRecord

from tests import factories as f


def _setup(status="approved", day=date(2026, 3, 15)):
    team, other = f.make_team("甲队"), f.make_team("乙队")
    category, other_category = f.make_category("助力创全"), f.make_category("关爱帮扶")
    activity = f.make_activity(team, "周末清扫", service_date=day, category=category)
    rec = f.make_record(activity, f.make_volunteer(teams=[team]), status=status)
    db.session.commit()
    return team, other, category, other_category, activity, rec


def _form(activity, **changes):
    data = {"team_id": activity.team_id, "title": activity.title, "category_id": activity.category_id,
            "service_date": activity.service_date.isoformat(), "version": activity.version}
    return data | changes


def _values(activity, change: dict) -> dict:
    """The activity's own values with `change` applied (what the edit form sends)."""
    return {k: getattr(activity, k) for k in services.FIELDS} | change


def _record_state(rec_id):
    db.session.expire_all()
    rec = db.session.get(ServiceRecord, rec_id)
    return rec.service_date, rec.team_id, rec.category_id


def test_leader_cannot_move_approved_records_to_another_year(client, login_as):
    team, other, _, _, activity, rec = _setup("approved")
    login_as("leader", teams=[team, other])
    before = _record_state(rec.id)
    response = client.post(f"/activities/{activity.id}/edit", data=_form(activity, service_date="2025-03-15"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已确认" in html and "分中心办公室" in html
    assert _record_state(rec.id) == before
    assert db.session.get(type(activity), activity.id).service_date == date(2026, 3, 15)
    for change in ({"team_id": other.id}, {"category_id": f.make_category("文明交通").id}):
        db.session.commit()
        response = client.post(f"/activities/{activity.id}/edit", data=_form(activity, **change))
        assert "分中心办公室" in response.get_data(as_text=True)
        assert _record_state(rec.id) == before


def test_leader_may_still_edit_the_title_of_an_activity_with_approved_records(client, login_as):
    team, _, _, _, activity, rec = _setup("approved")
    login_as("leader", teams=[team])
    response = client.post(f"/activities/{activity.id}/edit", data=_form(activity, title="周末清扫（改）"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(activity), activity.id).title == "周末清扫（改）"


def test_leader_moves_pending_records_in_open_months_with_the_activity(client, login_as):
    team, other, _, other_category, activity, rec = _setup("pending")
    login_as("leader", teams=[team, other])
    response = client.post(f"/activities/{activity.id}/edit",
                           data=_form(activity, service_date="2026-04-02", team_id=other.id,
                                      category_id=other_category.id))
    assert response.status_code == 302
    assert _record_state(rec.id) == (date(2026, 4, 2), other.id, other_category.id)


def test_leader_cannot_touch_records_in_a_locked_month_even_by_team_or_category(app):
    team, other, _, other_category, activity, rec = _setup("approved", day=date(2026, 1, 20))
    db.session.add(MonthLock(month="2026-01"))
    db.session.commit()
    leader = f.make_user("leader", teams=[team, other])
    db.session.commit()
    for change in ({"team_id": other.id}, {"category_id": other_category.id}, {"service_date": date(2026, 2, 1)}):
        with pytest.raises(ServiceError, match="已锁账|分中心办公室"):
            services.update_activity(leader, activity, _values(activity, change))
        db.session.rollback()
        assert _record_state(rec.id) == (date(2026, 1, 20), team.id, activity.category_id)


def test_office_correction_moves_approved_records_and_lists_each_in_one_audit_entry(client, login_as):
    team, other, category, other_category, activity, rec = _setup("approved")
    second = f.make_record(activity, f.make_volunteer(teams=[team]), status="pending")
    db.session.commit()
    login_as("office")
    response = client.post(f"/activities/{activity.id}/edit",
                           data=_form(activity, service_date="2026-04-02", team_id=other.id))
    assert response.status_code == 302
    assert _record_state(rec.id) == (date(2026, 4, 2), other.id, category.id)
    assert _record_state(second.id) == (date(2026, 4, 2), other.id, category.id)
    entries = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "activity.update")).all()
    assert len(entries) == 1
    listed = {r["id"]: r for r in entries[0].changes["records"]}
    assert set(listed) == {rec.id, second.id}
    assert listed[rec.id]["before"] == {"service_date": "2026-03-15", "team_id": team.id, "category_id": category.id}
    assert listed[rec.id]["after"] == {"service_date": "2026-04-02", "team_id": other.id, "category_id": category.id}


@pytest.mark.parametrize("change", ["team", "category", "date_out", "date_in"])
def test_office_edit_is_refused_where_a_month_is_locked(app, change):
    day = date(2026, 4, 2) if change == "date_in" else date(2026, 1, 20)
    team, other, _, other_category, activity, rec = _setup("approved", day=day)
    db.session.add(MonthLock(month="2026-01"))
    db.session.commit()
    office = f.make_user("office")
    db.session.commit()
    values = {"team": {"team_id": other.id}, "category": {"category_id": other_category.id},
              "date_out": {"service_date": date(2026, 2, 3)}, "date_in": {"service_date": date(2026, 1, 5)}}[change]
    with pytest.raises(ServiceError, match="已锁账"):
        services.update_activity(office, activity, _values(activity, values))
    db.session.rollback()
    assert _record_state(rec.id) == (day, team.id, activity.category_id)
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "activity.update")) == 0


def test_a_malformed_version_is_a_stale_form_not_a_crash(client, login_as):
    team, _, _, _, activity, _ = _setup("pending")
    login_as("leader", teams=[team])
    response = client.post(f"/activities/{activity.id}/edit", data=_form(activity, version="abc", title="新名"))
    assert response.status_code == 200
    assert "已被他人修改" in response.get_data(as_text=True)
