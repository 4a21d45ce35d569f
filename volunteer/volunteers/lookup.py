"""THE one way to find a person from typed text (CONTRACT.md section 3, "Privacy and abuse").

A person outside the asker's teams is found only by NAME together with MOBILE or FULL ID
NUMBER, both matching one active volunteer: a bare mobile, a bare ID number or the last four
characters of one never find anybody, so trying the ~2,000 birth dates behind a masked ID
gives nothing without a name, and each try costs budget.

Every answer that says whether someone is registered is audited (`volunteer.lookup`: who
asked, what kind of key, hit or miss, never the typed key in clear) and, unless it is a hit on
a member of the asker's own teams, spends one unit of the asker's look-up budget
(volunteer/throttle.py; the office and the CLI are exempt). When the budget is spent,
`Throttled` is raised and nothing is answered.

Callers are POST routes (spending writes): they pass the actor and the asker's team ids
(None for "every team", the office), and commit the spend and the audit entry even when the
answer is a miss, so a miss cannot be retried for free by making the request fail.

Below the budgeted look-up sits the pure matcher every other place uses (the login field,
the claim, the office's volunteer and certificate searches, linking a login to a volunteer,
the hours import, 代签): `read_typed` says what a typed box may mean, `key_conditions` /
`search_conditions` turn it into index-friendly conditions, `pick_one` applies the one
"exactly one person, the name agreeing" rule to the candidates found.
"""
import unicodedata
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from ..teams.models import TeamMembership
from ..throttle import spend
from .. import fields
from . import validators
from .models import Volunteer

# More people than this on one mobile is not a household: such a key finds nobody it does not list.
MAX_SHARING = 200

KEY_KINDS = {"mobile": "手机号码", "id_number": "证件号码"}


@dataclass
class Key:
    """A typed key, normalised: its kind ("mobile" / "id_number") and canonical value."""

    kind: str
    value: str

    @property
    def masked(self) -> str:
        """What the audit log keeps of the key: its last 4 characters only."""
        return "*" * max(len(self.value) - 4, 0) + self.value[-4:]


def parse_key(text: str | None, field: str = "key") -> Key:
    """A mobile number or a full ID number (any listed type), normalised by the shared rules.

    A masked number or the last 4 characters are refused before any look-up: they are not keys.
    """
    text = fields.clean_text(text) or ""
    if not text:
        raise ServiceError("请填写手机号码或完整的证件号码。", field)
    try:
        return Key("mobile", fields.normalize_phone(text))
    except fields.FieldError:
        pass
    try:
        return Key("id_number", validators.normalize_id_number(text))
    except fields.FieldError as exc:
        compact = "".join(text.split())
        if len(compact) == 18 and compact[:17].isdigit():  # a resident ID with a typo
            raise ServiceError(f"证件号码有误：{exc.message}。", field) from None
    try:  # passports and other documents: 5-30 letters and digits
        return Key("id_number", validators.normalize_id_number(text, "护照"))
    except fields.FieldError:
        raise ServiceError("请填写11位手机号码或完整的证件号码（不能只填后4位）。", field) from None


@dataclass(frozen=True)
class Typed:
    """What one typed box may mean, each in the registry's canonical form (None where it
    cannot): `text` is the box NFKC-normalised without spaces (full-width digits typed on a
    phone become ASCII)."""

    text: str
    phone: str | None
    id_number: str | None
    last4: str | None


def read_typed(text: str | None) -> Typed:
    """Read a search or login box: a mobile; else an ID number (a resident ID by its check
    digit; any other 5-30 letters and digits as a passport or permit number); 4 letters or
    digits as the end of an ID number."""
    compact = "".join(unicodedata.normalize("NFKC", text or "").split())
    try:
        phone = fields.normalize_phone(compact)
    except fields.FieldError:
        phone = None
    id_number = None
    if phone is None and len(compact) == 18:
        try:
            id_number = validators.normalize_id_number(compact)
        except fields.FieldError:
            id_number = None
    if phone is None and id_number is None and 5 <= len(compact) <= 30 and compact.isascii() and compact.isalnum():
        id_number = compact.upper()
    last4 = compact.upper() if len(compact) == 4 and compact.isascii() and compact.isalnum() else None
    return Typed(compact, phone, id_number, last4)


