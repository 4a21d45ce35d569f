"""Who appears on an activity's hours screen, and reading the hours typed for them.

Nobody appears because of an id in the request: besides the team, the signed-up and the
already recorded, only people the user found (volunteers.lookup: name with mobile or full ID
number) appear, carried from request to request in a token signed for that user and activity.
"""
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import case, func, literal, or_, select, text, union, union_all
from sqlalchemy.orm import lazyload

from ..extensions import db
from ..figures import cached, ids_key
from ..views import MAX_INT
from ..hours.models import ServiceRecord
from ..teams.models import TeamMembership
from .. import fields
from ..volunteers.models import Volunteer
from ..web import hours as hours_text  # the text a saved box is shown with
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


@dataclass
class RosterPage:
    """One page of the hours screen: `rows`, the page number and count of pages of the people
    matching `q`, `matching` of them, `everyone` on the roster, `signed` how many signed up."""
    rows: list[RosterRow]
    page: int
    pages: int
    matching: int
    everyone: int
    signed: int
    q: str = ""
    only: list[int] = field(default_factory=list)


# The ID number's last four (the masked form every role sees): a search for one person.
_ID_TAIL = re.compile(r"^[0-9]{3}[0-9Xx]$")


def clean_query(text) -> str:
    """What was typed in the roster's search box, trimmed; at most 50 characters."""
    return (fields.clean_text(text) or "")[:50] if isinstance(text, str) else ""


def _signup_ids(activity):
    # 候补 and cancelled sign-ups are not signed up (activities/signups.py).
    return select(ActivitySignup.volunteer_id).where(ActivitySignup.activity_id == activity.id,
                                                     ActivitySignup.status == "confirmed")


def _others(activity, extra_ids):
    """The few on the roster who need not be active members: the signed-up, the already
    recorded (any status) and the people found by name and key."""
    parts = [_signup_ids(activity), select(ServiceRecord.volunteer_id).where(ServiceRecord.activity_id == activity.id)]
    extra = list(dict.fromkeys(int(i) for i in extra_ids))
    if extra:
        parts.append(select(Volunteer.id).where(Volunteer.id.in_(extra)))
    return union(*parts)


def _roster(activity, extra_ids, *columns):
    """Everyone on the roster once, as `columns` of Volunteer plus `came` (0 for those who came:
    signed up, recorded, found; 1 for the rest of the team). Active team members, joined from
    the team's memberships (one index range, however big the town), and the few others who are
    not active members: two disjoint parts, so no de-duplication of 10,000 rows."""
    others = _others(activity, extra_ids)
    came_ids = union_all(_signup_ids(activity), select(ServiceRecord.volunteer_id).where(
        ServiceRecord.activity_id == activity.id, ServiceRecord.status != "void"), *(
        [select(Volunteer.id).where(Volunteer.id.in_(list(extra_ids)))] if extra_ids else []))
    came = case((Volunteer.id.in_(came_ids), 0), else_=1).label("came")
    members = select(*columns, came, literal(True).label("member")).select_from(TeamMembership).join(
        Volunteer, Volunteer.id == TeamMembership.volunteer_id).where(
        TeamMembership.team_id == activity.team_id, Volunteer.status == "active")
    in_team = select(TeamMembership.volunteer_id).where(
        TeamMembership.team_id == activity.team_id, TeamMembership.volunteer_id == Volunteer.id).exists()
    rest = select(*columns, literal(0).label("came"), in_team.label("member")).where(
        Volunteer.id.in_(others), or_(~in_team, Volunteer.status != "active"))
    return members, rest


def _matches(q: str):
    """A name containing `q`, or an ID number ending in it when `q` looks like the last four."""
    if not q:
        return None
    name = Volunteer.name.contains(q, autoescape=True)
    if _ID_TAIL.match(q):
        return or_(name, Volunteer.id_number.endswith(q.upper(), autoescape=True))
    return name


def roster_page(activity, extra_ids=(), *, q: str = "", page: int = 1, only=None, per_page=None) -> RosterPage:
    """One page of the roster, searched by name or ID tail in SQL: the hours screen of a team of
    10,000 reads 50 people, not 10,000 (PERFORMANCE.md). `only` shows just those people (the
    rows a save refused). Those who came (signed up, recorded, found) come first, then the rest,
    by name. The order is taken over (id, name) only, and the page's 50 people loaded after."""
    per_page = per_page or current_app.config["PAGE_SIZE"]
    members, rest = _roster(activity, extra_ids, Volunteer.id, Volunteer.name)
    # The roster's size, for the search box: the same while the data is (figures.cache), so
    # turning pages does not count 10,000 members again.
    with _member_by_member():
        return _roster_page(activity, extra_ids, members, rest, q, page, only, per_page)


