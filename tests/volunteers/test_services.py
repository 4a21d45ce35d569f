"""The service functions the volunteer pages add: keyset paging, team names and hour history
for a page, warnings, and the audited full-ID view."""
from datetime import date

import pytest

from volunteer.errors import ServiceError
from volunteer.extensions import db
from volunteer.volunteers import services

from tests import factories as f
from tests.volunteers.helpers import audit_entries


def _ids(page):
    return [v.id for v in page.items]


def test_keyset_page_forward_backward_and_last(app):
    made = [f.make_volunteer().id for _ in range(12)]
    stmt = services.search_volunteers()

    first = services.keyset_page(stmt, per_page=5)
    assert _ids(first) == made[:5]
    assert (first.has_prev, first.has_next, first.prev_before, first.next_after) == (False, True, None, made[4])

    second = services.keyset_page(stmt, per_page=5, after=first.next_after)
    assert _ids(second) == made[5:10] and second.prev_before == made[5] and second.next_after == made[9]

    third = services.keyset_page(stmt, per_page=5, after=second.next_after)
    assert _ids(third) == made[10:] and not third.has_next and third.next_after is None

    back = services.keyset_page(stmt, per_page=5, before=third.prev_before)
    assert _ids(back) == made[5:10] and back.has_prev and back.has_next

    start = services.keyset_page(stmt, per_page=5, before=made[5])
    assert _ids(start) == made[:5] and not start.has_prev and start.has_next

    last = services.keyset_page(stmt, per_page=5, last=True)
    assert _ids(last) == made[7:] and last.has_prev and not last.has_next


def test_keyset_page_respects_filters_and_empty(app):
    team = f.make_team()
    members = [f.make_volunteer(teams=[team]).id for _ in range(3)]
    f.make_volunteer()
    page = services.keyset_page(services.search_volunteers(team_id=team.id), per_page=2)
    assert _ids(page) == members[:2] and page.has_next
    empty = services.keyset_page(services.search_volunteers(q="无此人"), per_page=50)
    assert empty.items == [] and not empty.has_next and not empty.has_prev
    beyond = services.keyset_page(services.search_volunteers(), per_page=50, after=10 ** 9)
    assert beyond.items == [] and beyond.next_after is None and beyond.prev_before is None


def test_team_names_by_volunteer(app):
    a, b = f.make_team("乙队"), f.make_team("甲队")
    v1 = f.make_volunteer(teams=[a, b])
    v2 = f.make_volunteer(teams=[b])
    v3 = f.make_volunteer()
    names = services.team_names_by_volunteer([v1.id, v2.id, v3.id])
    assert names == {v1.id: ["乙队", "甲队"], v2.id: ["甲队"]}
    assert services.team_names_by_volunteer([]) == {}


def test_hour_history_newest_first_and_team_scope(app):
    a, b = f.make_team(), f.make_team()
    v = f.make_volunteer()
    old = f.make_record(f.make_activity(a, service_date=date(2025, 1, 1)), v)
    new = f.make_record(f.make_activity(b, service_date=date(2026, 1, 1)), v)
    f.make_record(f.make_activity(a), f.make_volunteer())  # someone else's
    rows = db.session.scalars(services.hour_history(v.id)).unique().all()
    assert [r.id for r in rows] == [new.id, old.id]
    assert rows[0].activity.title and rows[0].team.id == b.id and rows[0].category.name
    scoped = db.session.scalars(services.hour_history(v.id, team_ids={a.id})).unique().all()
    assert [r.id for r in scoped] == [old.id]
    assert db.session.scalars(services.hour_history(v.id, team_ids=set())).unique().all() == []


def test_volunteer_warnings_from_shared_rules():
    today = date(2026, 6, 1)
    teen = f.make_id_number(date(2010, 1, 1), serial=5)
    warnings = services.volunteer_warnings({"name": "小明", "id_number": teen, "phone": "13800000000"}, today=today)
    assert warnings == [("出生日期", "未满18周岁（16岁）")]
    adult = f.make_id_number(date(1990, 1, 1), serial=6)
    assert services.volunteer_warnings({"name": "大明", "id_number": adult, "phone": "13800000000"}, today=today) == []


def test_reveal_id_number_audited_for_office_only(app):
    v = f.make_volunteer()
    office = f.make_user("office")
    leader = f.make_user("leader")
    assert services.reveal_id_number(office, v) == v.id_number
    (entry,) = audit_entries("volunteer.view_id")
    assert (entry.actor_id, entry.object_id) == (office.id, str(v.id))
    with pytest.raises(ServiceError):
        services.reveal_id_number(leader, v)
    assert len(audit_entries("volunteer.view_id")) == 1
    services.reveal_id_number(None, v)  # the command line acts as the office
    assert audit_entries("volunteer.view_id")[-1].actor_name == "cli"
