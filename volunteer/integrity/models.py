"""Decisions on integrity exceptions (the office's settings live in volunteer/settings.py)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..clock import utcnow


class IntegrityReview(db.Model):
    """The office's decision on one flagged record for one rule: confirmed or voided."""

    __tablename__ = "integrity_reviews"
    __table_args__ = (UniqueConstraint("rule", "record_id", name="uq_integrity_rule_record"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(ForeignKey("service_records.id"), index=True)
    decision: Mapped[str] = mapped_column(String(10))  # "confirmed" | "voided"
    reason: Mapped[str] = mapped_column(String(200))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

