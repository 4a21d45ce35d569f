"""Registering, editing and finding volunteers. Field rules live in validators.py only."""
from sqlalchemy import exists, or_, select

from ..audit.services import diff, record, snapshot
from ..errors import ServiceError, StaleError, ValidationFailed
from ..extensions import db
from ..teams.models import Team, TeamMembership
from . import validators
from .models import Volunteer

FIELDS = ("name", "gender", "id_type", "id_number", "phone", "birth_date", "political_status", "education",
          "employer", "community", "skills", "guardian_name", "guardian_phone", "registered_on", "note")
AUDITED = FIELDS + ("status",)
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
    """Edit a volunteer; a stale form (someone saved in between) is refused."""
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
    if b or added:
        record(actor, "volunteer.update", "volunteer", volunteer.id, f"修改志愿者 {volunteer.name}",
               before=b, after=a | ({"teams_added": added} if added else {}))


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
    if q:
        q = "".join(q.split())
        conds = [Volunteer.name.startswith(q, autoescape=True)]
        if q.isdigit() and len(q) >= 7:
            conds.append(Volunteer.phone.startswith(q, autoescape=True))
        if len(q) == 4:
            conds.append(Volunteer.id_last4 == q.upper())
        if len(q) >= 15:
            conds.append(Volunteer.id_number == q.upper())
        stmt = stmt.where(or_(*conds))
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
