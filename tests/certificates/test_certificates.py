"""Certificates: issuing (office, the volunteer themself), the frozen snapshot, the public
verification page (valid, unknown, revoked), the register, revoking, settings, permissions."""
import re
from datetime import date

import pytest

from volunteer.audit.models import AuditLog
from volunteer.certificates import services
from volunteer.certificates.models import Certificate
from volunteer.extensions import db
from volunteer.hours.services import correct_record
from volunteer.settings import Setting

from tests import factories as f


def _volunteer_with_hours():
    team = f.make_team("虹桥居委志愿服务队")
    clean, help_ = f.make_category("垃圾分类"), f.make_category("为民服务")
    v = f.make_volunteer("张三", teams=[team], id_number=f.make_id_number(date(1990, 1, 5), serial=123))
    r1 = f.make_record(f.make_activity(team, "垃圾分类宣传", service_date=date(2026, 1, 10), category=clean), v, minutes=150)
    f.make_record(f.make_activity(team, "敬老", service_date=date(2026, 2, 10), category=help_), v, minutes=90)
    f.make_record(f.make_activity(team, "待审核的", service_date=date(2026, 2, 11), category=help_), v, minutes=600,
                  status="pending")
    f.make_record(f.make_activity(team, "去年", service_date=date(2025, 12, 31), category=clean), v, minutes=60)
    db.session.commit()
    return v, r1


def _issue(client, v, start="2026-01-01", end="2026-03-01"):
    response = client.post(f"/certificates/issue?volunteer_id={v.id}", data={"period_from": start, "period_to": end})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalars(db.select(Certificate).order_by(Certificate.id.desc())).first()


def test_office_issues_a_certificate(client, login_as):
    v, _ = _volunteer_with_hours()
    office = login_as("office", display_name="李办事员")
    cert = _issue(client, v)
    s = cert.snapshot
    assert re.fullmatch(r"HQ-\d{4}-000001", cert.number) and len(cert.code) >= 32
    assert s["volunteer"] == {"name": "张三", "id_type": "居民身份证", "id_masked": v.id_number[:6] + "********" + v.id_number[-4:],
                              "volunteer_no": v.volunteer_no}
    assert (s["total_minutes"], s["total_hours"], s["record_count"]) == (240, 4.0, 2)  # 150 + 90; not pending, not 2025
    assert [(c["name"], c["records"], c["minutes"], c["hours"]) for c in s["by_category"]] == [
        ("垃圾分类", 1, 150, 2.5), ("为民服务", 1, 90, 1.5)]
    assert [r["activity"] for r in s["records"]] == ["垃圾分类宣传", "敬老"]
    assert s["issuer"] == {"organisation": "虹桥镇新时代文明实践分中心", "person_in_charge": "", "handler": "",
                           "contact": ""}  # 经办人 from the settings only, never the login's name
    assert s["period"] == {"from": "2026-01-01", "to": "2026-03-01"}
    assert cert.snapshot_hash == services.snapshot_hash(s) and services.hash_matches(cert)
    assert cert.issued_by_id == office.id
    audit = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "certificate.issue")).one()
    assert audit.object_id == str(cert.id)

    html = client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    assert "志愿服务记录证明" in html and cert.number in html and 'id="cert-hours">4<' in html
    assert v.id_number not in html and s["volunteer"]["id_masked"] in html
    assert '<svg viewBox' in html and 'class="qr"' in html and "print.css" in html
    assert f"http://localhost/certificates/verify/{cert.code}" in html
    assert "<script>" not in html


def test_second_certificate_gets_the_next_number(client, login_as):
    v, _ = _volunteer_with_hours()
    login_as("office")
    first, second = _issue(client, v), _issue(client, v)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1 and first.code != second.code


def test_snapshot_is_frozen_after_a_correction(client, login_as):
    v, r1 = _volunteer_with_hours()
    office = login_as("office")
    cert = _issue(client, v)
    correct_record(office, r1, 30, "录入错误")
    db.session.commit()
    db.session.expire_all()
    cert = db.session.get(Certificate, cert.id)
    assert cert.snapshot["total_minutes"] == 240 and services.hash_matches(cert)
    assert 'id="cert-hours">4<' in client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    assert "4 小时" in client.get(f"/certificates/verify/{cert.code}").get_data(as_text=True)
    # a new certificate states the corrected hours: 30 + 90 minutes
    assert _issue(client, v).snapshot["total_minutes"] == 120


