"""Importing the volunteer roster (CONTRACT section 4, 志愿者花名册).

Every row goes through ``validators.validate_volunteer`` (the one place of the field rules).
Existing volunteers (same 证件类型 + 证件号码), the teams named and current memberships are
loaded in bulk; new volunteers and memberships are written with Core inserts, so a
20,000-row roster takes seconds, not minutes.
"""

from __future__ import annotations

import difflib
import functools
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, func, select, update

from ...audit.services import record
from ...extensions import db
from ...clock import utcnow
from ...teams.models import Team, TeamMembership
from ...volunteers.models import Volunteer
from ...volunteers.services import FIELDS
from ...volunteers.validators import COLUMN_NAMES, TEXT_LIMITS, validate_volunteer
from ..reader import read_table
from ..vetting import FatalImportError
from ...bulk import bulk_write, insert_tuples, paused_gc
from . import plan
from .common import (BIG_CHUNK, ImportReport, check_today, chunks, column_length, column_positions, expire_loaded,
                     is_blank, plain, require_office, too_long)

KEY_OF_COLUMN = {column: key for key, column in COLUMN_NAMES.items()}
# Fields an existing volunteer takes from the file when the file's cell is not empty.
UPDATABLE = tuple(k for k in FIELDS if k not in ("id_type", "id_number"))
VOLUNTEERS = Volunteer.__table__
LENGTHS = {k: column_length(VOLUNTEERS, k) for k in ("education", "employer", "community", "skills")}
# The columns a cleaned value could still overflow: validate_volunteer already empties a text longer
# than its TEXT_LIMITS, so only a database column narrower than that needs a check of its own.
NARROWER = {k: n for k, n in LENGTHS.items() if n is not None and n < TEXT_LIMITS.get(k, n + 1)}
INSERTED = (*FIELDS, "id_last4", "status", "created_at", "updated_at", "version")
MEMBERSHIP_COLUMNS = ("team_id", "volunteer_id", "joined_on")
_fields_of = itemgetter(*FIELDS)
_identity_of = itemgetter("id_type", "id_number")


def import_volunteers(actor, source, *, file_name: str, dry_run: bool = False, skip_invalid: bool = False,
                      today: date | None = None, remap=None, include_hidden: bool = False) -> ImportReport:
    """Validate and (unless rejected rows stop it) write a roster file; see the module doc."""
    today = check_today(today)
    require_office(actor, "志愿者")
    with paused_gc():
        return _import(actor, source, file_name=file_name, dry_run=dry_run, skip_invalid=skip_invalid, today=today,
                       remap=remap, include_hidden=include_hidden)


