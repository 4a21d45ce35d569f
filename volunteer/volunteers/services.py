"""Registering, editing and finding volunteers. Field rules live in validators.py only."""
from sqlalchemy import exists, or_, select

from ..audit.services import diff, record, snapshot
from ..errors import ServiceError, StaleError, ValidationFailed
from ..extensions import db
from ..teams.models import Team, TeamMembership
from . import lookup, validators
from .models import Volunteer

FIELDS = ("name", "gender", "id_type", "id_number", "phone", "birth_date", "political_status", "education",
          "employer", "community", "skills", "guardian_name", "guardian_phone", "registered_on", "note",
          "national_no")
AUDITED = FIELDS + ("status",)
ID_KEYS = ("id_type", "id_number")
ID_COLUMNS = ("证件类型", "证件号码", "性别", "出生日期")  # what a new ID number may find wrong
AGE_GROUPS = {"u18": (0, 17), "18-35": (18, 35), "36-59": (36, 59), "60+": (60, 200)}


def resolve_teams(names: list[str]) -> tuple[list[Team], list[str]]:
    """Teams by name, and the names that exist nowhere."""
    if not names:
        return [], []
    found = {t.name: t for t in db.session.scalars(select(Team).where(Team.name.in_(names)))}
    return [found[n] for n in names if n in found], [n for n in names if n not in found]


def clean_volunteer(fields: dict, *, today) -> tuple[dict, list[Team], list]:
    """Validate a whole record; raise ValidationFailed with every problem found."""
    cleaned, errors, warnings = validators.validate_volunteer(fields, today=today)
    teams, unknown = resolve_teams(cleaned.get("teams") or [])
    if unknown:
        errors.append(("所属队伍", "队伍不存在：" + "、".join(unknown)))
    if errors:
        raise ValidationFailed(errors)
    return cleaned, teams, warnings


def find_by_identity(id_type: str, id_number: str) -> Volunteer | None:
    return db.session.scalar(select(Volunteer).where(Volunteer.id_type == id_type, Volunteer.id_number == id_number))


def add_membership(volunteer: Volunteer, team: Team, joined_on=None) -> bool:
    """Add a membership if missing; True when added (memberships are only ever added here)."""
    if team.id in volunteer.team_ids:
        return False
    membership = TeamMembership(team_id=team.id, volunteer_id=volunteer.id, joined_on=joined_on)
    db.session.add(membership)
    volunteer.memberships.append(membership)
    return True


def remove_membership(volunteer: Volunteer, team_id: int) -> bool:
    """Remove a membership (leaving a team); True when there was one. Records keep their team."""
    membership = next((m for m in volunteer.memberships if m.team_id == team_id), None)
    if membership is None:
        return False
    volunteer.memberships.remove(membership)
    db.session.delete(membership)
    return True


def register_volunteer(actor, fields: dict, *, today) -> Volunteer:
    """Create a volunteer from raw form values; the same identity twice is refused."""
    cleaned, teams, _ = clean_volunteer(fields, today=today)
    if find_by_identity(cleaned["id_type"], cleaned["id_number"]):
        raise ValidationFailed([("证件号码", "该证件号码已登记，请搜索后编辑原有记录。")])
    volunteer = Volunteer(**{k: cleaned.get(k) for k in FIELDS}, id_last4=cleaned["id_number"][-4:])
    db.session.add(volunteer)
    db.session.flush()
    for team in teams:
        add_membership(volunteer, team, today)
    record(actor, "volunteer.create", "volunteer", volunteer.id, f"登记志愿者 {volunteer.name}",
           after=snapshot(volunteer, FIELDS) | {"teams": [t.name for t in teams]})
    return volunteer


