"""A large roster imports whole through the bulk path, and importing it again changes nothing.

Speed is measured by bench/excel.py, not asserted here."""
from __future__ import annotations

import io
from datetime import date

import xlsxwriter
from sqlalchemy import func, select
from stdnum.iso7064 import mod_11_2

from tests.imports.helpers import TODAY, make_teams
from volunteer.audit.models import AuditLog
from volunteer.excel.importers import import_volunteers
from volunteer.extensions import db
from volunteer.teams.models import TeamMembership
from volunteer.volunteers.models import Volunteer

ROWS = 5_000


def roster(rows: int) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("花名册")
    sheet.write_row(0, 0, ["姓名", "证件号码", "手机号码", "所属队伍", "工作单位", "政治面貌", "备注"])
    start = date(1950, 1, 1).toordinal()
    for i in range(rows):
        birth = date.fromordinal(start + (i * 7919) % (50 * 365))
        body = f"{310000 + i // 1000:06d}{birth:%Y%m%d}{i % 1000:03d}"
        sheet.write_row(i + 1, 0, [f"志愿者{i}", body + mod_11_2.calc_check_digit(body), f"139{i:08d}",
                                   "甲队" if i % 3 else "甲队、乙队", "某公司", "群众", "=1+2"])
    book.close()
    return buf.getvalue()


def run(data: bytes):
    report = import_volunteers(None, data, file_name="roster.xlsx", today=TODAY)
    db.session.commit()
    return report


def test_large_roster_imports_whole_and_reimport_changes_nothing(app):
    make_teams("甲队", "乙队")
    db.session.commit()
    data = roster(ROWS)
    report = run(data)
    assert (report["created"], report["rejected"], report["written"]) == (ROWS, 0, True)
    assert db.session.scalar(select(func.count()).select_from(Volunteer)) == ROWS
    assert db.session.scalar(select(func.count()).select_from(TeamMembership)) == ROWS + (ROWS + 2) // 3
    again = run(data)
    assert (again["unchanged"], again["created"], again["updated"]) == (ROWS, 0, 0)


def test_bulk_insert_stores_what_the_orm_reads_back(app):
    """The tuple insert (dates through the column types, ids read back) against the ORM's view."""
    teams = make_teams("甲队", "乙队")
    db.session.commit()
    report = run(roster(40))
    assert (report["created"], report["written"]) == (40, True)
    people = db.session.scalars(select(Volunteer).order_by(Volunteer.id)).all()
    assert [v.name for v in people] == [f"志愿者{i}" for i in range(40)]  # ids follow the file's order
    first = people[0]
    assert isinstance(first.birth_date, date) and first.registered_on == TODAY and first.note == "=1+2"
    assert (first.id_last4, first.status, first.version) == (first.id_number[-4:], "active", 1)
    assert first.created_at == first.updated_at and first.created_at.year >= 2024
    links = db.session.execute(select(TeamMembership.volunteer_id, TeamMembership.team_id, TeamMembership.joined_on)
                               .order_by(TeamMembership.volunteer_id, TeamMembership.team_id)).all()
    expected = sorted([(v.id, teams["甲队"].id, TODAY) for v in people]
                      + [(v.id, teams["乙队"].id, TODAY) for i, v in enumerate(people) if i % 3 == 0])
    assert sorted(links) == expected
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "import.volunteers"))
    assert sorted(entry.changes["created"]) == [v.id for v in people]
