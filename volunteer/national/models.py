"""The office's choice of national code for a stored value, and the register of national packs
(CONTRACT section 10).

Stored values stay as they are (section 1: scripts read them); one row here says which
national code a stored value of a field stands for.  A value without a row takes the default
of ``mapping.default_code`` (its own name or alias in the national table, else 其他).
"""
from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class NationalBatch(db.Model):
    """One national pack, numbered in the register (CONTRACT section 10): what it covered, who
    made it, what it holds, and the SHA-256 of the file kept in ``national_batch_files``."""

    __tablename__ = "national_batches"

    id: Mapped[int] = mapped_column(primary_key=True)  # the batch number people quote
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=db.func.current_timestamp())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str] = mapped_column(String(50), default="cli", server_default="cli")
    date_from: Mapped[date | None]
    date_to: Mapped[date | None]
    since_last: Mapped[bool] = mapped_column(default=False, server_default=false())
    volunteers: Mapped[int] = mapped_column(default=0, server_default="0")
    records: Mapped[int] = mapped_column(default=0, server_default="0")
    refused: Mapped[int] = mapped_column(default=0, server_default="0")
    changes: Mapped[int] = mapped_column(default=0, server_default="0")
    size: Mapped[int] = mapped_column(default=0, server_default="0")  # bytes of the file
    digest: Mapped[str] = mapped_column(String(64), default="", server_default="")  # SHA-256 hex

    file = relationship("NationalBatchFile", uselist=False, lazy="raise", cascade="all, delete-orphan")

    @property
    def period_text(self) -> str:
        if self.date_from and self.date_to:
            return f"{self.date_from:%Y-%m-%d} 至 {self.date_to:%Y-%m-%d}"
        if self.date_from:
            return f"{self.date_from:%Y-%m-%d} 起"
        if self.date_to:
            return f"至 {self.date_to:%Y-%m-%d}"
        return "全部"


class NationalBatchFile(db.Model):
    """The workbook of a batch, byte for byte, so it can be downloaded again (the database, not
    local disk: several app instances share it).  Apart from the register so listing it reads
    no file."""

    __tablename__ = "national_batch_files"

    batch_id: Mapped[int] = mapped_column(ForeignKey("national_batches.id"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class NationalExported(db.Model):
    """What the batches last said about each approved record: how `--since-last` knows a record
    is new or changed.  One row per record: the batch that last carried it, the outcome
    (``sent`` in 服务时长, ``refused`` in 不能导出, ``void`` reported in 变更) and the start, end
    and minutes it was written with.  A record is "changed" when today's values or outcome
    differ from this row; no timestamp is trusted, so bulk paths and clock skew cannot hide one."""

    __tablename__ = "national_exported"

    record_id: Mapped[int] = mapped_column(ForeignKey("service_records.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("national_batches.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    start_at: Mapped[datetime | None]
    end_at: Mapped[datetime | None]
    minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    # The day and the activity's times as stored, compared in SQL to find what changed.
    span_key: Mapped[str] = mapped_column(String(30), default="", server_default="")
