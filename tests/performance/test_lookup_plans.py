"""A look-up by a full ID number or a mobile reads an index, never the whole volunteers table
(≤ 15 ms at 10×): the plans of the statements volunteers.lookup really runs, on either database."""
import pytest
from sqlalchemy import event, text

from volunteer.extensions import db
from volunteer.volunteers import lookup
from tests.factories import make_user, make_volunteer


def _volunteer_selects(action):
    """The SELECTs on volunteers that `action` runs, with their parameters."""
    seen = []

    def grab(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM volunteers" in statement:
            seen.append((statement, params))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", grab)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    assert seen
    return seen


def _plan(statement, params) -> str:
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
        return "\n".join(str(r[-1]) for r in rows)
    conn.execute(text("SET LOCAL enable_seqscan = off"))  # tiny tables: ask whether an index CAN serve
    rows = conn.exec_driver_sql("EXPLAIN " + statement, params).all()
    return "\n".join(r[0] for r in rows)


def _assert_indexed(plan: str):
    """The index is searched BY the typed key: an index on status alone walks every active
    volunteer (what the look-up by ID number did, ≈ a full scan at 10×)."""
    assert "SCAN volunteers" not in plan and "Seq Scan on volunteers" not in plan, plan
    conditions = [line for line in plan.splitlines() if "INDEX" in line or "PRIMARY KEY" in line or "Index Cond" in line]
    # The follow-up by id may also be served by the exact-name index (PostgreSQL's choice on a
    # table of four rows): selective too, unlike status.
    keys = ("id_number", "phone", "rowid=?", "(id = ", "(name)::text = ")
    assert any(k in c for c in conditions for k in keys), plan


@pytest.mark.parametrize("key_of", [lambda v: v.id_number, lambda v: v.phone], ids=["id_number", "mobile"])
def test_find_person_reads_an_index(app, key_of):
    office = make_user(role="office")
    person = make_volunteer(name="张三")
    for _ in range(3):
        make_volunteer()
    found = []
    seen = _volunteer_selects(lambda: found.append(
        lookup.find_person(office, "张三", key_of(person), team_ids=None, purpose="hours")))
    assert found == [person]
    for statement, params in seen:
        _assert_indexed(_plan(statement, params))


def test_registered_identity_reads_an_index(app):
    office = make_user(role="office")
    person = make_volunteer()
    seen = _volunteer_selects(lambda: lookup.registered_identity(office, person.id_type, person.id_number,
                                                                 team_ids=None))
    for statement, params in seen:
        _assert_indexed(_plan(statement, params))
