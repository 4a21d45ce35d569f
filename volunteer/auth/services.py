"""Logins: authentication throttled through volunteer/throttle.py, login sessions, account
creation and a volunteer's claim of their record.

A login answers alike whoever asks: an unknown username costs the same password checks as a
known one (`LOGIN_MAX_CANDIDATES` of them, dummies filling in), and failures are counted per
(account, address) and per address with back-off, never per account for everybody.
"""
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, delete, or_, select, union, update

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from ..fields import FieldError, normalize_name, normalize_phone
from ..i18n import N_
from ..clock import utcnow
from .. import throttle
from ..volunteers.lookup import key_conditions, read_typed
from ..volunteers.models import Volunteer
from ..volunteers.validators import normalize_id_number
from .models import LoginSession, User, dummy_password_check

ROLES = ("office", "leader", "volunteer")
LOGIN_FAILED = N_("用户名或密码不正确。")
CLAIM_FAILED = N_("姓名、证件号码和手机号码与登记信息不一致，或该志愿者已认领账号（忘记密码请联系所在队伍或分中心）。")


class ClaimFailed(ServiceError):
    """A claim whose data does not lead to an unclaimed record: one message for every cause."""

    def __init__(self):
        super().__init__(_(CLAIM_FAILED))


def load_user(session_id: str):
    """Flask-Login loader: the cookie holds a login session id; the user and the session are
    checked in one query (an ended or expired session, a disabled login: nobody)."""
    if not session_id or len(session_id) > 64:
        return None
    oldest = utcnow() - timedelta(days=int(current_app.config["LOGIN_SESSION_MAX_DAYS"]))
    user = db.session.scalar(
        select(User).join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.id == session_id, LoginSession.ended_at.is_(None), LoginSession.created_at > oldest,
               User.is_enabled.is_(True)))
    if user is not None:
        user.login_session_id = session_id
    return user


def start_session(user: User, address: str | None) -> LoginSession:
    """A new login session for `user` (its id goes into the cookie). The login's sessions
    older than LOGIN_SESSION_MAX_DAYS go (ended ones were kept that long as a log)."""
    oldest = utcnow() - timedelta(days=int(current_app.config["LOGIN_SESSION_MAX_DAYS"]))
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.created_at < oldest))
    session = LoginSession(user_id=user.id, ip=address)
    db.session.add(session)
    db.session.flush()
    user.login_session_id = session.id
    return session


def end_sessions(user_id: int, *, only: str | None = None, keep: str | None = None) -> int:
    """End one login session (`only`), or every session of the login but `keep`; returns how
    many ended."""
    stmt = update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    if only is not None:
        stmt = stmt.where(LoginSession.id == only)
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep)
    return db.session.execute(stmt.values(ended_at=utcnow()), execution_options={"synchronize_session": False}).rowcount


def _ended(count: int) -> dict:
    """The audit entry's note of sessions a change ended (none: no note)."""
    return {"sessions_ended": count} if count else {}


def logout(user: User) -> None:
    """End the session this request runs in; the login's other sessions go on."""
    if user.login_session_id:
        end_sessions(user.id, only=user.login_session_id)


def check_password_rules(password: str, username: str | None = None, *others: str) -> None:
    """At least 8 characters, not only digits, not the username (nor the mobile or ID number)."""
    if not password or len(password) < 8:
        raise ServiceError(_("密码至少需要 8 个字符。"), "password")
    if password.isdigit():
        raise ServiceError(_("密码不能全是数字，请加入字母或符号。"), "password")
    if any(value and password.strip().upper() == str(value).strip().upper() for value in (username, *others)):
        raise ServiceError(_("密码不能与用户名相同。"), "password")


def _identifier(username: str) -> tuple[str, str | None, str | None]:
    """(typed username, mobile, ID number) a login field may mean (volunteers/lookup.py reads it)."""
    typed = (username or "").strip()
    meant = read_typed(typed)
    return typed, meant.phone, meant.id_number


