"""Who appears on an activity's hours screen, and reading the hours typed for them.

Nobody appears because of an id in the request: besides the team, the signed-up and the
already recorded, only people the user found (volunteers.lookup: name with mobile or full ID
number) appear, carried from request to request in a token signed for that user and activity.
"""
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import case, or_, select
from sqlalchemy.orm import lazyload

from ..extensions import db
from ..hours.models import ServiceRecord
from ..teams.models import TeamMembership
from .. import fields
from ..volunteers.models import Volunteer
from .models import ActivitySignup

# People found by name and key stay on the screen for a working day, at most this many.
FOUND_MAX_AGE = 12 * 3600
MAX_FOUND = 200


@dataclass
class RosterRow:
    volunteer: Volunteer
    record: ServiceRecord | None
    is_member: bool
    signed_up: bool


def roster_rows(activity, extra_ids=()) -> list[RosterRow]:
    """Team members, people who signed up, people already recorded, and people the user found (by name and key).

    Those found, already recorded or signed up come first (the ones who came, nearly
    always), then the rest of the team, each group by name: in a team of hundreds the leader
    does not scroll for them.
    """
    member_ids = select(TeamMembership.volunteer_id).where(TeamMembership.team_id == activity.team_id)
    signup_ids = select(ActivitySignup.volunteer_id).where(ActivitySignup.activity_id == activity.id,
                                                           ActivitySignup.status == "confirmed")
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


def sign_found(user_id: int, activity_id: int, ids) -> str:
    """The people a user found for one activity's hours screen, signed so the next request
    can trust the list: a forged or edited token, or one made for another user or activity,
    adds nobody (`read_found`)."""
    ids = list(dict.fromkeys(int(i) for i in ids))[-MAX_FOUND:]
    return _serializer().dumps({"u": user_id, "a": activity_id, "v": ids}) if ids else ""


def read_found(token: str | None, user_id: int, activity_id: int) -> list[int]:
    """The ids of a token from `sign_found`, if it is genuine, recent and this user's and this
    activity's; otherwise none."""
    if not token:
        return []
    try:
        data = _serializer().loads(token, max_age=FOUND_MAX_AGE)
    except BadData:
        return []
    if not isinstance(data, dict) or data.get("u") != user_id or data.get("a") != activity_id:
        return []
    ids = data.get("v")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return []
    return ids[-MAX_FOUND:]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="activities.hours.found")


def parse_entries(form, allowed_ids: set[int]) -> tuple[dict[int, int], dict[int, str], dict[int, str]]:
    """Read `hours-<volunteer id>` boxes: (minutes by volunteer, typed text, error by volunteer).

    A blank box means "no entry"; anything else must be valid hours (volunteer/fields.py).
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
            entries[vid] = fields.parse_hours_to_minutes(raw)
        except fields.FieldError as exc:
            errors[vid] = exc.message
    return entries, typed, errors