def _import(actor, source, *, file_name: str, dry_run: bool, skip_invalid: bool, today: date,
            remap=None, include_hidden: bool = False) -> ImportReport:
    table = read_table(source, "volunteers", file_name=file_name, remap=remap,
                       include_hidden=include_hidden)
    report = ImportReport("volunteers", file_name, table)
    all_team_names = functools.cache(_all_names)  # read once, only when a team is unknown

    # Phase 1: the field rules, row by row (a column the file lacks is simply not in ``fields``,
    # which validate_volunteer reads as empty).
    checked = []  # (row number, cells, cleaned, errors, warnings)
    index = column_positions(table)
    refuse_masked(table, index.get("id_number"))
    positions = [(key, index.get(key)) for key in COLUMN_NAMES]
    present = [(key, i) for key, i in positions if i is not None]
    keys = tuple(key for key, _ in present)
    pick = itemgetter(*(i for _, i in present)) if len(present) > 1 else (lambda cells: (cells[present[0][1]],))
    identities, team_names = set(), set()
    for row in table.rows:
        cells = row.cells
        cleaned, errors, warnings = validate_volunteer(dict(zip(keys, pick(cells))), today=today)
        if NARROWER:
            errors += _length_errors(cleaned, NARROWER)
        checked.append((row.number, cells, cleaned, errors, warnings))
        identity = _identity_of(cleaned)
        if identity[0] and identity[1]:
            identities.add(identity)
        team_names.update(cleaned["teams"])

    # Phase 2: bulk look-ups.
    existing = _load_existing(identities)
    teams = {name: tid for tid, name in db.session.execute(select(Team.id, Team.name).where(
        Team.name.in_(list(team_names))))} if team_names else {}
    memberships = _load_memberships([v["id"] for v in existing.values()])

    # Phase 3: file-level and database rules; decide what each row does.
    first_row: dict[tuple, int] = {}
    creates, updates, new_links = [], [], []
    for number, cells, cleaned, errors, warnings in checked:
        identity = (cleaned["id_type"], cleaned["id_number"])
        current = existing.get(identity) if cleaned["id_number"] else None
        blank = frozenset()
        if current is not None:
            fields = {key: (None if i is None else cells[i]) for key, i in positions}
            blank = frozenset(k for k, v in fields.items() if is_blank(v))
            if errors:
                # Judge the record as it would be after the update: the database fills the blanks
                # (a child's guardian already on file need not be repeated in every roster).
                merged = {k: (current[k] if k in blank and k in current else v) for k, v in fields.items()}
                cleaned_m, errors, warnings = validate_volunteer(merged, today=today)
                cleaned_m["teams"] = cleaned["teams"]
                cleaned = cleaned_m
                errors += _length_errors(cleaned, LENGTHS)
        team_ids = list(map(teams.get, cleaned["teams"]))
        if None in team_ids:
            errors.append(("所属队伍", unknown_teams([n for n in cleaned["teams"] if n not in teams], all_team_names)))
        if cleaned["id_number"] and cleaned["id_type"]:
            first = first_row.setdefault(identity, number)
            if first != number:
                errors.append(("证件号码", f"证件号码与第{first}行重复"))
        if errors or warnings:
            for column, message in errors:
                report.error(number, KEY_OF_COLUMN.get(column, "name"), message)
            for column, message in warnings:
                report.warning(number, KEY_OF_COLUMN.get(column, "name"), message)
            if errors:
                continue
        if current is None:
            creates.append((cleaned, team_ids))
            plan.volunteer_created(report, actor, number, cleaned)
            continue
        if not current["verified"] and cleaned["name"] != current["name"]:
            # A self-registered (未核实) person is confirmed by the office's roster only when the
            # names agree: someone may have registered another's ID number (CONTRACT section 9).
            report.error(number, "name", SELF_REGISTERED_CONFLICT.format(name=current["name"]))
            continue
        changes = {k: cleaned[k] for k in UPDATABLE
                   if k not in blank and cleaned[k] is not None and cleaned[k] != current[k]}
        have = memberships.get(current["id"], set())
        add = [t for t in team_ids if t not in have]
        if add and current["status"] != "active":
            report.warning(number, "teams", "该志愿者已注销，未加入队伍")
            add = []
        if changes or add or not current["verified"]:  # confirming a self-registered person is a change
            report["updated"] += 1
            updates.append((current, changes))
            new_links.extend((current["id"], t) for t in add)
            plan.volunteer_updated(report, actor, number, current, changes,
                                   [n for n in cleaned["teams"] if teams.get(n) in add])
        else:
            report["unchanged"] += 1
    report["created"] = len(creates)
    report.finish_validation()

    if report.should_write(dry_run=dry_run, skip_invalid=skip_invalid):
        with bulk_write():
            _write(actor, report, creates, updates, new_links, today)
        report["written"] = True
    return report


def _length_errors(cleaned: dict, lengths: dict[str, int | None]) -> list[tuple[str, str]]:
    return [(COLUMN_NAMES[k], f"{COLUMN_NAMES[k]}不能超过{n}个字") for k, n in lengths.items() if too_long(cleaned[k], n)]