def _login_keys(username: str, address: str | None) -> tuple[str, str]:
    typed, phone, id_number = _identifier(username)
    account = phone or id_number or typed.lower()
    address = throttle.address_key(address)
    return f"login:{account}|{address}", f"login-ip:{address}"


def _candidates(username: str, limit: int) -> list[User]:
    """The logins a login field may name, at most `limit`: the username itself first, then
    volunteers' logins by their mobile (a family may share one) or ID number."""
    typed, phone, id_number = _identifier(username)
    if not typed:
        return []
    by_record = key_conditions(phone, id_number)
    ids = select(User.id).where(User.username == typed)
    if by_record:
        # A union, so each half uses its own index (users.username; volunteers' phone or ID).
        ids = union(ids, select(User.id).join(Volunteer, User.volunteer_id == Volunteer.id)
                    .where(User.role == "volunteer", or_(*by_record)))
    stmt = (select(User).where(User.id.in_(ids))
            .order_by(case((User.username == typed, 0), else_=1), User.id).limit(limit))
    return list(db.session.scalars(stmt))


def check_login(username: str, password: str, address: str | None, *,
                limits: dict) -> tuple[int | None, str | None, bool]:
    """Read-only half of a login: (user id, None, False) when the password is right, else
    (None, message, whether this attempt counts as a failure: not while already locked out).

    It only reads, so the slow password hashes run without holding the database's write lock;
    `record_login` then writes the outcome in a short transaction of its own. A wrong password
    costs `LOGIN_MAX_CANDIDATES` checks whoever the username names (dummies fill in).
    """
    wait = throttle.locked_seconds(list(_login_keys(username, address)))
    if wait:
        return None, _("登录失败次数过多，请 %(n)s 分钟后再试。", n=-(-wait // 60)), False
    password = password or ""
    tries = int(limits["LOGIN_MAX_CANDIDATES"])
    candidates = _candidates(username, tries)
    found = None
    for user in candidates:
        if user.check_password(password):
            found = user
            break
    else:
        for _unused in range(tries - len(candidates)):
            dummy_password_check(password)
    if found is None:
        return None, _(LOGIN_FAILED), True
    if not found.is_enabled:
        return None, _("该账号已停用，请联系分中心办公室。"), True
    return found.id, None, False


def record_login(username: str, address: str | None, user_id: int | None, *, limits: dict) -> User | None:
    """Write half of a login: count a failure per (account, address) and per address, or
    clear the (account, address) failures, stamp the login time and start a login session.
    Returns the user on success."""
    account_key, address_key = _login_keys(username, address)
    window = timedelta(minutes=int(limits["LOGIN_LOCK_MINUTES"]))
    if user_id is None:
        throttle.record_failure(account_key, int(limits["LOGIN_MAX_FAILURES"]), window)
        throttle.record_failure(address_key, int(limits["LOGIN_MAX_FAILURES_PER_ADDRESS"]), window)
        return None
    throttle.clear(account_key)
    user = db.session.get(User, user_id)
    user.last_login_at = utcnow()
    start_session(user, address)
    return user


def create_user(actor, *, role: str, username: str, password: str, display_name=None,
                teams=(), volunteer=None) -> User:
    """Create a login (the office's page and `flask users create` alike): volunteers must be
    linked to an active registry record and default to its username; only a leader leads teams."""
    username = (username or "").strip()
    if role not in ROLES:
        raise ServiceError(_("角色无效。"), "role")
    if volunteer is not None and volunteer.status != "active":
        raise ServiceError(_("该志愿者已注销，不能开通账号。"), "volunteer")
    teams = list(teams)
    if teams and role != "leader":
        raise ServiceError(_("只有队长账号可以负责队伍。"), "team_ids")
    if not username and role == "volunteer" and volunteer is not None:
        username = volunteer_username(volunteer) or volunteer.phone
    if not username:
        raise ServiceError(_("用户名不能为空。"), "username")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise ServiceError(_("用户名“%(name)s”已存在。", name=username), "username")
    check_password_rules(password, username)
    if role == "volunteer" and volunteer is None:
        raise ServiceError(_("志愿者账号必须关联一名已登记的志愿者。"), "volunteer")
    if volunteer is not None and db.session.scalar(select(User.id).where(User.volunteer_id == volunteer.id)):
        raise ServiceError(_("该志愿者已有账号。"), "volunteer")
    user = User(role=role, username=username, display_name=display_name or (volunteer.name if volunteer else None),
                volunteer=volunteer)
    user.set_password(password)
    user.led_teams = teams
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", "user", user.id, f"创建账号 {username}",
           after={"username": username, "role": role, "teams": [t.name for t in teams],
                  "volunteer_id": volunteer.id if volunteer else None})
    return user


def set_password(actor, user: User, password: str, *, keep_session: str | None = None) -> None:
    """Reset a password (the office, the CLI): every session of the login ends, except
    `keep_session` when the office resets its own."""
    check_password_rules(password, user.username)
    user.set_password(password)
    ended = end_sessions(user.id, keep=keep_session)
    record(actor, "user.password", "user", user.id, f"重置密码 {user.username}", **_ended(ended))


# No 0/O, 1/l/I: the person copies it from someone's screen or hears it on the phone.
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ONE_TIME_LENGTH = 10


def new_one_time_password() -> str:
    while True:
        password = "".join(secrets.choice(ONE_TIME_ALPHABET) for _i in range(ONE_TIME_LENGTH))
        if not password.isdigit():  # the password rules refuse digits only
            return password


def issue_one_time_password(actor, user: User, summary: str, **audit_extra) -> str:
    """The one way to reset someone else's password (the office's users page; a leader's or the
    office's 重置密码 on the volunteer page, which checks who may first): a one-time password,
    returned to be shown once and never stored in clear; the next login must replace it; every
    session of the login ends; audited. One's own password is changed on /account/password."""
    if user.id == getattr(actor, "id", None):
        raise ServiceError(_("自己的密码请在“修改密码”页面修改。"))
    if not user.is_enabled:
        raise ServiceError(_("该账号已停用或已注销，不能重置密码。"))
    password = new_one_time_password()
    user.set_password(password)
    user.must_change_password = True
    ended = end_sessions(user.id)
    record(actor, "user.one_time_password", "user", user.id, summary, after={"must_change_password": True},
           sessions_ended=ended, at=utcnow(), **audit_extra)
    return password


def change_own_password(user: User, current: str, password: str) -> None:
    """A user changes their own password: the current one first; the login's other sessions
    end, this one goes on. The caller counts a wrong current password as a failed login."""
    if not user.check_password(current or ""):
        raise ServiceError(_("当前密码不正确。"), "current_password")
    check_password_rules(password, user.username)
    if user.must_change_password and user.check_password(password):
        raise ServiceError(_("新密码不能与一次性密码相同。"), "password")
    user.set_password(password)
    user.must_change_password = False  # a one-time password is spent
    ended = end_sessions(user.id, keep=user.login_session_id)
    record(user, "user.password", "user", user.id, f"修改本人密码 {user.username}", **_ended(ended))


def set_enabled(actor, user: User, enabled: bool) -> None:
    """Disable or re-enable a login; disabling ends all its sessions for good."""
    if actor is not None and actor.id == user.id and not enabled:
        raise ServiceError(_("不能停用自己的账号。"))
    before = user.is_enabled
    user.is_enabled = enabled
    ended = end_sessions(user.id) if not enabled else 0
    record(actor, "user.enable" if enabled else "user.disable", "user", user.id,
           f"{'启用' if enabled else '停用'}账号 {user.username}",
           before={"is_enabled": before}, after={"is_enabled": enabled}, **_ended(ended))


def set_leader_teams(actor, user: User, teams) -> None:
    before = sorted(t.name for t in user.led_teams)
    user.led_teams = teams
    record(actor, "user.teams", "user", user.id, f"设置 {user.username} 负责的队伍",
           before={"teams": before}, after={"teams": sorted(t.name for t in teams)})


def _claim_fields(name: str, id_number: str, phone: str) -> tuple[str, str, str, bool]:
    """(name, ID number, mobile, all valid) in the registry's canonical forms where possible."""
    raw = [str(v or "").strip() for v in (name, id_number, phone)]
    values, valid = list(raw), True
    for i, normalize in enumerate((normalize_name, normalize_id_number, normalize_phone)):
        try:
            values[i] = normalize(raw[i]) if i != 1 or len(raw[1]) == 18 else raw[1].upper()
        except FieldError:
            valid = False
    return values[0], values[1], values[2], valid


def _claim_keys(id_number: str, phone: str, address: str | None) -> list[str]:
    # Per (record, address): the ID number (guessing a mobile for a known ID) and the mobile
    # (guessing the masked ID digits for a known name and mobile); then per address.
    address = throttle.address_key(address)
    return [f"claim:id:{id_number[:40]}|{address}", f"claim:phone:{phone[:20]}|{address}", f"claim-ip:{address}"]


def volunteer_username(volunteer) -> str | None:
    """A volunteer's new login name: the mobile, or the ID number when a family member's login
    already has the mobile (both log in by mobile: login tries every login of a mobile)."""
    candidates = [volunteer.phone, volunteer.id_number]
    taken = set(db.session.scalars(select(User.username).where(User.username.in_(candidates))))
    return next((u for u in candidates if u not in taken), None)


def claim_account(*, name: str, id_number: str, phone: str, password: str, address: str | None) -> User:
    """A volunteer claims their login: name, ID number and mobile must match one active,
    unclaimed record. Every failure raises ClaimFailed (one message, "already claimed"
    included); the caller rolls back and calls `record_claim_failure`. A locked address or a
    spent look-up budget is refused before anything is looked up. The username: see
    `volunteer_username`."""
    name, id_number, phone, valid = _claim_fields(name, id_number, phone)
    # The password rules answer first, whatever the data: a rule message only for matching
    # data would tell a guesser they had found the person.
    check_password_rules(password, phone, id_number)
    if throttle.locked_seconds(_claim_keys(id_number, phone, address)):
        raise throttle.Throttled()
    throttle.ensure_budget(throttle.ANONYMOUS, address=address)
    volunteer = None
    if valid:
        volunteer = db.session.scalar(select(Volunteer).where(
            *key_conditions(id_number=id_number), *key_conditions(phone=phone), Volunteer.name == name))
    if volunteer is None or volunteer.status != "active" or \
            db.session.scalar(select(User.id).where(User.volunteer_id == volunteer.id)):
        raise ClaimFailed()
    username = volunteer_username(volunteer)
    if username is None:
        raise ClaimFailed()
    return create_user("自助认领", role="volunteer", username=username, password=password, volunteer=volunteer)


def record_claim_failure(*, id_number: str, phone: str, address: str | None, limits: dict) -> None:
    """Count a failed claim per (record, address) and per address, and charge the address's
    look-up budget (a failed claim told the asker something about the registry)."""
    _name, id_number, phone, _valid = _claim_fields("-", id_number, phone)
    window = timedelta(minutes=int(limits["CLAIM_LOCK_MINUTES"]))
    per_record, per_address = int(limits["CLAIM_MAX_FAILURES"]), int(limits["CLAIM_MAX_FAILURES_PER_ADDRESS"])
    keys = _claim_keys(id_number, phone, address)
    for key, limit in zip(keys, (per_record, per_record, per_address)):
        throttle.record_failure(key, limit, window)
    try:
        throttle.spend(throttle.ANONYMOUS, address=address)
    except throttle.Throttled:
        pass  # spent already: the next claim from this address is refused before it asks
