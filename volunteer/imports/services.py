"""The import history (ImportBatch) and the web's preview → confirm steps.

Every import, from the web or the command line, leaves one ImportBatch: file name, SHA-256,
who, when, the report and the outcome (done / failed).  A web upload is first validated
without writing (status ``preview``) and its bytes kept in the database, so the confirmation
can be handled by any worker, also after a reload; confirming validates the stored bytes
again and writes.  Plain functions: they add/flush, the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from sqlalchemy import select, update

from ..errors import ServiceError
from ..excel.importers import ImportReport, error_file_bytes, fatal_report, run_import
from ..excel.reader import FatalImportError, read_table
from ..extensions import db
from ..models_base import utcnow
from .models import IMPORT_KINDS, ImportBatch

MAX_FILE_NAME = 255


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def allowed_kinds(user) -> tuple[str, ...]:
    """Kinds a user may import: the office any, a leader hours only (their teams' rows)."""
    role = getattr(user, "role", None) if user is not None else "office"
    if role == "office":
        return tuple(IMPORT_KINDS)
    if role == "leader":
        return ("hours",)
    return ()


def check_kind(user, kind: str) -> None:
    if kind not in IMPORT_KINDS:
        raise ServiceError("导入类型无效。", "kind")
    if kind not in allowed_kinds(user):
        raise ServiceError("您没有权限导入这类数据。", "kind")


def record_batch(actor, kind: str, file_name: str, *, sha: str, report: dict, status: str,
                 content: bytes | None = None, skip_invalid: bool = False) -> ImportBatch:
    """Add one history entry; a written import's audit entry is linked to it."""
    now = utcnow()
    batch = ImportBatch(token=secrets.token_urlsafe(24), kind=kind, file_name=_short(file_name), file_sha256=sha,
                        content=content, status=status, skip_invalid=skip_invalid, report=dict(report),
                        created_by_id=getattr(actor, "id", None), created_at=now,
                        finished_at=None if status == "preview" else now)
    db.session.add(batch)
    db.session.flush()
    _link_audit(report, batch)
    return batch


def _link_audit(report, batch: ImportBatch) -> None:
    entry = getattr(report, "audit", None)
    if entry is not None:
        entry.object_type, entry.object_id = "import_batch", str(batch.id)


def _short(name: str) -> str:
    # Control characters (NUL, line breaks) are dropped: PostgreSQL refuses NUL in text, and a
    # bare "." or ".." is no name at all.
    name = "".join(ch for ch in (name or "") if ch >= " " and ch != "\x7f")
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in ("", ".", ".."):
        name = "未命名.xlsx"
    return name[-MAX_FILE_NAME:]


def status_for(report: dict) -> str:
    return "done" if report.get("written") else "failed"


def start_preview(actor, kind: str, file_name: str, data: bytes, *, skip_invalid: bool, today: date
                  ) -> tuple[ImportBatch, dict]:
    """Validate an upload without writing and keep it as a ``preview`` batch.

    A file that cannot be used raises FatalImportError after recording a ``failed`` entry
    (without the bytes); the caller commits either way.
    """
    check_kind(actor, kind)
    name = _short(file_name)
    try:
        report = run_import(kind, actor, data, file_name=name, dry_run=True, skip_invalid=skip_invalid,
                            today=today)
    except FatalImportError as exc:
        record_batch(actor, kind, name, sha=sha256(data), report=fatal_report(name, exc.reason), status="failed")
        raise
    batch = record_batch(actor, kind, name, sha=sha256(data), report=report, status="preview", content=data,
                         skip_invalid=skip_invalid)
    return batch, report


def confirm(actor, batch: ImportBatch, *, skip_invalid: bool, today: date) -> dict:
    """Validate the stored file again and write it (all or nothing unless ``skip_invalid``).

    Only a batch still in ``preview`` can be confirmed; the check is an UPDATE ... WHERE
    status = 'preview', so two confirmations racing on different workers write once.  When
    the data changed since the preview and rows are now rejected without ``skip_invalid``,
    nothing is written and the batch stays in preview with the new report.
    """
    check_kind(actor, batch.kind)
    claimed = db.session.execute(update(ImportBatch).where(ImportBatch.id == batch.id, ImportBatch.status == "preview")
                                 .values(status="done"))
    if claimed.rowcount != 1:
        db.session.refresh(batch)
        raise ServiceError("该导入已处理，不能重复确认。")
    skip = bool(skip_invalid or batch.skip_invalid)
    try:
        report = run_import(batch.kind, actor, batch.content, file_name=batch.file_name, dry_run=False,
                            skip_invalid=skip, today=today)
    except FatalImportError as exc:  # the same bytes read before; only a change of rules could do this
        report = fatal_report(batch.file_name, exc.reason)
    written = bool(report.get("written"))
    batch.status = "done" if written else ("failed" if "fatal" in report else "preview")
    batch.report = dict(report)
    batch.skip_invalid = skip
    batch.finished_at = utcnow() if batch.status != "preview" else None
    _link_audit(report, batch)
    db.session.flush()
    return report


def cancel(actor, batch: ImportBatch) -> None:
    """Drop a preview: the stored file is deleted, the entry stays in the history."""
    if batch.status != "preview":
        raise ServiceError("只有待确认的导入可以取消。")
    batch.status, batch.content, batch.finished_at = "cancelled", None, utcnow()
    db.session.flush()


def error_file(batch: ImportBatch) -> bytes:
    """The rejected rows of a batch as they were, plus 错误原因 (from the stored file)."""
    report = batch.report or {}
    if batch.content is None or not report.get("errors"):
        raise ServiceError("没有可下载的错误行。")
    table = read_table(batch.content, batch.kind)
    return error_file_bytes(table, report["errors"])


def history(user):
    """A SELECT of the history a user may see: the office all, others their own imports."""
    stmt = select(ImportBatch).order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
    if getattr(user, "role", None) != "office":
        stmt = stmt.where(ImportBatch.created_by_id == user.id)
    return stmt


def can_view(user, batch: ImportBatch) -> bool:
    return user.role == "office" or (batch.created_by_id is not None and batch.created_by_id == user.id)


__all__ = ["ImportReport", "allowed_kinds", "cancel", "can_view", "check_kind", "confirm", "error_file", "history",
           "record_batch", "sha256", "start_preview", "status_for"]
