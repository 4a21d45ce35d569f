"""Who a row of the hours import names: its volunteer found by ID number, or by mobile number
and name, among the candidates loaded for the whole file in a few IN queries; which candidate
is meant is `volunteers.lookup.pick_one`'s rule, as everywhere else.

A leader's import may name only the members of the teams they lead; a look-up that misses or
finds anyone else is counted (report.lookups) so that a file cannot be used to probe the
roster. The reasons a row names nobody go into the import report, in the row's own words.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...teams.models import TeamMembership
from ...volunteers.lookup import pick_one
from ...volunteers.models import Volunteer
from ...fields import FieldError, clean_text, normalize_name, normalize_phone
from ...volunteers.validators import DEFAULT_ID_TYPE, normalize_id_number
from .common import ImportReport, chunks

OTHER_ID_TYPE = "护照"  # the rule shared by every non-resident document: 5-30 letters and digits
MASKED = "证件号码已隐去部分数字（含*），不能用来查找志愿者"


def load_volunteers(rows: list) -> tuple[dict[str, list], dict[str, list]]:
    """Candidates by ID number (any type) and, for rows without one, by mobile number."""
    by_id: dict[str, list] = {}
    by_phone: dict[str, list] = {}
    cols = (Volunteer.id, Volunteer.name, Volunteer.status, Volunteer.id_number, Volunteer.phone)
    for part in chunks(sorted({r.id_number for r in rows if r.id_number})):
        for row in db.session.execute(select(*cols).where(Volunteer.id_number.in_(part)).order_by(Volunteer.id)):
            by_id.setdefault(row.id_number, []).append(row)
    for part in chunks(sorted({r.phone for r in rows if r.phone and not r.id_number})):
        for row in db.session.execute(select(*cols).where(Volunteer.phone.in_(part)).order_by(Volunteer.id)):
            by_phone.setdefault(row.phone, []).append(row)
    return by_id, by_phone


def members_of(led: set[int], by_id: dict, by_phone: dict) -> set[int]:
    """Of the volunteers the file's rows may name, those in the teams the leader leads."""
    ids = sorted({v.id for found in (*by_id.values(), *by_phone.values()) for v in found})
    inside: set[int] = set()
    for part in chunks(ids):
        inside.update(db.session.scalars(select(TeamMembership.volunteer_id).where(
            TeamMembership.volunteer_id.in_(part), TeamMembership.team_id.in_(sorted(led)))))
    return inside


def find_volunteer(report: ImportReport, r, by_id, by_phone, members: set[int] | None) -> int | None:
    """The volunteer's id, or None (with the reason in the report when the row says who).

    ``members``: for a leader, the volunteers in their teams; a look-up that misses, or finds
    anyone else, adds one to ``report.lookups``.  None for the office and the command line.
    """
    n = r.number

    def answered(found) -> None:
        if members is not None and (not found or any(v.id not in members for v in found)):
            report.lookups += 1

    if r.id_number:
        found = by_id.get(r.id_number, [])
        answered(found)
        if not found:
            report.error(n, "id_number", r.id_error or "未找到该证件号码的志愿者，请先登记志愿者")
            return None
        # One number of several ID types: the row's name tells them apart (volunteers/lookup.py).
        volunteer = pick_one(found, r.name if len(found) > 1 else None)
        if volunteer is None:
            report.error(n, "id_number", "该证件号码对应多名志愿者，请在系统中核对")
            return None
        if r.name and volunteer.name != r.name:
            report.error(n, "name", "姓名与该证件号码登记的姓名不一致")
            return None
    elif r.phone and r.name:
        found = [v for v in by_phone.get(r.phone, []) if v.name == r.name]
        answered(found)
        volunteer = pick_one(found)
        if not found:
            if r.id_masked:
                report.error(n, "id_number", f"{MASKED}，按手机号码和姓名也未找到相符的志愿者；"
                                             "请核对手机号码，或填写完整的证件号码")
            else:
                report.error(n, "phone", "未找到手机号码和姓名都相符的志愿者，请核对或填写证件号码")
            return None
        if len(found) > 1:
            if r.id_masked:
                report.error(n, "id_number", f"{MASKED}，而手机号码和姓名都相同的志愿者有多名；请填写完整的证件号码")
            else:
                report.error(n, "phone", "有多名志愿者的手机号码和姓名都相同，无法区分，请填写证件号码")
            return None
    else:
        if r.id_masked and not r.phone:
            report.error(n, "id_number", f"{MASKED}；请填写手机号码，或填写完整的证件号码")
        return None
    if volunteer.status != "active":
        report.warning(n, "name", "该志愿者已注销")
    return volunteer.id


def id_candidate(value: Any, today: date) -> tuple[str | None, str | None]:
    """(number to look up, the resident-ID rule's complaint or None).

    The file has no 证件类型 column: a number is first read as a 居民身份证; one that breaks that
    rule may still be another document's number (a passport), looked up as such.
    """
    try:
        return normalize_id_number(value, DEFAULT_ID_TYPE, today=today), None
    except FieldError as exc:
        resident_error = exc.message
    try:
        return normalize_id_number(value, OTHER_ID_TYPE, today=today), resident_error
    except FieldError:
        return None, resident_error


MASK_CHARS = ("*", "＊")  # mask_id writes '*'; a hand-typed full-width one means the same


def read_person(report: ImportReport, row, today: date, into):
    """Fill `into` (.name, .id_number, .id_error, .id_masked, .phone) from the row's 姓名,
    证件号码 and 手机号码 by the field rules, as every import that names people reads them;
    problems go to the report. Returns `into`."""
    raw, n = row.values, row.number
    try:
        into.name = normalize_name(raw["name"])
    except FieldError as exc:
        report.error(n, "name", exc.message)
    id_text = clean_text(raw["id_number"])
    into.id_masked = id_text is not None and any(c in id_text for c in MASK_CHARS)
    if id_text is not None and not into.id_masked:
        into.id_number, into.id_error = id_candidate(raw["id_number"], today)
        if into.id_number is None:
            report.error(n, "id_number", into.id_error)
    if clean_text(raw["phone"]) is not None:
        try:
            into.phone = normalize_phone(raw["phone"])
        except FieldError as exc:
            report.error(n, "phone", exc.message)
    if id_text is None and clean_text(raw["phone"]) is None:
        report.error(n, "id_number", "证件号码和手机号码至少填写一项，用于找到志愿者")
    return into
