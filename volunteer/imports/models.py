"""Import batches: the uploaded file (kept for the preview and confirm steps) and its report."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from ..clock import utcnow

IMPORT_KINDS = {"teams": "队伍", "volunteers": "志愿者", "hours": "服务时长", "training": "培训记录",
                "commendations": "表彰记录", "evaluations": "服务评价"}
IMPORT_STATUS = {"preview": "待确认", "done": "已导入", "failed": "未通过", "cancelled": "已取消"}


class ImportBatch(db.Model):
    __tablename__ = "import_batches"
    __table_args__ = (Index("ix_import_batches_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    # Kept in the database so any worker can confirm a preview made by another.
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    status: Mapped[str] = mapped_column(String(10), default="preview")
    skip_invalid: Mapped[bool] = mapped_column(default=False)
    report: Mapped[dict | None] = mapped_column(JSON)
    # The office's column choices on the preview (header as written -> field, or None for 不导入):
    # confirming reads the stored file with exactly these, so it writes what the preview showed.
    remap: Mapped[dict | None] = mapped_column(JSON)
    # What confirming would write (rows to add / update, activities to create), for the preview
    # only: it names people, so it is dropped with the file once the preview ends.
    plan: Mapped[dict | None] = deferred(mapped_column(JSON))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    created_by = relationship("User")
