"""Joining: self-registration (/register) and in-person confirmation of the self-registered.

A person registers with the same field rules as the import and the office's form
(volunteers.validators through volunteers.services.clean_volunteer). The answer "this ID
number is already registered" tells an anonymous asker something about the registry, so
every registration that reaches the identity check spends one unit of the address's look-up
budget (volunteer/throttle.py) and says nothing else: only a pointer to /claim. The new
record is 未核实 (Volunteer.verified False) until a leader of one of their teams or the
office confirms them in person; certificates need 已核实. Services never commit.
"""
from datetime import timedelta

from flask_babel import gettext

from ..audit.services import record, snapshot
from ..auth.models import User
from ..auth.services import check_password_rules, create_user
from ..errors import ServiceError
from ..i18n import N_
from ..extensions import db
from .. import throttle
from ..volunteers.models import Volunteer
from ..volunteers.services import FIELDS, clean_volunteer, find_by_identity
from . import applications

ACTOR = "自助注册"  # how the audit log names the (anonymous) registrant

ALREADY_REGISTERED = N_("该证件号码已登记。如是您本人，请到“认领账号”页面用登记的姓名、证件号码和手机号码认领账号。")


class AlreadyRegistered(ServiceError):
    """The ID number is in the registry: point to /claim, reveal nothing else."""

    def __init__(self, id_number: str = ""):
        super().__init__(gettext(ALREADY_REGISTERED), "id_number")
        self.id_number = id_number  # the cleaned number, for the failure throttle


def register(fields: dict, password: str, *, address: str | None, today, team_ids=()) -> User:
    """Create an unverified volunteer and their login from the /register form's values, with
    an application to each chosen team (only teams open to applications).

    Raises ValidationFailed (every bad field), ServiceError (password rules, teams), Throttled
    (the address is locked out, or its budget is spent: nothing looked up) or
    AlreadyRegistered (the caller rolls back, then calls `charge`)."""
    cleaned, _teams, _warnings = clean_volunteer({k: v for k, v in fields.items() if k != "teams"}, today=today)
    check_password_rules(password, cleaned["phone"], cleaned["id_number"])
    teams = applications.teams_to_apply(team_ids)
    if throttle.locked_seconds(_keys(cleaned["id_number"], address)):
        raise throttle.Throttled("id_number")
    throttle.spend(throttle.ANONYMOUS, address=address, field="id_number")
    if find_by_identity(cleaned["id_type"], cleaned["id_number"]):
        raise AlreadyRegistered(cleaned["id_number"])
    volunteer = Volunteer(**{k: cleaned.get(k) for k in FIELDS}, id_last4=cleaned["id_number"][-4:])
    volunteer.verified = False
    db.session.add(volunteer)
    db.session.flush()
    record(ACTOR, "volunteer.self_register", "volunteer", volunteer.id, f"自助注册志愿者 {volunteer.name}（未核实）",
           after=snapshot(volunteer, FIELDS) | {"verified": False})
    user = create_user(ACTOR, role="volunteer", username="", password=password, volunteer=volunteer)
    for team in teams:
        applications.apply(ACTOR, volunteer, team, today)
    return user


def _keys(id_number: str, address: str | None) -> list[str]:
    # Per (ID number, address) and per address: never a lock on an ID number for everyone.
    address = throttle.address_key(address)
    return [f"register:id:{(id_number or '')[:40]}|{address}", f"register-ip:{address}"]


def charge(address: str | None, id_number: str = "", limits: dict | None = None) -> None:
    """Count a refused registration (an ID number already registered) as a failure per
    (ID number, address) and per address, and charge the address's look-up budget one unit.
    Called after the rollback, in a transaction of its own."""
    if limits is not None:
        window = timedelta(minutes=int(limits["REGISTER_LOCK_MINUTES"]))
        per_id, per_address = _keys(id_number, address)
        throttle.record_failure(per_id, int(limits["REGISTER_MAX_FAILURES"]), window)
        throttle.record_failure(per_address, int(limits["REGISTER_MAX_FAILURES_PER_ADDRESS"]), window)
    try:
        throttle.spend(throttle.ANONYMOUS, address=address)
    except throttle.Throttled:
        pass  # spent already: the next attempt is refused before it asks


def can_verify(user, volunteer: Volunteer) -> bool:
    """The office, or a leader of one of the person's teams."""
    if user.role == "office":
        return True
    return user.role == "leader" and bool(set(user.led_team_ids) & set(volunteer.team_ids))


def verify(actor, volunteer: Volunteer) -> None:
    """Confirm a self-registered person's identity after seeing them in person (audited)."""
    if volunteer.verified:
        raise ServiceError("该志愿者已核实。")
    if not can_verify(actor, volunteer):
        raise ServiceError("只有其所在队伍的队长或分中心办公室可以核实身份。")
    volunteer.verified = True
    db.session.flush()
    record(actor, "volunteer.verify", "volunteer", volunteer.id, f"当面核实志愿者 {volunteer.name} 的身份",
           before={"verified": False}, after={"verified": True})
