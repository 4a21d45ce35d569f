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
"""
from dataclasses import dataclass

from sqlalchemy import select

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
    if parsed.kind == "mobile":
        by_key = [Volunteer.phone == parsed.value]
    else:  # every ID type listed, so the (id_type, id_number) index is searched by the number
        by_key = [Volunteer.id_type.in_(validators.ID_TYPES), Volunteer.id_number == parsed.value]
    # The key first, alone: given name and status too, a planner without statistics (SQLite)
    # walked ix_volunteers_status_id, i.e. every active volunteer (tests/performance).
    ids = list(db.session.scalars(select(Volunteer.id).where(*by_key).limit(MAX_SHARING)))
    found = list(db.session.scalars(select(Volunteer).where(
        Volunteer.id.in_(ids or [-1]), Volunteer.name == name, Volunteer.status == "active").limit(2)))
    # Two active people with one name and one mobile cannot be told apart: neither is found
    # (the full ID number tells them apart).
    volunteer = found[0] if len(found) == 1 else None
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
