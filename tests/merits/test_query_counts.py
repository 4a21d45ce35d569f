"""No N+1 on the merits pages and sections: the statements per page stay the same when a
volunteer has four times the training, commendations and evaluations (and the list four times
the trainings)."""
from datetime import date

from sqlalchemy import event

from tests import factories as f
from tests.conftest import PASSWORD
from volunteer.extensions import db
from volunteer.merits import services

TODAY = date(2026, 6, 1)


def _grow(office, team, star, n):
    for i in range(n):
        other = f.make_team()
        training = services.create_training(office, {"title": f"培训{i}", "held_on": "2026-05-01", "hours": "2"},
                                            team_id=other.id, today=TODAY)
        people = [star] + [f.make_volunteer(teams=[team]) for _ in range(2)]
        services.add_attendees(office, training, [p.id for p in people])
        services.add_commendation(office, star, {"title": f"表彰{i}", "awarded_on": "2026-01-01",
                                                 "awarded_by": "区文明办"}, today=TODAY)
        record = f.make_record(f.make_activity(team), star)
        services.evaluate_record(office, record, {"punctuality": 5, "attitude": 4, "skill": 3, "comment": "好"})
    db.session.commit()
    return training.id


def _count(client, path) -> int:
    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert response.status_code == 200, path
    return len(seen)


def test_statements_do_not_grow(app):
    team = f.make_team()
    office = f.make_user("office", username="office-m")
    star = f.make_volunteer("星星", teams=[team])
    f.make_user("volunteer", username="13900008888", volunteer=star)
    first = _grow(office, team, star, 1)
    ids = (office.id, team.id, star.id)
    clients = {}
    for name in ("office-m", "13900008888"):
        clients[name] = app.test_client()
        assert clients[name].post("/login", data={"username": name, "password": PASSWORD}).status_code == 302
    pages = [("office-m", "/merits/trainings"), ("office-m", f"/merits/trainings/{first}"),
             ("office-m", f"/volunteers/{ids[2]}"), ("office-m", f"/merits/volunteers/{ids[2]}/evaluations"),
             ("13900008888", "/me")]
    small = {p: _count(clients[p[0]], p[1]) for p in pages}
    _grow(*(db.session.get(type(o), i) for o, i in zip((office, team, star), ids)), 3)
    large = {p: _count(clients[p[0]], p[1]) for p in pages}
    assert {p: (small[p], large[p]) for p in pages if large[p] > small[p]} == {}
