"""/register: teams to apply to (only those open to applications) and the failure lock-out."""
from datetime import date

from sqlalchemy import func, select

from tests import factories as f
from volunteer.extensions import db
from volunteer.joining.models import TeamApplication
from volunteer.volunteers.models import Volunteer

PASSWORD = "mima-2026x"


def _form(**kw):
    data = {"name": "李新人", "id_type": "居民身份证", "id_number": f.make_id_number(date(1995, 6, 1), serial=331),
            "phone": "13812345678", "password": PASSWORD, "confirm": PASSWORD, "consent": "y"}
    data.update(kw)
    return data


def test_register_offers_open_teams_and_applies(app, client):
    open_team = f.make_team("阳光队")
    f.make_team("关门队", accepts_applications=False)
    f.make_team("停用队", is_active=False)
    db.session.commit()
    html = client.get("/register").get_data(as_text=True)
    assert "阳光队" in html and "关门队" not in html and "停用队" not in html
    assert client.post("/register", data=_form(team_ids=[open_team.id])).status_code == 302
    application = db.session.scalar(select(TeamApplication))
    assert application.team_id == open_team.id and application.status == "pending"
    assert "待处理" in client.get("/me").get_data(as_text=True)


def test_register_refuses_a_team_not_open_and_keeps_what_was_typed(app, client):
    closed = f.make_team("关门队", accepts_applications=False)
    db.session.commit()
    html = client.post("/register", data=_form(team_ids=[closed.id, 999999])).get_data(as_text=True)
    assert "所选队伍不存在或暂不接受入队申请" in html and 'value="李新人"' in html
    html = client.post("/register", data=_form(team_ids=["abc"])).get_data(as_text=True)
    assert "所选队伍不存在或暂不接受入队申请" in html
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == 0


def test_repeated_registered_id_locks_out_that_address_not_others(app, client):
    taken = f.make_id_number(date(1990, 1, 1), serial=410)
    f.make_volunteer(name="王已有", id_number=taken)
    db.session.commit()
    for _ in range(app.config["REGISTER_MAX_FAILURES"]):
        html = client.post("/register", data=_form(id_number=taken)).get_data(as_text=True)
        assert "该证件号码已登记" in html
    html = client.post("/register", data=_form(id_number=taken)).get_data(as_text=True)
    assert "操作过于频繁" in html and "该证件号码已登记" not in html
    # another address is not locked out of that ID number
    other = app.test_client()
    html = other.post("/register", data=_form(id_number=taken),
                      environ_base={"REMOTE_ADDR": "10.9.9.9"}).get_data(as_text=True)
    assert "该证件号码已登记" in html
    # a new person from the locked address still registers
    assert client.post("/register", data=_form()).status_code == 302
