"""Control characters pasted into a form (a NUL from an odd copy-paste) are dropped at the door:
the form saves what the user meant, on SQLite and PostgreSQL alike (PostgreSQL refuses NUL in
text, which was a 500 there), and searches with them still answer."""
from sqlalchemy import select

from tests import factories as f
from volunteer.extensions import db
from volunteer.teams.models import Team
from volunteer.volunteers.models import Volunteer


def test_a_volunteer_form_with_a_nul_saves_the_text_without_it(app, client, login_as):
    login_as("office")
    number = f.make_id_number()
    response = client.post("/volunteers/new", data={
        "name": "张\x00三", "id_number": number, "phone": "139\x0012345678", "employer": "虹桥\x07镇\x00政府",
        "note": "第一行\n第二行\t备注\x1b"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    saved = db.session.scalar(select(Volunteer).where(Volunteer.id_number == number))
    assert (saved.name, saved.phone, saved.employer, saved.note) == ("张三", "13912345678", "虹桥镇政府",
                                                                     "第一行\n第二行\t备注")


def test_any_form_and_any_search_take_them_out(app, client, login_as):
    login_as("office")
    response = client.post("/teams/new", data={"name": "甲\x00队", "kind": "居委"})
    assert response.status_code == 302
    assert db.session.scalar(select(Team.name)) == "甲队"
    assert client.get("/volunteers/?q=%00%E5%BC%A0").status_code == 200