def update_volunteer(actor, volunteer: Volunteer, fields: dict, *, today, version: int | None = None) -> None:
    """Edit a volunteer; a stale form (someone saved in between) is refused. A new ID number
    is written to the audit log as its own action (volunteer.change_id), apart from the rest."""
    if version is not None and int(version) != volunteer.version:
        raise StaleError()
    cleaned, teams, _ = clean_volunteer(fields, today=today)
    other = find_by_identity(cleaned["id_type"], cleaned["id_number"])
    if other is not None and other.id != volunteer.id:
        raise ValidationFailed([("证件号码", "该证件号码已属于另一名志愿者。")])
    before = snapshot(volunteer, AUDITED)
    for key in FIELDS:
        setattr(volunteer, key, cleaned.get(key))
    volunteer.id_last4 = volunteer.id_number[-4:]
    added = [t.name for t in teams if add_membership(volunteer, t, today)]
    b, a = diff(before, snapshot(volunteer, AUDITED))
    if any(key in b for key in ID_KEYS):
        _record_id_change(actor, volunteer, {k: b.pop(k) for k in ID_KEYS if k in b},
                          {k: a.pop(k) for k in ID_KEYS if k in a})
    if b or added:
        record(actor, "volunteer.update", "volunteer", volunteer.id, f"修改志愿者 {volunteer.name}",
               before=b, after=a | ({"teams_added": added} if added else {}))


def _record_id_change(actor, volunteer: Volunteer, before: dict, after: dict) -> None:
    record(actor, "volunteer.change_id", "volunteer", volunteer.id, f"修改 {volunteer.name} 的证件号码",
           before=before, after=after)


def change_id_number(actor, volunteer: Volunteer, id_type: str, id_number: str, *, today) -> None:
    """The office's own action for a new ID number (type and number), audited as
    volunteer.change_id. A resident ID brings its gender and birth date along; other types
    keep the stored ones. Problems in other fields of an old record do not stand in the way."""
    if actor is not None and getattr(actor, "role", None) != "office":
        raise ServiceError("只有分中心办公室可以修改证件号码。")
    values = {key: getattr(volunteer, key) for key in FIELDS} | {"id_type": id_type, "id_number": id_number}
    if id_type in validators.ID18_TYPES:
        values |= {"gender": "", "birth_date": ""}  # taken from the new number
    cleaned, errors, _ = validators.validate_volunteer(values, today=today)
    errors = [(column, message) for column, message in errors if column in ID_COLUMNS]
    if errors:
        raise ValidationFailed(errors)
    if (cleaned["id_type"], cleaned["id_number"]) == (volunteer.id_type, volunteer.id_number):
        raise ValidationFailed([("证件号码", "新证件号码与原号码相同，未作更改。")])
    other = find_by_identity(cleaned["id_type"], cleaned["id_number"])
    if other is not None:
        raise ValidationFailed([("证件号码", "该证件号码已属于另一名志愿者。")])
    keys = ID_KEYS + ("gender", "birth_date")
    before = snapshot(volunteer, keys)
    for key in keys:
        setattr(volunteer, key, cleaned[key])
    volunteer.id_last4 = volunteer.id_number[-4:]
    b, a = diff(before, snapshot(volunteer, keys))
    _record_id_change(actor, volunteer, b, a)


def set_status(actor, volunteer: Volunteer, status: str) -> None:
    if status not in ("active", "cancelled"):
        raise ServiceError("状态无效。")
    before = volunteer.status
    volunteer.status = status
    record(actor, "volunteer.status", "volunteer", volunteer.id, f"{volunteer.name} 状态改为 {volunteer.status_label}",
           before={"status": before}, after={"status": status})


def search_volunteers(*, q=None, team_id=None, status=None, political_status=None, age_group=None,
                      team_ids=None, today=None):
    """A SELECT of volunteers matching the list filters (ordered by id for stable pages).

    `q` matches a name prefix, a phone number or the last 4 characters of the ID number;
    `team_ids` restricts a leader to their teams' members.
    """
    stmt = select(Volunteer)
    if q and q.strip():
        stmt = stmt.where(or_(*lookup.search_conditions(lookup.read_typed(q))))
    if team_ids is not None:
        stmt = stmt.where(exists().where(TeamMembership.volunteer_id == Volunteer.id,
                                         TeamMembership.team_id.in_(team_ids or [-1])))
    if team_id:
        stmt = stmt.where(exists().where(TeamMembership.volunteer_id == Volunteer.id,
                                         TeamMembership.team_id == team_id))
    if status:
        stmt = stmt.where(Volunteer.status == status)
    if political_status:
        stmt = stmt.where(Volunteer.political_status == political_status)
    if age_group in AGE_GROUPS and today is not None:
        low, high = AGE_GROUPS[age_group]
        # Born after (today - high - 1 years) and on or before (today - low years).
        youngest = today.replace(year=today.year - low) if not (today.month == 2 and today.day == 29) \
            else today.replace(year=today.year - low, day=28)
        oldest = today.replace(year=today.year - high - 1, day=min(today.day, 28))
        stmt = stmt.where(Volunteer.birth_date <= youngest, Volunteer.birth_date > oldest)
    return stmt.order_by(Volunteer.id)


