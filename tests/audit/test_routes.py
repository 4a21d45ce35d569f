"""The audit-log viewer: office only, read-only, filters, keyset pages, escaped change tables."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories as f
from volunteer.audit.models import AuditLog
from volunteer.audit.queries import AuditFilters, audit_page
from volunteer.audit.services import record
from volunteer.extensions import db


def entry(actor="clerk", action="team.update", object_type="team", object_id=1, at=None, summary=None, **kw):
    log = record(actor, action, object_type, object_id, summary or f"{action} {object_id}", **kw)
    if at is not None:
        log.created_at = at
    db.session.flush()
    return log


@pytest.mark.parametrize("role,status", [("volunteer", 403), ("leader", 403), ("office", 200)])
def test_access_by_role(client, login_as, role, status):
    login_as(role)
    assert client.get("/audit/").status_code == status


def test_anonymous_is_sent_to_login(client):
    response = client.get("/audit/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_viewer_is_read_only(client, login_as):
    login_as("office")
    entry()
    db.session.commit()
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/audit/").status_code == 405
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 1


def test_row_shows_time_actor_object_and_escaped_changes(client, login_as):
    login_as("office")
    entry(actor="clerk", action="team.update", object_type="team", object_id=7,
          at=datetime(2026, 3, 1, 16, 30, 5), summary="修改队伍 <b>甲</b>",
          before={"name": "<script>alert(1)</script>", "is_active": True},
          after={"name": "新名", "is_active": False})
    db.session.commit()
    html = client.get("/audit/").text
    assert "2026-03-02 00:30:05" in html  # Beijing time
    assert "clerk" in html and "team.update" in html and "队伍 #7" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>甲</b>" not in html and "&lt;b&gt;甲&lt;/b&gt;" in html
    assert "<th>修改前</th>" in html and "<td class=\"text-nowrap\">名称</td>" in html
    assert ">是<" in html and ">否<" in html
    assert "/audit/?object_type=team&amp;object_id=7" in html


def test_full_id_numbers_are_masked(client, login_as):
    login_as("office")
    number = f.make_id_number()
    entry(action="volunteer.create", object_type="volunteer", object_id=3, after={"id_number": number})
    db.session.commit()
    html = client.get("/audit/").text
    assert number not in html and number[:6] + "********" + number[-4:] in html


def test_the_birth_date_beside_a_masked_number_is_hidden_too(client, login_as):
    # The office's mask hides exactly the 8 birth-date digits: together they are the full number.
    login_as("office")
    number = f.make_id_number()
    born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    entry(action="volunteer.update", object_type="volunteer", object_id=3,
          before={"id_number": number, "birth_date": born}, after={"id_number": number, "birth_date": born})
    db.session.commit()
    html = client.get("/audit/").text
    assert born not in html and number[6:14] not in html and number not in html


def test_bulk_entry_extras_are_listed(client, login_as):
    login_as("office")
    entry(action="hours.approve", object_type="service_record", object_id=None, records=list(range(1, 45)))
    db.session.commit()
    html = client.get("/audit/").text
    assert "审核通过 44 条时长记录" in html and "时长记录 #10" in html and "时长记录 #11" not in html


@pytest.fixture
def sample(app):
    base = datetime(2026, 5, 10, 3, 0)  # 11:00 Beijing
    entries = {
        "a": entry(actor="clerk", action="team.create", object_type="team", object_id=1, at=base),
        "b": entry(actor="clerk", action="team.update", object_type="team", object_id=1, at=base + timedelta(hours=1)),
        "c": entry(actor="leader9", action="team.add_member", object_type="team", object_id=2,
                   at=base + timedelta(days=1)),
        "d": entry(actor="clerk", action="volunteer.update", object_type="volunteer", object_id=1,
                   at=base + timedelta(days=2)),
        # 2026-05-12 23:30 UTC is 2026-05-13 07:30 in Beijing.
        "e": entry(actor=None, action="user.create", object_type="user", object_id=1,
                   at=datetime(2026, 5, 12, 23, 30)),
        # 2026-05-09 17:00 UTC is 2026-05-10 01:00 in Beijing.
        "f": entry(actor="clerk", action="teamwork.x", object_type="team", object_id=12,
                   at=datetime(2026, 5, 9, 17, 0)),
    }
    db.session.commit()
    return {k: v.id for k, v in entries.items()}


@pytest.mark.parametrize("params,expected", [
    ({}, "edcbaf"),
    ({"actor": "clerk"}, "dbaf"),
    ({"actor": "cli"}, "e"),
    ({"object_type": "team", "object_id": "1"}, "ba"),
    ({"object_type": "team"}, "cbaf"),
    ({"action": "team"}, "cba"),  # a prefix up to a dot: not teamwork.x
    ({"action": "team.update"}, "b"),
    ({"date_from": "2026-05-11", "date_to": "2026-05-12"}, "dc"),
    ({"date_from": "2026-05-13"}, "e"),
    ({"date_to": "2026-05-10"}, "baf"),
    ({"date_from": "2026-05-10", "date_to": "2026-05-10"}, "baf"),
])
def test_filters(sample, params, expected):
    fields = dict(params)
    for key in ("date_from", "date_to"):
        if key in fields:
            fields[key] = datetime.strptime(fields[key], "%Y-%m-%d").date()
    page = audit_page(AuditFilters(**fields))
    names = {v: k for k, v in sample.items()}
    assert "".join(names[e.id] for e in page.items) == expected


def test_filters_through_the_page(client, login_as, sample):
    login_as("office")
    html = client.get("/audit/", query_string={"object_type": "team", "object_id": "2"}).text
    assert "team.add_member 2" in html and "team.update 1" not in html
    html = client.get("/audit/", query_string={"actor": "leader9"}).text
    assert "team.add_member 2" in html and "team.create 1" not in html
    html = client.get("/audit/", query_string={"date_from": "2026-05-13", "date_to": "2026-05-13"}).text
    assert "user.create 1" in html and "volunteer.update 1" not in html


def test_bad_dates_show_a_message(client, login_as, sample):
    login_as("office")
    html = client.get("/audit/", query_string={"date_from": "2026-13-01"}).text
    assert "开始日期无效" in html and "team.create 1" not in html
    html = client.get("/audit/", query_string={"date_from": "2026-05-12", "date_to": "2026-05-11"}).text
    assert "结束日期不能早于开始日期" in html
    assert 'value="2026-05-12"' in html


def test_keyset_pages_newest_first(client, login_as):
    login_as("office")
    base = datetime(2026, 1, 1)
    ids = [entry(action="team.update", object_id=i, at=base + timedelta(minutes=i // 2)).id for i in range(120)]
    db.session.commit()
    newest_first = list(reversed(ids))  # created_at never decreases with id here; ties go by id

    first = audit_page(AuditFilters())
    assert [e.id for e in first.items] == newest_first[:50]
    assert first.has_older and not first.has_newer
    second = audit_page(AuditFilters(), older=first.older_cursor)
    assert [e.id for e in second.items] == newest_first[50:100]
    assert second.has_older and second.has_newer
    third = audit_page(AuditFilters(), older=second.older_cursor)
    assert [e.id for e in third.items] == newest_first[100:]
    assert not third.has_older and third.has_newer
    back = audit_page(AuditFilters(), newer=third.newer_cursor)
    assert [e.id for e in back.items] == newest_first[50:100]
    back_again = audit_page(AuditFilters(), newer=back.newer_cursor)
    assert [e.id for e in back_again.items] == newest_first[:50] and not back_again.has_newer

    html = client.get("/audit/").text
    assert f"older={first.older_cursor}" in html
    html = client.get(f"/audit/?older={first.older_cursor}").text
    assert "较新" in html and f"newer={second.newer_cursor}" in html


def test_keyset_orders_by_time_not_id(app):
    late = entry(object_id=1, at=datetime(2026, 2, 1))
    early = entry(object_id=2, at=datetime(2026, 1, 1))
    db.session.commit()
    assert [e.id for e in audit_page(AuditFilters()).items] == [late.id, early.id]
    assert [e.id for e in audit_page(AuditFilters(), limit=1).items] == [late.id]
    assert [e.id for e in audit_page(AuditFilters(), older=late.id, limit=1).items] == [early.id]


def test_object_history_link_from_team_page(client, login_as):
    team = f.make_team()
    db.session.commit()
    login_as("office")
    client.post(f"/teams/{team.id}/edit", data={"name": "改过的名字", "kind": "居委"})
    html = client.get(f"/teams/{team.id}").text
    assert f"/audit/?object_type=team&amp;object_id={team.id}" in html
    html = client.get("/audit/", query_string={"object_type": "team", "object_id": team.id}).text
    assert "改过的名字" in html and "team.update" in html


def test_nested_id_numbers_in_bulk_entries_are_masked(client, login_as):
    login_as("office")
    number = f.make_id_number()
    entry(action="import.volunteers", object_type="import", object_id=None,
          updated=[{"id": 5, "before": {"id_number": number}, "after": {"phone": "13900000000"}}])
    db.session.commit()
    html = client.get("/audit/").text
    assert number not in html and number[:6] + "********" + number[-4:] in html


def test_unknown_object_type_can_be_filtered(client, login_as):
    login_as("office")
    entry(action="x.y", object_type="gadget", object_id=3, summary="小工具变更")
    entry(action="team.update", object_type="team", object_id=3, summary="队伍变更")
    db.session.commit()
    html = client.get("/audit/?object_type=gadget&object_id=3").text
    assert "小工具变更" in html and "队伍变更" not in html
    assert 'value="gadget"' in html
