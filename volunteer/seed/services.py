"""Demo data (CONTRACT section 7): one sub-centre shaped like a real town, deterministic per seed.

This module is the door (seed_demo: checks, then the builder in one bulk block, then the audit
entry); seed/builder.py builds the town, seed/records.py its service records, seed/data.py
holds the names and places drawn from.

Everything is generated in plain Python from one `random.Random(seed)` and written with
SQLAlchemy Core bulk inserts (explicit ids, batches of `BATCH` rows), never ORM objects per
row, so a million service records take seconds rather than minutes. Dates are relative to
`today` (Beijing date); stored timestamps are naive UTC like the rest of the schema.

Shape of the data:
- positions: 1 sub-centre, 34 stations (residents' committees), a few points;
- teams: one 居委 team per station and 16 职能部门 teams; one leader login per team;
- volunteers: valid resident ID numbers (gender and birth date agree), registered over the
  last three years (front-loaded: the sub-centre's launch drive), each in one team, some two;
- activities: over the last three years up to yesterday (closed), plus a few upcoming ones
  (published, open for sign-up, no records);
- records: per-volunteer weights are Pareto-like (most serve a few times, some hundreds), a
  volunteer serves only on or after registering, about 20% of volunteers serve not at all this
  year, statuses about 90% approved / 8% pending (the latest entries) / 2% void.
"""
from datetime import date

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..activities.models import Activity
from ..audit.services import record
from ..auth.models import User
from ..auth.services import check_password_rules
from ..errors import ServiceError
from ..extensions import db
from ..figures import bulk_changes
from ..positions.models import Position
from ..teams.models import ServiceCategory, Team
from ..volunteers.models import Volunteer
from .builder import OFFICE_USERNAME, Builder

DEFAULT_VOLUNTEERS = 1000
DEFAULT_ACTIVITIES = 500
DEFAULT_RECORDS = 5000
DEFAULT_SEED = 2026
DEFAULT_PASSWORD = "demo-pass-2026"
NOT_EMPTY_MESSAGE = "数据库中已有数据，未生成演示数据"


def seed_demo(*, volunteers: int = DEFAULT_VOLUNTEERS, activities: int = DEFAULT_ACTIVITIES,
              records: int = DEFAULT_RECORDS, seed: int = DEFAULT_SEED, password: str = DEFAULT_PASSWORD,
              today: date) -> dict:
    """Write the demo data into an empty database; returns counts and the logins made.

    Raises ServiceError when the database already has data or the password breaks the rules.
    Adds and flushes; the caller commits.
    """
    for label, value in (("志愿者", volunteers), ("活动", activities), ("服务记录", records)):
        if value < 0:
            raise ServiceError(f"{label}数量不能为负数。")
    check_password_rules(password, OFFICE_USERNAME)
    if not database_is_empty():
        raise ServiceError(NOT_EMPTY_MESSAGE)
    builder = Builder(seed=seed, today=today, password_hash=generate_password_hash(password))
    with bulk_changes():  # the figures token replaced once, not once per row (SQLite)
        summary = builder.run(volunteers, activities, records)
    record(None, "seed.demo", "database", None,
           f"生成演示数据：志愿者 {summary['volunteers']} 名，活动 {summary['activities']} 场，"
           f"服务记录 {summary['records']} 条",
           seed=seed, today=today, counts={k: v for k, v in summary.items() if isinstance(v, int)})
    db.session.flush()
    return summary


def database_is_empty() -> bool:
    """No team, volunteer, login, position, category or activity yet."""
    for model in (Team, Volunteer, User, Position, ServiceCategory, Activity):
        if db.session.execute(select(model.id).limit(1)).first() is not None:
            return False
    return True