def key_conditions(phone: str | None = None, id_number: str | None = None) -> list:
    """Conditions finding volunteers by a whole mobile or ID number, each served by its index
    (id_type first: every listed type, so the (id_type, id_number) unique index is used)."""
    conds = []
    if phone:
        conds.append(Volunteer.phone == phone)
    if id_number:
        conds.append(Volunteer.id_type.in_(validators.ID_TYPES) & (Volunteer.id_number == id_number))
    return conds


def last4_conditions(last4: str) -> list:
    """Volunteers whose ID number or mobile ends with these 4 characters (代签 at a venue, among
    a short list of sign-ups and members only: the mobile's end has no index)."""
    last4 = last4.upper()
    return [Volunteer.id_last4 == last4,
            func.substr(Volunteer.phone, func.length(Volunteer.phone) - 3, 4) == last4]


def starts_with(column, prefix: str):
    """`column LIKE 'prefix%'`. PostgreSQL reads that from a varchar_pattern_ops index; SQLite's
    LIKE folds ASCII case and so never uses an index: there the same rows are also bounded by
    the range [prefix, prefix with its last character + 1), which the plain B-tree serves (in
    SQLite's binary order that range holds exactly the strings starting with the prefix). Only
    for prefixes without ASCII letters, so the case-folding match is kept for the others."""
    cond = column.startswith(prefix, autoescape=True)
    last = ord(prefix[-1]) + 1
    if (db.session.get_bind().dialect.name == "sqlite" and not (0xD800 <= last <= 0xDFFF) and last <= 0x10FFFF
            and not any(c.isascii() and c.isalpha() for c in prefix)):
        cond = and_(column >= prefix, column < prefix[:-1] + chr(last), cond)
    return cond


def search_conditions(typed: Typed, *, national_no: bool = True) -> list:
    """The office's and leaders' search box (OR-ed): a name's beginning, a mobile's beginning
    (7 digits or more), the last 4 of an ID number, a whole ID number, a 全国志愿者编号."""
    q = typed.text
    conds = [starts_with(Volunteer.name, q)] + key_conditions(typed.phone, typed.id_number)
    if q.isascii() and q.isdigit() and len(q) >= 7:
        conds.append(starts_with(Volunteer.phone, q))
    if typed.last4:
        conds.append(Volunteer.id_last4 == typed.last4)
    if national_no:
        conds.append(Volunteer.national_no == q)
    return conds


def pick_one(found: list, name: str | None = None):
    """The one candidate meant: those whose name agrees when a name is given; two or more left
    cannot be told apart, so none is chosen (the caller says why). Candidates are volunteers or
    rows with `.name`."""
    if name:
        found = [v for v in found if v.name == name]
    return found[0] if len(found) == 1 else None


def find_one(text: str | None, name: str | None = None, *, phone_needs_name: bool = False,
             allow_last4: bool = True) -> Volunteer:
    """The office's look-up (no budget: the office sees every volunteer): one registered
    volunteer by mobile (with the name when `phone_needs_name`), full ID number, or the last 4
    of the ID number with the name. Raises ServiceError on field "lookup" or "name"."""
    typed = read_typed(text)
    name = "".join(unicodedata.normalize("NFKC", name or "").split()) or None
    if not typed.text:
        raise ServiceError("请输入手机号码或证件号码。", "lookup")
    if typed.phone:
        if phone_needs_name and not name:
            raise ServiceError("按手机号查找时请同时填写姓名。", "name")
        conds = key_conditions(phone=typed.phone)
    elif typed.last4 and allow_last4:
        if not name:
            raise ServiceError("按证件号后4位查找时请同时填写姓名。", "name")
        conds = [Volunteer.id_last4 == typed.last4]
    elif typed.id_number:
        conds = key_conditions(id_number=typed.id_number)
    else:
        hint = "（或证件号后4位加姓名）" if allow_last4 else ""
        raise ServiceError(f"请输入完整的手机号码或证件号码{hint}。", "lookup")
    stmt = select(Volunteer).where(*conds)
    if name:
        stmt = stmt.where(Volunteer.name == name)
    found = list(db.session.scalars(stmt.order_by(Volunteer.id).limit(2)))
    if not found:
        raise ServiceError("未找到该志愿者，请先登记。", "lookup")
    if len(found) > 1:
        raise ServiceError("找到多名符合条件的志愿者，请填写姓名或改用完整证件号码。", "lookup")
    return found[0]


