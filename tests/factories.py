"""Factory functions with overridable defaults. They add and flush; tests commit when needed."""
import itertools
from datetime import date

from stdnum.iso7064 import mod_11_2

from volunteer.activities.models import Activity
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord
from volunteer.teams.models import ServiceCategory, Team, TeamMembership
from volunteer.volunteers.models import Volunteer

_seq = itertools.count(1)
PASSWORD = "test-pass-123"


def make_id_number(birth: date = date(1990, 1, 5), area: str = "310104", serial: int | None = None) -> str:
    """A valid 18-character resident ID number (GB 11643 check digit)."""
    serial = next(_seq) % 1000 if serial is None else serial
    body = f"{area}{birth:%Y%m%d}{serial:03d}"
    return body + mod_11_2.calc_check_digit(body)


def make_category(name="助力创全", **kw) -> ServiceCategory:
    cat = db.session.query(ServiceCategory).filter_by(name=name).first()
    if cat is None:
        cat = ServiceCategory(name=name, **kw)
        db.session.add(cat)
        db.session.flush()
    return cat


def make_team(name=None, kind="居委", **kw) -> Team:
    team = Team(name=name or f"测试{next(_seq)}居委志愿服务队", kind=kind, **kw)
    db.session.add(team)
    db.session.flush()
    return team


def make_volunteer(name=None, teams=(), birth=date(1990, 1, 5), **kw) -> Volunteer:
    n = next(_seq)
    id_number = kw.pop("id_number", None) or make_id_number(birth, serial=n % 1000)
    values = dict(name=name or f"志愿者{n}", gender="男" if int(id_number[16]) % 2 else "女", id_type="居民身份证",
                  id_number=id_number, id_last4=id_number[-4:], phone=f"139{n:08d}", birth_date=birth,
                  registered_on=date(2025, 1, 1), status="active")
    values.update(kw)
    volunteer = Volunteer(**values)
    db.session.add(volunteer)
    db.session.flush()
    for team in teams:
        db.session.add(TeamMembership(team_id=team.id, volunteer_id=volunteer.id))
    db.session.flush()
    db.session.refresh(volunteer)
    return volunteer


def make_user(role="office", username=None, password=PASSWORD, teams=(), volunteer=None, **kw) -> User:
    user = User(role=role, username=username or f"{role}{next(_seq)}", display_name=kw.pop("display_name", None),
                volunteer=volunteer, session_token="t", **kw)
    user.set_password(password)
    user.led_teams = list(teams)
    db.session.add(user)
    db.session.flush()
    return user


def make_activity(team=None, title=None, service_date=date(2026, 3, 15), category=None, status="published", **kw) -> Activity:
    team = team or make_team()
    category = category or make_category()
    activity = Activity(team_id=team.id, title=title or f"活动{next(_seq)}", category_id=category.id,
                        service_date=service_date, status=status, **kw)
    db.session.add(activity)
    db.session.flush()
    return activity


def make_record(activity=None, volunteer=None, minutes=120, status="approved", **kw) -> ServiceRecord:
    activity = activity or make_activity()
    volunteer = volunteer or make_volunteer()
    rec = ServiceRecord(activity_id=activity.id, volunteer_id=volunteer.id, team_id=activity.team_id,
                        category_id=activity.category_id, service_date=activity.service_date, minutes=minutes,
                        status=status, **kw)
    db.session.add(rec)
    db.session.flush()
    return rec
