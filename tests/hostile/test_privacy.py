"""Privacy: a leader never sees a full ID number; the office's reveal is audited; the audit log is read-only."""
import pytest
from sqlalchemy import func, select

from volunteer.audit.models import AuditLog
from volunteer.extensions import db

from tests import factories as f


def _audit_model():
    return AuditLog


def test_leader_never_sees_full_id_number(app, client, login_as):
    team = f.make_team("隐私队")
    full = f.make_id_number(serial=123)
    vol = f.make_volunteer("钱八", teams=[team], id_number=full, note="备注")
    act = f.make_activity(team, "隐私活动")
    f.make_record(act, vol, status="pending")
    f.make_record(f.make_activity(team, "已批活动"), vol, status="approved")
    db.session.commit()
    login_as("leader", teams=[team])
    urls = ["/", "/volunteers/", f"/volunteers/{vol.id}", f"/volunteers/?q={full[-4:]}", "/teams/", f"/teams/{team.id}", "/activities/", f"/activities/{act.id}",
            f"/activities/{act.id}/hours", "/imports/", "/reports/", "/reports/ranking"]
    for url in urls:
        resp = client.get(url, follow_redirects=True)
        body = resp.get_data(as_text=True)
        assert full not in body, url
        assert full[:14] not in body, url  # not even the birth-date part unmasked
    resp = client.post(f"/volunteers/{vol.id}/id-number")
    assert resp.status_code in (403, 404)
    assert full not in resp.get_data(as_text=True)


def test_office_reveal_is_audited(app, client, login_as):
    full = f.make_id_number(serial=321)
    vol = f.make_volunteer("孙九", id_number=full)
    office = login_as("office")
    detail = client.get(f"/volunteers/{vol.id}").get_data(as_text=True)
    assert full not in detail  # masked until asked
    before = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "volunteer.view_id"))
    resp = client.post(f"/volunteers/{vol.id}/id-number")
    assert resp.status_code == 200
    assert full in resp.get_data(as_text=True)
    db.session.expire_all()
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "volunteer.view_id")).all()
    assert len(entries) == before + 1
    assert str(entries[-1].object_id) == str(vol.id)
    assert entries[-1].actor_id == office.id
    # A GET of the reveal URL does not reveal anything.
    resp = client.get(f"/volunteers/{vol.id}/id-number")
    assert resp.status_code == 405 and full not in resp.get_data(as_text=True)


def test_audit_routes_are_read_only(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/audit")]
    assert rules
    for rule in rules:
        assert not (rule.methods & {"POST", "PUT", "PATCH", "DELETE"}), (rule.rule, rule.methods)


def test_audit_rejects_writes(app, client, login_as):
    login_as("office")
    for method in ("post", "put", "patch", "delete"):
        resp = getattr(client, method)("/audit/")
        assert resp.status_code == 405, method


def test_leader_edit_keeps_masked_id_and_never_echoes_it(app, client, login_as):
    team = f.make_team("编辑队")
    full = f.make_id_number(serial=456)
    vol = f.make_volunteer("周十", teams=[team], id_number=full, phone="13911112222")
    db.session.commit()
    login_as("leader", teams=[team])
    page = client.get(f"/volunteers/{vol.id}/edit").get_data(as_text=True)
    assert full not in page
    from volunteer.privacy import mask_tail
    data = {"name": "周十一", "id_type": "居民身份证", "id_number": mask_tail(full), "phone": "13911112222",
            "teams": [str(team.id)], "version": str(vol.version)}
    resp = client.post(f"/volunteers/{vol.id}/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert vol.name == "周十一" and vol.id_number == full
    # A failing save re-renders the form: still masked.
    bad = dict(data, phone="123", version=str(vol.version))
    resp = client.post(f"/volunteers/{vol.id}/edit", data=bad)
    assert resp.status_code == 200 and full not in resp.get_data(as_text=True)