def _load_existing(identities: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Registered volunteers by (id_type, id_number), for the numbers in the file."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    if not identities:
        return found
    names = ("id", "status", "verified", *FIELDS)
    stmt = select(*(VOLUNTEERS.c[name] for name in names))
    conn = db.session.connection()
    # A table with fewer volunteers than the file has numbers is read whole (one scan instead of
    # the IN lists; a first roster into a new system then costs nothing here).
    few = conn.execute(select(func.count()).select_from(
        select(VOLUNTEERS.c.id).limit(len(identities) + 1).subquery())).scalar() <= len(identities)
    if few:
        queries = [stmt]
    else:
        numbers = sorted({n for _, n in identities})
        queries = (stmt.where(VOLUNTEERS.c.id_number.in_(part)) for part in chunks(numbers, BIG_CHUNK))
    for query in queries:
        for row in conn.execute(query):
            values = dict(zip(names, row))
            key = (values["id_type"], values["id_number"])
            if key in identities:
                found[key] = values
    return found


def _load_memberships(volunteer_ids: list[int]) -> dict[int, set[int]]:
    links: dict[int, set[int]] = {}
    table = TeamMembership.__table__
    conn = db.session.connection()
    for part in chunks(volunteer_ids, BIG_CHUNK):
        for vid, tid in conn.execute(select(table.c.volunteer_id, table.c.team_id)
                                     .where(table.c.volunteer_id.in_(part))):
            links.setdefault(vid, set()).add(tid)
    return links


def _write(actor, report: ImportReport, creates, updates, new_links, today: date) -> None:
    """Insert, update and link in the caller's transaction; one audit entry for the lot."""
    now = utcnow()
    rows = [(*_fields_of(c), c["id_number"][-4:], "active", now, now, 1) for c, _ in creates]
    by_identity = insert_tuples(VOLUNTEERS, INSERTED, rows, "id_type", "id_number")
    new_ids = list(by_identity.values())  # in the order of ``creates``
    links = [(t, vid, today) for vid, (_, team_ids) in zip(new_ids, creates) for t in team_ids]
    links += [(t, vid, today) for vid, t in new_links]
    insert_tuples(TeamMembership.__table__, MEMBERSHIP_COLUMNS, links)

    changed = []
    audit_updates = {}
    for current, changes in updates:
        if changes:
            merged = {k: changes.get(k, current[k]) for k in UPDATABLE}
            changed.append({"_id": current["id"], **merged, "updated_at": now})
        audit_updates[str(current["id"])] = plain({"before": {k: current[k] for k in changes}, "after": changes})
        if not current["verified"]:
            audit_updates[str(current["id"])]["verified"] = True
    if changed:
        stmt = (update(VOLUNTEERS).where(VOLUNTEERS.c.id == bindparam("_id"))
                .values(**{k: bindparam(k) for k in (*UPDATABLE, "updated_at")},
                        version=VOLUNTEERS.c.version + 1))
        db.session.connection().execute(stmt, changed)
    confirmed = [current["id"] for current, _ in updates if not current["verified"]]
    for part in chunks(confirmed, BIG_CHUNK):  # 未核实 -> 已核实: the office's roster has the person
        db.session.connection().execute(update(VOLUNTEERS).where(VOLUNTEERS.c.id.in_(part)).values(verified=True))
    expire_loaded(Volunteer, {row["_id"] for row in changed} | {vid for vid, _ in new_links} | set(confirmed))

    if new_ids or updates:
        added: dict[int, list[int]] = {}
        for vid, tid in new_links:
            added.setdefault(vid, []).append(tid)
        report.audit = record(
            actor, "import.volunteers", "import", None,
            f"导入志愿者（{report['file']}）：新增 {len(new_ids)} 人，更新 {len(updates)} 人",
            file=report["file"], created=new_ids, updated=audit_updates,
            memberships_added={str(k): v for k, v in added.items()})


SELF_REGISTERED_CONFLICT = ("该证件号码已由“{name}”自助注册（未核实），与本行姓名不一致：请核实本人身份，"
                            "更正姓名后再导入（或在志愿者页面处理）")
MASKED_MESSAGE = ("证件号码是脱敏的（部分数字显示为 *），无法据此登记或更新志愿者。这通常是本系统导出的花名册："
                  "请由分中心办公室在志愿者花名册页面导出“完整证件号”后再导入。")


def refuse_masked(table, column: int | None) -> None:
    """A roster whose ID numbers are masked (this app's own export) is refused as a whole."""
    if column is None:
        return
    for row in table.rows:
        value = row.cells[column] if column < len(row.cells) else None
        if value.__class__ is str and "****" in value:
            raise FatalImportError(MASKED_MESSAGE)


def _all_names() -> list[str]:
    return list(db.session.scalars(select(Team.name)))


def unknown_teams(names: list[str], all_names) -> str:
    """'队伍不存在：X', with the closest existing names as a suggestion (虹桥居委 -> 虹桥居委志愿服务队)."""
    known = all_names() if callable(all_names) else all_names
    parts = []
    for name in names:
        close = [n for n in known if name in n] or difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        parts.append(name + (f"（是否为：{'、'.join(close[:3])}？）" if close else ""))
    return "队伍不存在：" + "、".join(parts)