# --- list, detail and privacy helpers for the web pages -----------------------------------------

class KeysetPage:
    """One page of a keyset (id-ordered) list: `items`, and the ids that the pager links carry.

    `prev_before` / `next_after` are None when there is no previous / next page.
    """

    def __init__(self, items, has_prev: bool, has_next: bool):
        self.items = items
        self.has_prev = has_prev
        self.has_next = has_next
        self.prev_before = items[0].id if items and has_prev else None
        self.next_after = items[-1].id if items and has_next else None


def keyset_page(stmt, *, per_page: int, after: int | None = None, before: int | None = None,
                last: bool = False) -> KeysetPage:
    """Page a SELECT of volunteers by id without OFFSET, so deep pages cost what the first does.

    `after`: the rows following that id; `before`: the rows preceding it; `last`: the final rows.
    One query of per_page + 1 rows tells whether a further page exists.
    """
    base = stmt.order_by(None)
    if after is not None:
        rows = db.session.scalars(base.where(Volunteer.id > after).order_by(Volunteer.id).limit(per_page + 1)).all()
        return KeysetPage(rows[:per_page], True, len(rows) > per_page)
    if before is not None or last:
        if before is not None:
            base = base.where(Volunteer.id < before)
        rows = db.session.scalars(base.order_by(Volunteer.id.desc()).limit(per_page + 1)).all()
        return KeysetPage(list(reversed(rows[:per_page])), len(rows) > per_page, before is not None)
    rows = db.session.scalars(base.order_by(Volunteer.id).limit(per_page + 1)).all()
    return KeysetPage(rows[:per_page], False, len(rows) > per_page)


def team_names_by_volunteer(volunteer_ids: list[int]) -> dict[int, list[str]]:
    """{volunteer_id: [team name, ...]} for a page of volunteers, in one query."""
    if not volunteer_ids:
        return {}
    rows = db.session.execute(
        select(TeamMembership.volunteer_id, Team.name).join(Team, Team.id == TeamMembership.team_id)
        .where(TeamMembership.volunteer_id.in_(volunteer_ids)).order_by(TeamMembership.volunteer_id, Team.name))
    names: dict[int, list[str]] = {}
    for volunteer_id, name in rows:
        names.setdefault(volunteer_id, []).append(name)
    return names


def hour_history(volunteer_id: int, *, team_ids=None):
    """A SELECT of a volunteer's service records, newest first, with activity, team and
    category joined in the same query; `team_ids` limits it to those teams' activities."""
    from sqlalchemy.orm import joinedload

    from ..hours.models import ServiceRecord

    stmt = (select(ServiceRecord)
            .options(joinedload(ServiceRecord.activity), joinedload(ServiceRecord.team),
                     joinedload(ServiceRecord.category))
            .where(ServiceRecord.volunteer_id == volunteer_id))
    if team_ids is not None:
        stmt = stmt.where(ServiceRecord.team_id.in_(team_ids or [-1]))
    return stmt.order_by(ServiceRecord.service_date.desc(), ServiceRecord.id.desc())


def volunteer_warnings(fields: dict, *, today) -> list[tuple[str, str]]:
    """The notices (such as under 18) that do not stop a save, from the shared rules."""
    return validators.validate_volunteer(fields, today=today)[2]


def reveal_id_number(actor, volunteer: Volunteer) -> str:
    """The full ID number, for the office only; every view is audited."""
    if actor is not None and getattr(actor, "role", None) != "office":
        raise ServiceError("只有分中心办公室可以查看完整证件号码。")
    record(actor, "volunteer.view_id", "volunteer", volunteer.id, f"查看 {volunteer.name} 的完整证件号码",
           id_type=volunteer.id_type)
    return volunteer.id_number
