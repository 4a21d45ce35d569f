"""Teams import rules: required columns, kinds, new positions as stations, updates."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.imports.helpers import TODAY, errors_by_row, warnings_by_row, workbook_bytes
from volunteer.audit.models import AuditLog
from volunteer.excel.importers import FatalImportError, import_teams
from volunteer.extensions import db
from volunteer.positions.models import Position
from volunteer.teams.models import Team

HEADER = ["队伍名称", "队伍类型", "所属阵地", "队长姓名", "队长手机", "服务类别", "成立日期", "简介"]


def run(*rows, header=HEADER, **kw):
    report = import_teams(None, workbook_bytes({"队伍": [header, *rows]}), file_name="teams.xlsx", today=TODAY, **kw)
    db.session.commit()
    return report


def team(name):
    return db.session.scalar(select(Team).where(Team.name == name))


def test_create_with_every_column_and_new_station(app):
    db.session.add(Position(name="锦绣站", kind="station"))
    db.session.commit()
    report = run(["锦绣居委志愿服务队", "居委", "锦绣站", "杜 英", "180-1815-9083", "助力创全", "2020年3月1日", "=简介"],
                 ["司法所志愿服务队", " 职能部门 ", "新的站", None, None, None, None, None],
                 ["某社会组织", "社会组织", "新的站", None, None, None, None, None])
    assert (report["created"], report["rejected"], report["written"]) == (3, 0, True)
    t = team("锦绣居委志愿服务队")
    assert (t.kind, t.position.name, t.leader_name, t.leader_phone, t.category, t.founded_on, t.description) == \
        ("居委", "锦绣站", "杜英", "18018159083", "助力创全", date(2020, 3, 1), "=简介")
    new = db.session.scalar(select(Position).where(Position.name == "新的站"))
    assert new.kind == "station" and team("某社会组织").position_id == new.id
    assert warnings_by_row(report) == {3: [("所属阵地", "所属阵地“新的站”不存在，导入时将新建为站点")]}
    entries = db.session.scalars(select(AuditLog)).all()
    assert len(entries) == 1 and entries[0].changes["positions_created"] == [new.id]


def test_row_errors(app):
    report = run(["", "居委", None, None, None, None, None, None],
                 ["甲队", "居委会", None, None, None, None, None, None],
                 ["乙队", None, None, None, "12345", None, "2099-01-01", None],
                 ["甲队", "居委", None, None, None, None, "不是日期", None])
    by_row = errors_by_row(report)
    assert by_row[2] == [("队伍名称", "队伍名称不能为空")]
    assert by_row[3] == [("队伍类型", "队伍类型应为：居委、职能部门、社会组织")]
    assert [c for c, _ in by_row[4]] == ["队伍类型", "队长手机", "成立日期"]
    assert [c for c, _ in by_row[5]] == ["成立日期", "队伍名称"] and "与第3行重复" in by_row[5][1][1]
    assert report["written"] is False and db.session.scalar(select(func.count()).select_from(Team)) == 0


def test_existing_team_unchanged_or_updated(app):
    run(["甲队", "居委", "甲站", "张三", None, None, None, None])
    same = run(["甲队", "居委", "甲站", "张三", None, None, None, None])
    assert (same["created"], same["updated"], same["unchanged"]) == (0, 0, 1)
    blanks = run(["甲队", "居委", None, None, None, None, None, None])
    assert blanks["unchanged"] == 1  # empty cells change nothing
    changed = run(["甲队", "职能部门", "乙站", None, "13912345678", None, None, None])
    assert (changed["updated"], changed["unchanged"]) == (1, 0)
    t = team("甲队")
    assert (t.kind, t.position.name, t.leader_name, t.leader_phone) == ("职能部门", "乙站", "张三", "13912345678")
    entry = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert entry.changes["updated"][str(t.id)]["before"]["kind"] == "居委"


def test_aliases_do_not_confuse_leader_name_and_missing_kind_column_is_fatal(app):
    with pytest.raises(FatalImportError, match="队伍类型"):
        run(["甲队", "张三"], header=["队伍名称", "队长姓名"])
