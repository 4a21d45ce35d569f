"""Logins, and the login-failure counters that throttle guessing across all workers."""
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models_base import utcnow
from ..teams.models import team_leaders

ROLE_LABELS = {"office": "分中心办公室", "leader": "队长", "volunteer": "志愿者"}


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
    # Bumped on password change or deactivation so old sessions stop working.
    session_token: Mapped[str] = mapped_column(String(32), default="")

    volunteer = relationship("Volunteer")
    led_teams = relationship("Team", secondary=team_leaders, back_populates="leaders", lazy="selectin")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_enabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def led_team_ids(self) -> set[int]:
        return {t.id for t in self.led_teams}

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def set_password(self, password: str) -> None:
        # Configurable so the test suite can use a cheap hash; production keeps the default.
        method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
        self.password_hash = generate_password_hash(password, method=method or "scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class LoginFailure(db.Model):
    """Failed logins per key ("user:<name>" or "ip:<addr>"), shared by every worker and host."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
