"""Logins: authentication with throttling kept in the database, account creation and claim."""
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from .models import LoginFailure, User

ROLES = ("office", "leader", "volunteer")


def load_user(user_id: str):
    """Flask-Login loader: the id carries a token that a password change invalidates."""
    uid, _, token = (user_id or "").partition(":")
    if not uid.isdigit():
        return None
    user = db.session.get(User, int(uid))
    if user is None or user.session_token != token or not user.is_enabled:
        return None
    return user


def check_password_rules(password: str, username: str | None = None) -> None:
    """At least 8 characters, not only digits, not the username."""
    if not password or len(password) < 8:
        raise ServiceError("密码至少需要 8 个字符。", "password")
    if password.isdigit():
        raise ServiceError("密码不能全是数字，请加入字母或符号。", "password")
    if username and password == username:
        raise ServiceError("密码不能与用户名相同。", "password")


def _upsert_failure(key: str, now, max_failures: int, lock_minutes: int) -> None:
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(LoginFailure).values(key=key, count=1, first_failed_at=now, locked_until=None)
    stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"count": LoginFailure.count + 1})
    db.session.execute(stmt)
    row = db.session.get(LoginFailure, key, populate_existing=True)
    window = timedelta(minutes=lock_minutes)
    if row.first_failed_at < now - window and (row.locked_until is None or row.locked_until < now):
        row.count, row.first_failed_at, row.locked_until = 1, now, None
    if row.count >= max_failures:
        row.locked_until = now + window


def locked_minutes(keys: list[str]) -> int:
    """Minutes (rounded up) until every given key is unlocked; 0 when none is locked."""
    now = utcnow()
    rows = db.session.scalars(select(LoginFailure).where(LoginFailure.key.in_(keys))).all()
    waits = [(r.locked_until - now).total_seconds() for r in rows if r.locked_until and r.locked_until > now]
    return int(-(-max(waits) // 60)) if waits else 0


def _keys(username: str, address: str | None) -> list[str]:
    return [f"user:{username}"] + ([f"ip:{address}"] if address else [])


def check_login(username: str, password: str, address: str | None) -> tuple[int | None, str | None, bool]:
    """Read-only half of a login: (user id, None, False) when the password is right, else
    (None, message, whether this attempt counts as a failure: not while already locked out).

    It only reads, so the slow password hash runs without holding the database's write lock;
    `record_login` then writes the outcome in a short transaction of its own.
    """
    username = (username or "").strip()
    wait = locked_minutes(_keys(username, address))
    if wait:
        return None, f"登录失败次数过多，请 {wait} 分钟后再试。", False
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.check_password(password or ""):
        return None, "用户名或密码不正确。", True
    if not user.is_enabled:
        return None, "该账号已停用，请联系分中心办公室。", True
    return user.id, None, False


def record_login(username: str, address: str | None, user_id: int | None, *, limits: dict) -> User | None:
    """Write half of a login: count a failure per account and per address, or clear the
    account's failures and stamp the login time. Returns the user on success."""
    username = (username or "").strip()
    keys = _keys(username, address)
    if user_id is None:
        now = utcnow()
        _upsert_failure(keys[0], now, limits["LOGIN_MAX_FAILURES"], limits["LOGIN_LOCK_MINUTES"])
        if address:
            _upsert_failure(keys[1], now, limits["LOGIN_MAX_FAILURES_PER_ADDRESS"], limits["LOGIN_LOCK_MINUTES"])
        return None
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0]))
    user = db.session.get(User, user_id)
    user.last_login_at = utcnow()
    return user


def create_user(actor, *, role: str, username: str, password: str, display_name=None,
                teams=(), volunteer=None) -> User:
    """Create a login; volunteers must be linked to their registry record."""
    username = (username or "").strip()
    if role not in ROLES:
        raise ServiceError("角色无效。", "role")
    if not username:
        raise ServiceError("用户名不能为空。", "username")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise ServiceError(f"用户名“{username}”已存在。", "username")
    check_password_rules(password, username)
    if role == "volunteer" and volunteer is None:
        raise ServiceError("志愿者账号必须关联一名已登记的志愿者。", "volunteer")
    if volunteer is not None and db.session.scalar(select(User.id).where(User.volunteer_id == volunteer.id)):
        raise ServiceError("该志愿者已有账号。", "volunteer")
    user = User(role=role, username=username, display_name=display_name or (volunteer.name if volunteer else None),
                volunteer=volunteer, session_token=secrets.token_hex(8))
    user.set_password(password)
    user.led_teams = list(teams)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", "user", user.id, f"创建账号 {username}",
           after={"username": username, "role": role, "teams": [t.name for t in teams],
                  "volunteer_id": volunteer.id if volunteer else None})
    return user


def set_password(actor, user: User, password: str) -> None:
    """Reset or change a password; every existing session of the user ends."""
    check_password_rules(password, user.username)
    user.set_password(password)
    user.session_token = secrets.token_hex(8)
    record(actor, "user.password", "user", user.id, f"重置密码 {user.username}")


def set_enabled(actor, user: User, enabled: bool) -> None:
    if actor is not None and actor.id == user.id and not enabled:
        raise ServiceError("不能停用自己的账号。")
    before = user.is_enabled
    user.is_enabled = enabled
    user.session_token = secrets.token_hex(8)
    record(actor, "user.enable" if enabled else "user.disable", "user", user.id,
           f"{'启用' if enabled else '停用'}账号 {user.username}",
           before={"is_enabled": before}, after={"is_enabled": enabled})


def set_leader_teams(actor, user: User, teams) -> None:
    before = sorted(t.name for t in user.led_teams)
    user.led_teams = list(teams)
    record(actor, "user.teams", "user", user.id, f"设置 {user.username} 负责的队伍",
           before={"teams": before}, after={"teams": sorted(t.name for t in teams)})


def claim_account(*, name: str, id_number: str, phone: str, password: str) -> User:
    """A volunteer claims their login: name, ID number and mobile must match the registry."""
    from ..volunteers.models import Volunteer
    from ..volunteers.validators import FieldError, normalize_id_number, normalize_name, normalize_phone

    try:
        name, phone = normalize_name(name), normalize_phone(phone)
        id_number = normalize_id_number(id_number, "居民身份证") if len(str(id_number).strip()) == 18 \
            else str(id_number).strip().upper()
    except FieldError:
        raise ServiceError("姓名、证件号码和手机号码与登记信息不一致。") from None
    volunteer = db.session.scalar(select(Volunteer).where(
        Volunteer.id_number == id_number, Volunteer.name == name, Volunteer.phone == phone))
    if volunteer is None or volunteer.status != "active":
        raise ServiceError("姓名、证件号码和手机号码与登记信息不一致。")
    if db.session.scalar(select(User.id).where(User.volunteer_id == volunteer.id)):
        raise ServiceError("该志愿者已认领账号，请直接登录；忘记密码请联系所在队伍或分中心。")
    if db.session.scalar(select(User.id).where(User.username == phone)):
        raise ServiceError("该手机号已被其他账号使用，请联系分中心办公室。")
    user = create_user("自助认领", role="volunteer", username=phone, password=password, volunteer=volunteer)
    return user
