"""The office's choice of national code for a stored value (CONTRACT section 10).

Stored values stay as they are (section 1: scripts read them); one row here says which
national code a stored value of a field stands for.  A value without a row takes the default
of ``mapping.default_code`` (its own name or alias in the national table, else 其他).
"""
from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import db


class NationalCodeMap(db.Model):
    __tablename__ = "national_code_map"
    __table_args__ = (UniqueConstraint("field", "value", name="uq_national_code_map_field_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    field: Mapped[str] = mapped_column(String(30))  # a key of mapping.MAPPED_FIELDS
    value: Mapped[str] = mapped_column(String(100))  # the stored value, as stored
    code: Mapped[str] = mapped_column(String(4))  # a code of codes.TABLES[table of field]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow,
                                                 server_default=db.func.current_timestamp())