def test_verify_valid_unknown_and_revoked(app, client, login_as):
    v, _ = _volunteer_with_hours()
    login_as("office")
    cert = _issue(client, v)
    client.post("/logout")
    anon = app.test_client()
    page = anon.get(f"/certificates/verify/{cert.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "证明有效" in html
    assert cert.number in html and "张三" in html and cert.snapshot["volunteer"]["id_masked"] in html
    assert "4 小时" in html and "2026-01-01 至 2026-03-01" in html
    assert v.id_number not in html and "垃圾分类宣传" not in html  # no record details in public

    unknown = anon.get("/certificates/verify/not-a-real-code")
    assert unknown.status_code == 404 and "证明编号不存在" in unknown.get_data(as_text=True)

    login_as("office")
    client.post(f"/certificates/{cert.id}/revoke", data={"reason": "信息有误，已重新开具"})
    revoked = anon.get(f"/certificates/verify/{cert.code}")
    text = revoked.get_data(as_text=True)
    assert revoked.status_code == 200 and "该证明已撤销" in text and "信息有误，已重新开具" in text
    assert db.session.scalars(db.select(AuditLog).where(AuditLog.action == "certificate.revoke")).one()


def test_tampered_snapshot_is_reported(client, login_as):
    v, _ = _volunteer_with_hours()
    login_as("office")
    cert = _issue(client, v)
    cert.snapshot = dict(cert.snapshot, total_minutes=99999)
    db.session.commit()
    assert "校验未通过" in client.get(f"/certificates/verify/{cert.code}").get_data(as_text=True)


def test_revoke_needs_a_reason_and_happens_once(client, login_as):
    v, _ = _volunteer_with_hours()
    login_as("office")
    cert = _issue(client, v)
    client.post(f"/certificates/{cert.id}/revoke", data={"reason": ""})
    assert db.session.get(Certificate, cert.id).revoked_at is None
    client.post(f"/certificates/{cert.id}/revoke", data={"reason": "作废"})
    html = client.post(f"/certificates/{cert.id}/revoke", data={"reason": "再次"}, follow_redirects=True).get_data(as_text=True)
    assert "该证明已经撤销" in html and db.session.get(Certificate, cert.id).revoked_reason == "作废"


def test_refusals_when_issuing(client, login_as, today):
    v, _ = _volunteer_with_hours()
    login_as("office")
    empty = client.post(f"/certificates/issue?volunteer_id={v.id}", data={"period_from": "2024-01-01", "period_to": "2024-12-31"})
    assert "没有已确认的服务时长" in empty.get_data(as_text=True)
    backwards = client.post(f"/certificates/issue?volunteer_id={v.id}", data={"period_from": "2026-03-01", "period_to": "2026-01-01"})
    assert "截止日期不能早于起始日期" in backwards.get_data(as_text=True)
    future = client.post(f"/certificates/issue?volunteer_id={v.id}",
                         data={"period_from": "2026-01-01", "period_to": date(today.year + 1, 1, 1).isoformat()})
    assert "不能晚于今天" in future.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 0


def test_volunteer_issues_for_themself_only(client, login_as):
    v, _ = _volunteer_with_hours()
    other = f.make_volunteer("李四")
    login_as("volunteer", volunteer=v)
    page = client.get("/certificates/issue")
    assert page.status_code == 200 and 'id="issue-name">张三<' in page.get_data(as_text=True)
    assert client.get(f"/certificates/issue?volunteer_id={v.id}").status_code == 200
    assert client.get(f"/certificates/issue?volunteer_id={other.id}").status_code == 404
    assert client.post(f"/certificates/issue?volunteer_id={other.id}",
                       data={"period_from": "2026-01-01", "period_to": "2026-03-01"}).status_code == 404
    cert = _issue(client, v)
    assert cert.snapshot["issuer"]["handler"] == ""
    assert client.get(f"/certificates/{cert.id}").status_code == 200
    assert client.post(f"/certificates/{cert.id}/revoke", data={"reason": "x"}).status_code == 403
    assert client.get("/certificates/").status_code == 403
    assert client.get("/certificates/settings").status_code == 403


def test_someone_elses_certificate_is_404(client, login_as):
    v, _ = _volunteer_with_hours()
    other = f.make_volunteer("李四")
    cert = services.issue_certificate(None, v, date(2026, 1, 1), date(2026, 3, 1))
    db.session.commit()
    login_as("volunteer", volunteer=other)
    assert client.get(f"/certificates/{cert.id}").status_code == 404


def test_leaders_are_refused_for_other_people(client, login_as):
    v, _ = _volunteer_with_hours()
    cert = services.issue_certificate(None, v, date(2026, 1, 1), date(2026, 3, 1))
    db.session.commit()
    login_as("leader", teams=[f.make_team()])
    assert client.get(f"/certificates/issue?volunteer_id={v.id}").status_code == 404
    assert client.get("/certificates/").status_code == 403
    assert client.get(f"/certificates/{cert.id}").status_code == 404
    assert client.get(f"/certificates/verify/{cert.code}").status_code == 200


@pytest.mark.parametrize("url", ["/certificates/", "/certificates/issue", "/certificates/1", "/certificates/settings"])
def test_anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_register_lists_and_finds_certificates(client, login_as):
    v, _ = _volunteer_with_hours()
    login_as("office")
    cert = _issue(client, v)
    html = client.get("/certificates/").get_data(as_text=True)
    assert cert.number in html and "张三" in html and "有效" in html
    assert cert.number in client.get(f"/certificates/?q={cert.number}").get_data(as_text=True)
    assert cert.number not in client.get("/certificates/?q=HQ-1999").get_data(as_text=True)
    assert client.get("/certificates/?page=2").status_code == 200


def test_office_finds_the_volunteer_to_issue_for(client, login_as):
    v, _ = _volunteer_with_hours()
    login_as("office")
    html = client.get(f"/certificates/issue?q={v.phone}").get_data(as_text=True)
    assert "张三" in html and f"volunteer_id={v.id}" in html
    assert client.get("/certificates/issue?volunteer_id=99999").status_code == 404


def test_settings_change_the_issuer_on_new_certificates(client, login_as):
    v, _ = _volunteer_with_hours()
    login_as("office")
    old = _issue(client, v)
    response = client.post("/certificates/settings", data={
        "issuer": "虹桥镇新时代文明实践分中心", "person_in_charge": "王主任", "handler": "赵经办", "contact": "021-12345678",
        "number_prefix": "hq", "verify_base_url": "https://zyfw.example.cn/"})
    assert response.status_code == 302
    assert db.session.get(Setting, "certificate.person_in_charge").value == "王主任"
    assert db.session.get(Setting, "certificate.number_prefix").value == "HQ"
    assert db.session.scalars(db.select(AuditLog).where(AuditLog.action == "settings.update")).one()
    new = _issue(client, v)
    assert new.snapshot["issuer"] == {"organisation": "虹桥镇新时代文明实践分中心", "person_in_charge": "王主任",
                                      "handler": "赵经办", "contact": "021-12345678"}
    assert old.snapshot["issuer"]["person_in_charge"] == ""
    assert f"https://zyfw.example.cn/certificates/verify/{new.code}" in client.get(f"/certificates/{new.id}").get_data(as_text=True)
    bad = client.post("/certificates/settings", data={"issuer": "", "number_prefix": "HQ-"})
    assert bad.status_code == 200 and "出具单位不能为空" in bad.get_data(as_text=True)


@pytest.mark.parametrize("role", ["volunteer", "leader", "office"])
def test_verify_page_is_public_for_every_role(client, login_as, role):
    v, _ = _volunteer_with_hours()
    cert = services.issue_certificate(None, v, date(2026, 1, 1), date(2026, 3, 1))
    db.session.commit()
    kwargs = {"volunteer": f.make_volunteer()} if role == "volunteer" else {}
    login_as(role, **kwargs)
    assert client.get(f"/certificates/verify/{cert.code}").status_code == 200
    assert client.get("/certificates/verify/unknown").status_code == 404


def test_a_leader_linked_to_a_volunteer_record_issues_their_own(client, login_as):
    v, _ = _volunteer_with_hours()
    db.session.commit()
    login_as("leader", teams=[f.make_team()], volunteer=v)
    assert client.get(f"/certificates/issue?volunteer_id={v.id}").status_code == 200
    response = client.post(f"/certificates/issue?volunteer_id={v.id}",
                           data={"period_from": "2026-01-01", "period_to": "2026-03-01"})
    assert response.status_code == 302
    assert db.session.scalars(db.select(Certificate)).one().volunteer_id == v.id
