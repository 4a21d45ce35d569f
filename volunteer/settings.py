"""The office's settings: key/value rows that several features read and the office edits.

Certificates keep their issuer details here, check-in its rounding unit, integrity its daily
hours limit. One model and three services, below every feature that uses them, so none of
them reaches into another feature for a setting. `save_settings` audits in the caller's
transaction (audit is the one service the floor leans on: a change nobody can trace is not
allowed) and never commits.
"""
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from .audit.services import record
from .extensions import db


class Setting(db.Model):
    """Key/value settings: issuer details on certificates, the daily-hours threshold."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


def get_settings(defaults: dict[str, str]) -> dict[str, str]:
    """{key: stored value, or the default when none is stored} for the given keys."""
    stored = dict(db.session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(list(defaults)))).all())
    return {k: stored.get(k, v) for k, v in defaults.items()}


def get_setting(key: str, default: str | None = None) -> str | None:
    row = db.session.get(Setting, key)
    return row.value if row is not None else default


def save_settings(actor, values: dict[str, str], labels: dict[str, str] | None = None) -> bool:
    """Store the values that differ from what is stored (or from nothing); audit one entry.

    Returns whether anything changed. Values are stripped text of at most 500 characters.
    """
    before, after = {}, {}
    for key, value in values.items():
        value = ("" if value is None else str(value)).strip()[:500]
        row = db.session.get(Setting, key)
        old = row.value if row is not None else None
        if old == value:
            continue
        if row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
        before[key], after[key] = old, value
    if not after:
        return False
    names = "、".join((labels or {}).get(k, k) for k in after)
    record(actor, "settings.update", "setting", None, f"修改设置：{names}", before=before, after=after)
    return True
