"""/register: same rules as imports, consent, budgeted 'already registered', 未核实 until seen."""
from datetime import date

from sqlalchemy import func, select

from tests import factories as f
from volunteer.audit.models import AuditLog
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.throttle import Throttle
from volunteer.volunteers.models import Volunteer

PASSWORD = "mima-2026x"


def _form(**kw):
    data = {"name": "李新人", "id_type": "居民身份证", "id_number": f.make_id_number(date(1995, 6, 1), serial=321),
            "phone": "13812345678", "password": PASSWORD, "confirm": PASSWORD, "consent": "y"}
    data.update(kw)
    return data


def test_register_logs_in_unverified_and_lands_on_me(app, client):
    response = client.post("/register", data=_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/me")
    person = db.session.scalar(select(Volunteer).where(Volunteer.name == "李新人"))
    assert person is not None and person.verified is False and person.birth_date == date(1995, 6, 1)
    assert db.session.scalar(select(User.role).where(User.volunteer_id == person.id)) == "volunteer"
    assert "volunteer.self_register" in set(db.session.scalars(select(AuditLog.action)))
    assert "李新人 的志愿服务" in client.get("/me").get_data(as_text=True)


def test_bad_input_keeps_what_was_typed_and_says_why(app, client):
    html = client.post("/register", data=_form(id_number="12345", consent="")).get_data(as_text=True)
    assert 'value="李新人"' in html and 'value="12345"' in html
    assert "请阅读个人信息说明并勾选同意后再注册" in html
    html = client.post("/register", data=_form(id_number="12345")).get_data(as_text=True)
    assert "证件号码" in html and db.session.scalar(select(func.count()).select_from(Volunteer)) == 0


def test_other_id_types_need_gender_and_birth_date_and_minors_a_guardian(app, client):
    html = client.post("/register", data=_form(id_type="护照", id_number="E12345678")).get_data(as_text=True)
    assert "证件类型为护照时必须填写性别" in html and "证件类型为护照时必须填写出生日期" in html
    child = f.make_id_number(date(2016, 6, 1), serial=322)
    html = client.post("/register", data=_form(id_number=child)).get_data(as_text=True)
    assert "未满14周岁，须填写监护人姓名" in html


def test_registered_id_points_to_claim_and_costs_budget(app, client):
    f.make_volunteer(name="王已有", id_number=f.make_id_number(date(1990, 1, 1), serial=400))
    db.session.commit()
    html = client.post("/register", data=_form(id_number=f.make_id_number(date(1990, 1, 1), serial=400))) \
        .get_data(as_text=True)
    assert "该证件号码已登记" in html and "认领账号" in html and "王已有" not in html
    assert db.session.scalar(select(func.sum(Throttle.count)).where(Throttle.key.like("budget:ip:%"))) == 1


def test_leader_of_their_team_verifies_in_person(app, client, login_as):
    team = f.make_team()
    person = f.make_volunteer(teams=[team], verified=False)
    other = f.make_team()
    login_as("leader", teams=[other])
    assert client.post(f"/volunteers/{person.id}/verify").status_code == 404
    client.post("/logout")
    login_as("leader", teams=[team])
    client.post(f"/volunteers/{person.id}/verify")
    db.session.expire_all()
    assert db.session.get(Volunteer, person.id).verified is True
    assert "volunteer.verify" in set(db.session.scalars(select(AuditLog.action)))


def test_certificate_needs_a_verified_identity(app):
    import pytest

    from volunteer.certificates.services import issue_certificate
    from volunteer.errors import ServiceError
    person = f.make_volunteer(verified=False)
    f.make_record(volunteer=person)
    office = f.make_user("office")
    with pytest.raises(ServiceError, match="尚未核实"):
        issue_certificate(office, person, date(2026, 1, 1), date(2026, 6, 30), today=date(2026, 7, 1))
    person.verified = True
    issue_certificate(office, person, date(2026, 1, 1), date(2026, 6, 30), today=date(2026, 7, 1))


def test_volunteer_page_shows_unverified_and_the_button(app, client, login_as):
    team = f.make_team()
    person = f.make_volunteer(teams=[team], verified=False)
    login_as("leader", teams=[team])
    html = client.get(f"/volunteers/{person.id}").get_data(as_text=True)
    assert "未核实" in html and "当面核实身份" in html



def test_login_page_offers_registration(app, client):
    assert "/register" in client.get("/login").get_data(as_text=True)
