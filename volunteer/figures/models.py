"""The tables behind the figures: the cache token, the per-month tallies and the report facts.

None of them is written by the application: database triggers on `service_records` keep them
(volunteer/figures/triggers.py, facts.py), so every way of writing a record is covered alike.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RecordTally(db.Model):
    """Service records of one team, month ("YYYY-MM" of service_date) and status: how many,
    and their minutes. Maintained by triggers on service_records; never written by the app."""

    __tablename__ = "record_tallies"

    team_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    records: Mapped[int]
    minutes: Mapped[int] = mapped_column(BigInteger)


class DataVersion(db.Model):
    """One row per family of cached figures: `token` changes whenever their data changes."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    token: Mapped[str] = mapped_column(String(40))


# --- report facts: approved records only (CONTRACT section 5); kept by figures/facts.py -------------
# category_id 0 stands for "no category" (a primary key column cannot be NULL); team_id 0 in
# volunteer_periods and period_counts stands for the whole town.


class ReportCell(db.Model):
    """Approved records of one team, category and month: how many, their minutes, and how many
    activities have at least one of them in this cell (活动次数)."""

    __tablename__ = "report_cells"

    team_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    category_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    records: Mapped[int]
    minutes: Mapped[int] = mapped_column(BigInteger)
    activities: Mapped[int]


class ActivityMonth(db.Model):
    """Approved records of one activity in one cell: the presence that report_cells.activities
    counts (bumped when a row appears or disappears, so the count stays a distinct count)."""

    __tablename__ = "activity_months"

    activity_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    team_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    category_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    records: Mapped[int]


class VolunteerPeriod(db.Model):
    """Approved records and minutes of one volunteer in one period ("YYYY" or "YYYY-MM") for one
    team (0: the whole town): the ranking, and the presence behind period_counts."""

    __tablename__ = "volunteer_periods"
    __table_args__ = (
        Index("ix_volunteer_periods_rank", "period", "team_id", "minutes"),
        # The rows a change has just emptied (deleted at once): a tiny index, so the triggers
        # find them without walking a whole period.
        Index("ix_volunteer_periods_empty", "period", sqlite_where=text("records = 0"),
              postgresql_where=text("records = 0")),
    )

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    team_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    volunteer_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    records: Mapped[int]
    minutes: Mapped[int] = mapped_column(BigInteger)


class PeriodCount(db.Model):
    """How many distinct volunteers served (an approved record) in a period for a team (0: the
    town): 参与志愿者数, which does not add up across months or teams."""

    __tablename__ = "period_counts"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    team_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    volunteers: Mapped[int]


class StarRise(db.Model):
    """A volunteer whose star level rose within a period ("YYYY" or "YYYY-MM"): approved minutes
    dated before the period (minutes_from) and up to its end (minutes_to), and both levels."""

    __tablename__ = "star_rises"
    __table_args__ = (Index("ix_star_rises_list", "period", "level_to", "minutes_to"),)

    volunteer_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    level_from: Mapped[int]
    level_to: Mapped[int]
    minutes_from: Mapped[int] = mapped_column(BigInteger)
    minutes_to: Mapped[int] = mapped_column(BigInteger)


class RegistrationMonth(db.Model):
    """Volunteers by month of 注册日期 ("YYYY-MM") and status, town-wide: 新注册志愿者 per month
    and the registered count at a month's end. Maintained by triggers on volunteers."""

    __tablename__ = "registration_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    volunteers: Mapped[int]


class FactDelta(db.Model):
    """Approved records written during a bulk load, signed (+1 added, -1 taken away): applied to
    the facts in one pass at the load's end (figures.bulk_changes), then emptied."""

    __tablename__ = "fact_deltas"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    team_id: Mapped[int]
    category_id: Mapped[int]
    service_date: Mapped[date]
    volunteer_id: Mapped[int]
    activity_id: Mapped[int]
    minutes: Mapped[int]
    sign: Mapped[int]