def _roster_page(activity, extra_ids, members, rest, q, page, only, per_page) -> RosterPage:
    everyone = cached("activities.roster", (activity.id, ids_key(extra_ids)), lambda: _count(members, rest))
    where = None
    if only is not None:
        where, page, per_page = Volunteer.id.in_(list(only) or [-1]), 1, max(len(only), 1)
    elif q:
        where = _matches(q)
    if where is not None:
        members, rest = members.where(where), rest.where(where)
        total = _count(members, rest)
    else:
        total = everyone
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    ordered = union_all(members, rest).subquery("roster")
    found = db.session.execute(select(ordered.c.id, ordered.c.member).order_by(
        ordered.c.came, ordered.c.name, ordered.c.id).offset((page - 1) * per_page).limit(per_page)).all()
    ids, in_team = [i for i, _ in found], {i for i, member in found if member}
    by_id = {v.id: v for v in db.session.scalars(
        select(Volunteer).options(lazyload(Volunteer.memberships)).where(Volunteer.id.in_(ids or [-1])))}
    people = [by_id[i] for i in ids]
    shown = ids or [-1]
    records = {r.volunteer_id: r for r in db.session.scalars(select(ServiceRecord).where(
        ServiceRecord.activity_id == activity.id, ServiceRecord.status != "void", ServiceRecord.volunteer_id.in_(shown)))}
    signed = set(db.session.scalars(_signup_ids(activity)))  # an activity's sign-ups: a few hundred at most
    rows = [RosterRow(v, records.get(v.id), v.id in in_team, v.id in signed) for v in people]
    return RosterPage(rows, page, pages, total, everyone, len(signed), q, list(only or []))


@contextmanager
def _member_by_member():
    """On PostgreSQL, join a team's members to `volunteers` by primary key, member by member.
    For a team of 10,000 in a district of 200,000 the planner chose a hash join over a scan of
    every volunteer (400-600 ms at 10x on the loaded bench machine, growing with the district);
    index look-ups per member took 130-150 ms there and do not grow with it (PERFORMANCE.md).
    SQLite already joins by primary key."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:
        db.session.execute(text("SET LOCAL enable_hashjoin = off"))
        db.session.execute(text("SET LOCAL enable_mergejoin = off"))
    try:
        yield
    finally:
        if postgres:
            db.session.execute(text("SET LOCAL enable_hashjoin = on"))
            db.session.execute(text("SET LOCAL enable_mergejoin = on"))


def _count(*parts) -> int:
    return sum(db.session.scalar(part.with_only_columns(func.count()).order_by(None)) for part in parts)


def box_ids(form) -> list[int]:
    """The volunteer ids of the `hours-<id>` boxes a form came with; a key that is not an id a
    database holds (past the INTEGER range: views.MAX_INT) names nobody."""
    ids = []
    for key in form:
        digits = key[6:]
        if key.startswith("hours-") and digits.isascii() and digits.isdigit() and len(digits) <= 19:
            number = int(digits)
            if 0 < number <= MAX_INT:
                ids.append(number)
    return ids


def on_roster(activity, extra_ids, candidate_ids) -> set[int]:
    """Which of `candidate_ids` (ids typed boxes came with) are on the roster: boxes for anyone
    else are ignored, so a forged `hours-<id>` adds nobody."""
    candidates = list(dict.fromkeys(candidate_ids))
    if not candidates:
        return set()
    members, rest = _roster(activity, extra_ids, Volunteer.id)
    inside = Volunteer.id.in_(candidates)
    both = union_all(members.where(inside), rest.where(inside)).subquery()
    return set(db.session.scalars(select(both.c.id)))


def saved_minutes(activity, volunteer_ids) -> dict[int, int]:
    """The minutes already recorded (not void) for these people on this activity."""
    ids = list(volunteer_ids) or [-1]
    return dict(db.session.execute(select(ServiceRecord.volunteer_id, ServiceRecord.minutes).where(
        ServiceRecord.activity_id == activity.id, ServiceRecord.status != "void",
        ServiceRecord.volunteer_id.in_(ids))).all())


def pending_changes(typed: dict[int, str], saved: dict[int, int]) -> dict[int, str]:
    """The boxes that would change something if saved (a new entry, a changed one, a cleared
    one): what the screen carries from page to page. Untouched boxes are dropped, so the form
    stays small however many pages the leader turns."""
    keep = {}
    for vid, text in typed.items():
        text = (text or "").strip()
        if vid in saved:
            if text != hours_text(saved[vid]):
                keep[vid] = text
        elif text:
            keep[vid] = text
    return keep


def signed_without_hours(activity, typed: dict[int, str]) -> list[int]:
    """The signed-up people with no saved and no typed hours: whom 为已报名的人填入 fills."""
    live = select(ServiceRecord.volunteer_id).where(
        ServiceRecord.activity_id == activity.id, ServiceRecord.status != "void")
    ids = db.session.scalars(select(ActivitySignup.volunteer_id).where(
        ActivitySignup.activity_id == activity.id, ActivitySignup.status == "confirmed",
        ActivitySignup.volunteer_id.not_in(live))).all()
    return [vid for vid in ids if not (typed.get(vid) or "").strip()]


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
