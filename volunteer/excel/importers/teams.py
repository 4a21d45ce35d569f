"""Importing teams (CONTRACT section 4, 队伍).

A team is identified by its 队伍名称.  A new name creates a team; an existing one takes the
file's non-empty values (``updated``) or stays as it is (``unchanged``).  An unknown 所属阵地 is
created as a station (站).  Files of teams are small, so rows are written as ORM objects.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ...audit.services import record
from ...extensions import db
from ...positions.models import Position
from ...teams.models import TEAM_KINDS, Team
from ...teams.services import TEAM_FIELDS
from ...fields import FieldError, normalize_name, normalize_phone, parse_date
from ..reader import read_table
from ...bulk import bulk_write
from . import plan
from .common import ImportReport, check_today, column_length, plain, require_office, text_value, too_long

TEAMS = Team.__table__
TEXT_LIMITS = {"name": column_length(TEAMS, "name"), "category": column_length(TEAMS, "category")}
POSITION_LIMIT = column_length(Position.__table__, "name")
COMPARED = ("kind", "position_id", "leader_name", "leader_phone", "category", "founded_on", "description")


def import_teams(actor, source, *, file_name: str, dry_run: bool = False, skip_invalid: bool = False,
                 today: date | None = None, remap=None, include_hidden: bool = False) -> ImportReport:
    """Validate and (unless rejected rows stop it) write a teams file; see the module doc."""
    today = check_today(today)
    require_office(actor, "队伍")
    table = read_table(source, "teams", file_name=file_name, remap=remap,
                       include_hidden=include_hidden)
    report = ImportReport("teams", file_name, table)
    names = {text_value(r.values["name"]) for r in table.rows} - {None}
    existing = {t.name: t for t in db.session.scalars(select(Team).where(Team.name.in_(list(names))))} \
        if names else {}
    positions = {p.name: p.id for p in db.session.scalars(select(Position))}
    new_positions: dict[str, int] = {}  # name -> first row naming it

    first_row: dict[str, int] = {}
    accepted = []  # (row number, values, team or None)
    for row in table.rows:
        n = row.number
        values, ok = _clean(report, row, today)
        name = values.get("name")
        if name:
            if name in first_row:
                report.error(n, "name", f"队伍名称与第{first_row[name]}行重复")
                ok = False
            else:
                first_row[name] = n
        position = values.get("position")
        if position and position not in positions and ok:
            if position not in new_positions:
                new_positions[position] = n
                report.warning(n, "position", f"所属阵地“{position}”不存在，导入时将新建为站点")
        if not ok:
            continue
        team = existing.get(name)
        changes = _changes(team, values, positions) if team is not None else None
        if team is None:
            report["created"] += 1
            plan.team_created(report, n, values)
        elif changes:
            report["updated"] += 1
            plan.team_updated(report, n, team, changes, values)
        else:
            report["unchanged"] += 1
        accepted.append((n, values, team))
    report.finish_validation()

    if report.should_write(dry_run=dry_run, skip_invalid=skip_invalid):
        with bulk_write():
            _write(actor, report, accepted, positions)
        report["written"] = True
    return report


def _clean(report: ImportReport, row, today: date) -> tuple[dict, bool]:
    """The row's values, normalised; problems go to the report.  Returns (values, ok)."""
    n, raw = row.number, row.values
    values: dict = {}
    ok = True

    def bad(key, message):
        nonlocal ok
        report.error(n, key, message)
        ok = False

    name = text_value(raw["name"])
    if not name:
        bad("name", "队伍名称不能为空")
    elif too_long(name, TEXT_LIMITS["name"]):
        bad("name", f"队伍名称不能超过{TEXT_LIMITS['name']}个字")
    else:
        values["name"] = name
    kind = "".join((text_value(raw["kind"]) or "").split())
    if not kind:
        bad("kind", "队伍类型不能为空，应为：" + "、".join(TEAM_KINDS))
    elif kind not in TEAM_KINDS:
        bad("kind", "队伍类型应为：" + "、".join(TEAM_KINDS))
    else:
        values["kind"] = kind
    position = text_value(raw["position"])
    if too_long(position, POSITION_LIMIT):
        bad("position", f"所属阵地不能超过{POSITION_LIMIT}个字")
    elif position:
        values["position"] = position
    for key, func, label in (("leader_name", normalize_name, "队长姓名"), ("leader_phone", normalize_phone, "队长手机")):
        if text_value(raw[key]) is not None:
            try:
                values[key] = func(raw[key], field=label)
            except FieldError as exc:
                bad(key, exc.message)
    category = text_value(raw["category"])
    if too_long(category, TEXT_LIMITS["category"]):
        bad("category", f"服务类别不能超过{TEXT_LIMITS['category']}个字")
    elif category:
        values["category"] = category
    if text_value(raw["founded_on"]) is not None:
        try:
            founded = parse_date(raw["founded_on"], field="成立日期")
        except FieldError as exc:
            bad("founded_on", exc.message)
        else:
            if founded > today:
                bad("founded_on", "成立日期晚于今天")
            else:
                values["founded_on"] = founded
    description = text_value(raw["description"])
    if description:
        values["description"] = description
    return values, ok


def _changes(team: Team, values: dict, positions: dict[str, int]) -> dict:
    """Field -> new value for the file's non-empty values that differ from the team's."""
    wanted = dict(values)
    if "position" in wanted:
        wanted["position_id"] = positions.get(wanted.pop("position"), -1)  # -1: a position to create
    return {k: v for k, v in wanted.items() if k in COMPARED and getattr(team, k) != v}


def _write(actor, report: ImportReport, accepted, positions: dict[str, int]) -> None:
    created_positions = []
    for _, values, _ in accepted:
        name = values.get("position")
        if name and name not in positions:
            position = Position(name=name, kind="station")
            db.session.add(position)
            db.session.flush()
            positions[name] = position.id
            created_positions.append(position.id)
    created, updated = [], {}
    for _, values, team in accepted:
        if "position" in values:
            values["position_id"] = positions[values.pop("position")]
        if team is None:
            team = Team(**{k: v for k, v in values.items() if k in TEAM_FIELDS})
            db.session.add(team)
            created.append(team)
            continue
        before = {k: getattr(team, k) for k in values if k in COMPARED and getattr(team, k) != values[k]}
        if before:
            for key in before:
                setattr(team, key, values[key])
            updated[str(team.id)] = plain({"before": before, "after": {k: values[k] for k in before}})
    db.session.flush()
    if created or updated or created_positions:
        report.audit = record(
            actor, "import.teams", "import", None,
            f"导入队伍（{report['file']}）：新增 {len(created)} 支，更新 {len(updated)} 支",
            file=report["file"], created=[t.id for t in created], updated=updated,
            positions_created=created_positions)
