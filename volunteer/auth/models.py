"""Logins and their sessions.

A login session is a row (`login_sessions`) whose random id is what the Flask session cookie
carries: logging out ends that row, so a copied cookie stops working while the login's other
sessions (a leader's venue tablet) go on. Login throttling lives in volunteer/throttle.py.
"""
import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..clock import utcnow
from ..teams.models import team_leaders

ROLE_LABELS = {"office": _l("分中心办公室"), "leader": _l("队长"), "volunteer": _l("志愿者")}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10))
    display_name: Mapped[str | None] = mapped_column(String(50))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"), unique=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Set by a one-time password (joining.account): the next login must choose a new password.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # No longer read: sessions are rows of login_sessions. Kept until a migration drops it.
    session_token: Mapped[str] = mapped_column(String(32), default="")

    volunteer = relationship("Volunteer")
    led_teams = relationship("Team", secondary=team_leaders, back_populates="leaders", lazy="selectin")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_enabled

    # The login session this request runs in (set by login and by the user loader).
    login_session_id = None

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookie: the login session's id, never the user's."""
        return self.login_session_id or ""

    @property
    def led_team_ids(self) -> set[int]:
        return {t.id for t in self.led_teams}

    @property
    def team_scope(self) -> set[int] | None:
        """The teams this login may see: None (every team) for the office, else the led ones
        (none for a volunteer). The one home of that rule; permissions.within_scope applies it."""
        return None if self.role == "office" else self.led_team_ids

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def set_password(self, password: str) -> None:
        # Configurable so the test suite can use a cheap hash; production keeps the default.
        method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
        self.password_hash = generate_password_hash(password, method=method or "scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


_dummy_hashes: dict[str, str] = {}


def dummy_password_check(password: str) -> bool:
    """Spend the time of one password check against no account (always False), with the hash
    method real passwords use, so an unknown username answers as slowly as a wrong password."""
    method = (current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None) or "scrypt"
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    check_password_hash(_dummy_hashes[method], password)
    return False


class LoginSession(db.Model):
    """One logged-in browser: ended by its logout, by a password change (the others), by a
    reset or by disabling the login (all)."""

    __tablename__ = "login_sessions"
    __table_args__ = (Index("ix_login_sessions_user_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=lambda: secrets.token_urlsafe(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))  # where the login came from
