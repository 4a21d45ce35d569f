"""Who appears on an activity's hours screen, and reading the hours typed for them."""
from dataclasses import dataclass

from sqlalchemy import case, or_, select
from sqlalchemy.orm import lazyload

from ..extensions import db
from ..hours.models import ServiceRecord
from ..teams.models import TeamMembership
from ..volunteers import validators
from ..volunteers.models import Volunteer
from .models import ActivitySignup


@dataclass
class RosterRow:
    volunteer: Volunteer
    record: ServiceRecord | None
    is_member: bool
    signed_up: bool


def roster_rows(activity, extra_ids=()) -> list[RosterRow]:
    """Team members, people who signed up, people already recorded, and people added by hand.

    Those added by hand, already recorded or signed up come first (the ones who came, nearly
    always), then the rest of the team, each group by name: in a team of hundreds the leader
    does not scroll for them.
    """
    member_ids = select(TeamMembership.volunteer_id).where(TeamMembership.team_id == activity.team_id)
    signup_ids = select(ActivitySignup.volunteer_id).where(ActivitySignup.activity_id == activity.id)
    record_ids = select(ServiceRecord.volunteer_id).where(ServiceRecord.activity_id == activity.id)
    live_ids = record_ids.where(ServiceRecord.status != "void")
    added = Volunteer.id.in_(list(extra_ids) or [-1])
    came = case((or_(added, Volunteer.id.in_(live_ids), Volunteer.id.in_(signup_ids)), 0), else_=1)
    people = db.session.scalars(
        select(Volunteer).options(lazyload(Volunteer.memberships)).where(or_(  # memberships: not shown
            Volunteer.id.in_(member_ids) & (Volunteer.status == "active"),
            Volunteer.id.in_(signup_ids), Volunteer.id.in_(record_ids), added))
        .order_by(came, Volunteer.name, Volunteer.id)).all()
    records = {r.volunteer_id: r for r in db.session.scalars(
        select(ServiceRecord).where(ServiceRecord.activity_id == activity.id, ServiceRecord.status != "void"))}
    members = set(db.session.scalars(member_ids))
    signed = set(db.session.scalars(signup_ids))
    return [RosterRow(v, records.get(v.id), v.id in members, v.id in signed) for v in people]


def lookup_people(text: str) -> list[Volunteer]:
    """Registered, active volunteers whose phone or ID number is the given text."""
    text = "".join((text or "").split())
    conds = []
    try:
        conds.append(Volunteer.phone == validators.normalize_phone(text))
    except validators.FieldError:
        pass
    try:
        conds.append(Volunteer.id_number == validators.normalize_id_number(text))
    except validators.FieldError:
        conds.append(Volunteer.id_number == text.upper())
    return list(db.session.scalars(select(Volunteer).where(or_(*conds), Volunteer.status == "active").limit(20)))


def parse_entries(form, allowed_ids: set[int]) -> tuple[dict[int, int], dict[int, str], dict[int, str]]:
    """Read `hours-<volunteer id>` boxes: (minutes by volunteer, typed text, error by volunteer).

    A blank box means "no entry"; anything else must be valid hours (validators module).
    """
    entries, typed, errors = {}, {}, {}
    for key, raw in form.items():
        if not key.startswith("hours-") or not key[6:].isdigit():
            continue
        vid = int(key[6:])
        if vid not in allowed_ids:
            continue
        typed[vid] = raw
        if not raw.strip():
            continue
        try:
            entries[vid] = validators.parse_hours_to_minutes(raw)
        except validators.FieldError as exc:
            errors[vid] = exc.message
    return entries, typed, errors