def parse_name(text: str | None, field: str = "name") -> str:
    try:
        return fields.normalize_name(text)
    except fields.FieldError as exc:
        raise ServiceError("请填写姓名（须与手机号码或证件号码同时填写）。" if not (text or "").strip()
                           else exc.message, field) from None


def _in_teams(volunteer_id: int, team_ids) -> bool:
    if not team_ids:
        return False
    return db.session.scalar(select(TeamMembership.team_id).where(
        TeamMembership.volunteer_id == volunteer_id, TeamMembership.team_id.in_(list(team_ids))).limit(1)) is not None


def _answer(actor, team_ids, volunteer: Volunteer | None, *, purpose: str, key_kind: str, masked: str,
            field: str | None, name: str | None = None) -> None:
    """Spend (unless a hit on the asker's own members) and audit one answer."""
    inside = volunteer is not None and (team_ids is None or _in_teams(volunteer.id, team_ids))
    if not inside:
        spend(actor, 1, field=field)  # raises Throttled before anything is answered
    record(actor, "volunteer.lookup", "volunteer", volunteer.id if volunteer else None,
           f"查找志愿者（{KEY_KINDS[key_kind]}{'，' + name if name else ''}）：{'找到' if volunteer else '未找到'}",
           purpose=purpose, key_kind=key_kind, key=masked, hit=volunteer is not None,
           outside_teams=volunteer is not None and not inside)


def find_person(actor, name: str | None, key: str | None, *, team_ids, purpose: str,
                name_field: str = "name", key_field: str = "key") -> Volunteer | None:
    """The one active volunteer with this name and this mobile or full ID number, or None.

    `team_ids`: the asker's teams (None: every team, for the office). Raises ServiceError for
    input that is not a key (nothing spent: it says nothing about anybody) and Throttled when
    the budget is spent (nothing answered). The caller commits even on None.
    """
    name = parse_name(name, name_field)
    parsed = parse_key(key, key_field)
    by_key = key_conditions(**{"phone" if parsed.kind == "mobile" else "id_number": parsed.value})
    # The key first, alone: given name and status too, a planner without statistics (SQLite)
    # walked ix_volunteers_status_id, i.e. every active volunteer (tests/performance).
    ids = list(db.session.scalars(select(Volunteer.id).where(*by_key).limit(MAX_SHARING)))
    found = list(db.session.scalars(select(Volunteer).where(
        Volunteer.id.in_(ids or [-1]), Volunteer.name == name, Volunteer.status == "active").limit(2)))
    # Two active people with one name and one mobile cannot be told apart: neither is found
    # (the full ID number tells them apart).
    volunteer = pick_one(found)
    _answer(actor, team_ids, volunteer, purpose=purpose, key_kind=parsed.kind, masked=parsed.masked,
            field=key_field, name=name)
    return volunteer


def registered_identity(actor, id_type: str, id_number: str, *, team_ids, purpose: str = "register",
                        field: str = "id_number") -> Volunteer | None:
    """Whether an identity is registered already (the new-person form), paid for and audited
    like a look-up. Returns the volunteer for the caller's decision; the caller must not show
    the person's details to anyone outside the office unless they are in the asker's teams."""
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.id_type == id_type,
                                                          Volunteer.id_number == id_number))
    masked = "*" * max(len(id_number) - 4, 0) + id_number[-4:]
    _answer(actor, team_ids, volunteer, purpose=purpose, key_kind="id_number", masked=masked, field=field)
    return volunteer
