"""The three shared samples give exactly the outcome in tests/fixtures/expected.json, both
with skip_invalid (valid rows written) and all-or-nothing (nothing written)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.imports.helpers import EXPECTED, FIXTURES, TODAY, errors_by_row
from volunteer.activities.models import Activity
from volunteer.audit.models import AuditLog
from volunteer.excel.importers import import_hours, import_teams, import_volunteers
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord
from volunteer.positions.models import Position
from volunteer.teams.models import ServiceCategory, Team, TeamMembership
from volunteer.volunteers.models import Volunteer

# How each kind of bad row in expected.json shows in the message.
MESSAGE_OF_KIND = {"checksum": "校验位", "duplicate": "与第5行重复", "bad-phone": "手机号码",
                   "unknown-team": "队伍不存在", "missing-name": "姓名不能为空", "too-long": "24小时",
                   "zero": "大于0", "over-span": "超过活动时间", "unknown-person": "未找到"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def run(importer, name, **kw):
    report = importer(None, FIXTURES / EXPECTED[name]["file"], file_name=EXPECTED[name]["file"], today=TODAY, **kw)
    db.session.commit()
    return report


def check_bad_rows(report, exp):
    by_row = errors_by_row(report)
    assert set(by_row) == {int(n) for n in exp["bad_rows"]}
    for number, bad in exp["bad_rows"].items():
        problems = by_row[int(number)]
        assert bad["column"] in [col for col, _ in problems], (number, problems)
        assert any(MESSAGE_OF_KIND[bad["kind"]] in msg for _, msg in problems), (number, problems)
    assert report["rejected"] == len(exp["bad_rows"])


def test_teams_sample(app):
    exp = EXPECTED["teams"]
    report = run(import_teams, "teams")
    assert report["created"] == exp["created"] and report["written"] is True
    assert report["rejected"] == 0 and report["errors"] == []
    kinds = dict(db.session.execute(select(Team.name, Team.kind)).all())
    assert kinds == exp["kinds"]
    team = db.session.scalar(select(Team).where(Team.name == "乙锦绣居委志愿服务队"))
    assert team.position.name == "乙锦绣居站" and team.position.kind == "station"
    assert (team.leader_name, team.leader_phone) == ("杜英", "18018159083")
    assert count(Position) == 7
    # One audit entry for the whole import, acting as the command line.
    entries = db.session.scalars(select(AuditLog)).all()
    assert [(e.action, e.actor_name) for e in entries] == [("import.teams", "cli")]
    assert sorted(entries[0].changes["created"]) == sorted(db.session.scalars(select(Team.id)))


def test_volunteers_sample_skip_invalid(app):
    run(import_teams, "teams")
    exp = EXPECTED["volunteers"]
    report = run(import_volunteers, "volunteers", skip_invalid=True)
    assert (report["sheet"], report["header_row"]) == (exp["sheet"], exp["header_row"])
    assert report["rows"] == len(exp["good_rows"]) + len(exp["bad_rows"])
    assert report["created"] == exp["accepted"] == 32 and report["written"] is True
    check_bad_rows(report, exp)
    dup = [m for c, m in errors_by_row(report)[30] if c == "证件号码"]
    assert dup and "第5行" in dup[0]
    assert count(Volunteer) == 32
    for person in exp["people"]:
        v = db.session.scalar(select(Volunteer).where(Volunteer.id_number == person["id"]))
        assert v is not None, person
        assert (v.name, v.phone, v.id_type) == (person["name"], person["phone"], "居民身份证")
        names = db.session.scalars(select(Team.name).join(TeamMembership, TeamMembership.team_id == Team.id)
                                   .where(TeamMembership.volunteer_id == v.id)).all()
        assert sorted(names) == sorted(person["teams"])
    kept = db.session.scalar(select(Volunteer).where(Volunteer.note == exp["formula_text"]["备注"]))
    assert kept is not None and kept.employer == exp["formula_text"]["工作单位"]
    # Derived values: gender and birth date from the ID; lower-case x upper-cased.
    v = db.session.scalar(select(Volunteer).where(Volunteer.name == "武涛刚"))
    assert v.id_number == "31010120030704910X" and v.gender == "女" and v.birth_date.isoformat() == "2003-07-04"
    assert db.session.scalar(select(Volunteer.phone).where(Volunteer.name == "谭勇涵")) == "15606883106"
    assert db.session.scalar(select(Volunteer.political_status).where(Volunteer.name == "韦玉杰")) == "中共党员"
    assert {v.registered_on for v in db.session.scalars(select(Volunteer))} == {TODAY}


def test_volunteers_sample_all_or_nothing(app):
    run(import_teams, "teams")
    report = run(import_volunteers, "volunteers")
    assert report["written"] is False
    assert report["created"] == 32 and report["rejected"] == 5  # what would have happened
    check_bad_rows(report, EXPECTED["volunteers"])
    assert count(Volunteer) == 0 and count(TeamMembership) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "import.volunteers")) == 0


@pytest.fixture
def roster(app):
    run(import_teams, "teams")
    run(import_volunteers, "volunteers", skip_invalid=True)


def test_hours_sample_skip_invalid(roster):
    exp = EXPECTED["hours"]
    report = run(import_hours, "hours", skip_invalid=True)
    assert (report["sheet"], report["header_row"]) == (exp["sheet"], exp["header_row"])
    assert report["created"] == exp["records"] == 18 and report["activities_created"] == exp["activities"] == 6
    check_bad_rows(report, exp)
    assert count(ServiceRecord) == 18 and count(Activity) == 6
    assert sorted(db.session.scalars(select(ServiceCategory.name))) == sorted(EXPECTED["summary"]["by_category"])
    for rec in db.session.scalars(select(ServiceRecord)):
        act = rec.activity
        assert (rec.team_id, rec.category_id, rec.service_date) == (act.team_id, act.category_id, act.service_date)
        assert (rec.status, rec.source, rec.approved_by_id) == ("approved", "import", None)
        assert rec.approved_at is not None
    act = db.session.scalar(select(Activity).where(Activity.title == "疫情防控志愿服务第2期"))
    assert (act.start_time, act.end_time, act.category.name, act.team.name) == \
        ("09:00", "12:00", "疫情防控", "乙虹馨居委志愿服务队")
    minutes = dict(db.session.execute(select(Volunteer.name, ServiceRecord.minutes)
                                      .join(Volunteer, Volunteer.id == ServiceRecord.volunteer_id)
                                      .where(ServiceRecord.activity_id == act.id)).all())
    assert minutes == {"汪玉明": 90, "廖军建": 180, "张桂华": 60}
    # Per-team totals agree with the summary expected once reports land.
    for team, numbers in EXPECTED["summary"]["by_team"].items():
        total = db.session.scalar(select(func.coalesce(func.sum(ServiceRecord.minutes), 0))
                                  .join(Team, Team.id == ServiceRecord.team_id).where(Team.name == team))
        assert total / 60 == numbers["hours"], team


def test_hours_sample_all_or_nothing(roster):
    categories = count(ServiceCategory)
    report = run(import_hours, "hours")
    assert report["written"] is False and report["created"] == 18 and report["activities_created"] == 6
    check_bad_rows(report, EXPECTED["hours"])
    assert count(ServiceRecord) == 0 and count(Activity) == 0 and count(ServiceCategory) == categories


def test_reimporting_the_samples_changes_nothing(roster):
    run(import_hours, "hours", skip_invalid=True)
    audits = count(AuditLog)
    teams = run(import_teams, "teams")
    volunteers = run(import_volunteers, "volunteers", skip_invalid=True)
    hours = run(import_hours, "hours", skip_invalid=True)
    assert (teams["created"], teams["updated"], teams["unchanged"]) == (0, 0, 7)
    assert (volunteers["created"], volunteers["updated"], volunteers["unchanged"]) == (0, 0, 32)
    assert (hours["created"], hours["updated"], hours["unchanged"], hours["activities_created"]) == (0, 0, 18, 0)
    assert count(ServiceRecord) == 18 and count(Volunteer) == 32 and count(AuditLog) == audits
