"""Joining's lists read in a constant number of statements however many applications there are."""
from contextlib import contextmanager

from sqlalchemy import event

from tests import factories as f
from volunteer.extensions import db
from volunteer.joining.models import TeamApplication


@contextmanager
def count_queries():
    counter = {"n": 0}

    def before(*_args, **_kw):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_applications_page_and_start_page_do_not_grow(app, client, login_as):
    teams = [f.make_team() for _ in range(3)]
    login_as("leader", teams=teams)
    team_ids = [t.id for t in teams]

    def add_and_count(n):
        for _ in range(n):
            for team_id in team_ids:
                db.session.add(TeamApplication(team_id=team_id, volunteer_id=f.make_volunteer().id))
        db.session.commit()
        db.session.expunge_all()
        with count_queries() as page:
            assert client.get(f"/teams/{team_ids[0]}/applications").status_code == 200
        with count_queries() as start:
            assert client.get("/").status_code == 200
        with count_queries() as team_page:
            assert client.get(f"/teams/{team_ids[0]}").status_code == 200
        return page["n"], start["n"], team_page["n"]

    assert add_and_count(1) == add_and_count(8)


def test_me_does_not_grow_with_applications(app, client, login_as):
    person = f.make_volunteer(teams=[f.make_team()])
    login_as(f.make_user("volunteer", username=person.phone, volunteer=person))
    person_id = person.id

    def add_and_count(n):
        for _ in range(n):
            db.session.add(TeamApplication(team_id=f.make_team().id, volunteer_id=person_id, status="declined",
                                           reason="名额已满"))
        db.session.commit()
        db.session.expunge_all()
        with count_queries() as counter:
            assert client.get("/me").status_code == 200
        return counter["n"]

    assert add_and_count(1) == add_and_count(8)
