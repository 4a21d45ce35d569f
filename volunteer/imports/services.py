"""The import history (ImportBatch) and the web's preview → confirm steps.

Every import, from the web or the command line, leaves one ImportBatch: file name, SHA-256,
who, when, the report and the outcome (done / failed).  A web upload is first validated
without writing (``validate_upload``, in a read transaction: no write lock while 20,000 rows
are checked), then kept as a ``preview`` batch with its bytes (``store_preview``, a short
write), so the confirmation can be handled by any worker, also after a reload; confirming
validates the stored bytes again and writes.

Privacy (CONTRACT section 3): a leader's hours preview tells, row by row, whether ID numbers
and mobiles are registered, so its answers come out of the leader's look-up budget before
the batch is stored (all or nothing: a refused upload shows no row); the stored bytes hold
full ID numbers, so they are dropped once the batch is confirmed, cancelled or a day old, and
the rejected rows go back only to the uploader, each download audited.
Plain functions: they add/flush, the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from sqlalchemy import select, update

from .. import throttle
from ..audit.services import record
from ..errors import ServiceError
from ..excel.columns import better_kind, get_kind
from ..excel.importers import ImportReport, error_file_bytes, fatal_report, run_import
from ..excel.reader import read_table
from ..excel.vetting import FatalImportError
from ..extensions import db
from ..clock import utcnow
from .models import IMPORT_KINDS, ImportBatch

MAX_FILE_NAME = 255
KEEP_UPLOAD = timedelta(days=1)  # a preview's stored file is dropped after this
MSG_EXPIRED = "该导入的预览已超过一天，上传的文件已删除，请重新上传。"


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


def validate_upload(actor, kind: str, file_name: str, data: bytes, *, skip_invalid: bool, today: date,
                    remap: dict | None = None):
    """Read and check an upload without writing anything: a read transaction is enough.

    Returns the report (with ``lookups``, the answers a leader pays for, and ``better_kind``
    when the headers fit another kind the user may import better); raises FatalImportError
    when the file cannot be used, ServiceError for a kind not allowed.  ``remap`` is the
    office's column choices (header as written -> field or None).
    """
    check_kind(actor, kind)
    report = run_import(kind, actor, data, file_name=_short(file_name), dry_run=True, skip_invalid=skip_invalid,
                        today=today, remap=remap)
    other = better_kind(report.table.header, kind, allowed_kinds(actor))
    if other:
        report["better_kind"] = other
    return report


def fatal_preview(actor, kind: str, file_name: str, data: bytes, exc: FatalImportError) -> dict | None:
    """The report of a refused file that the preview can still put right, else None.

    A required column not recognised (the guesser missed 身份证 for 证件号码, say) is fixed by
    choosing the column on the preview; a file that reads as another kind the user may import
    (a roster uploaded as 服务时长) is fixed by switching the kind.  Neither needs a new upload.
    """
    report = fatal_report(_short(file_name), exc.reason)
    allowed = allowed_kinds(actor)
    if exc.columns is not None:
        report["columns"] = dict(exc.columns)
        other = better_kind(exc.header or [], kind, allowed)
    else:
        other = next((k for k in allowed if k != kind and _reads_as(data, file_name, k)), None)
    if other:
        report["better_kind"] = other
    return report if exc.columns is not None or other else None


def _reads_as(data: bytes, file_name: str, kind: str) -> bool:
    try:
        read_table(data, kind, file_name=file_name)
    except FatalImportError:
        return False
    return True


def store_preview(actor, kind: str, file_name: str, data: bytes, report, *, skip_invalid: bool,
                  remap: dict | None = None) -> ImportBatch:
    """Pay for the report's answers and keep the upload as a ``preview`` batch.

    Raises Throttled (nothing spent, nothing stored) when the uploader's look-up budget cannot
    pay for every row that tells whether someone is registered; the caller rolls back and the
    rows are never shown.  The spend is audited.  Old uploads are dropped on the way.
    """
    lookups = getattr(report, "lookups", 0)
    throttle.spend(actor, lookups)
    drop_old_uploads(actor)
    name = _short(file_name)
    batch = record_batch(actor, kind, name, sha=sha256(data), report=report, status="preview", content=data,
                         skip_invalid=skip_invalid)
    batch.remap, batch.plan = remap, getattr(report, "plan", None)
    _spent(actor, batch, lookups)
    return batch


def _spent(actor, batch: ImportBatch, lookups: int) -> None:
    name = batch.file_name
    if lookups and not throttle.exempt(actor):
        record(actor, "import.lookups", "import_batch", batch.id,
               f"导入预览（{name}）：{lookups} 行的结果表明证件号码或手机号码是否已登记，计入查询额度",
               file=name, lookups=lookups)


def record_refusal(actor, kind: str, file_name: str, data: bytes, reason: str) -> ImportBatch:
    """A ``failed`` history entry for an upload that was refused as a whole (no file, no rows)."""
    name = _short(file_name)
    return record_batch(actor, kind, name, sha=sha256(data), report=fatal_report(name, reason), status="failed")


def start_preview(actor, kind: str, file_name: str, data: bytes, *, skip_invalid: bool, today: date
                  ) -> tuple[ImportBatch, dict]:
    """Validate an upload and keep it as a ``preview`` batch, in the caller's transaction.

    (The web page runs the two steps in separate transactions; this is for callers that hold
    one.)  A file that cannot be used raises FatalImportError after recording a ``failed``
    entry (without the bytes); the caller commits either way.
    """
    try:
        report = validate_upload(actor, kind, file_name, data, skip_invalid=skip_invalid, today=today)
    except FatalImportError as exc:
        record_refusal(actor, kind, file_name, data, exc.reason)
        raise
    return store_preview(actor, kind, file_name, data, report, skip_invalid=skip_invalid), report


def remap_choices(kind: str, columns: dict, chosen: dict) -> dict:
    """Check the office's column choices; header as written -> field or None, all of them.

    Raises ServiceError naming the problem (on the column's header): a field that is not of
    this kind, one field chosen for two columns, a required field chosen for none.
    """
    spec = get_kind(kind)
    fields = set(spec.headers)
    remap, first = {}, {}
    for header in columns:
        field = chosen.get(header) or None
        if field is not None and field not in fields:
            raise ServiceError(f"“{header}”的对应字段无效，请从列表中选择。", header)
        if field is not None and field in first:
            raise ServiceError(f"“{first[field]}”和“{header}”都对应了“{field}”，每个字段只能对应一列。", header)
        if field is not None:
            first[field] = header
        remap[header] = field
    missing = [c.header for c in spec.columns if c.required and c.header not in first]
    missing += ["或".join(spec.column(k).header for k in group) for group in spec.one_of
                if not any(spec.column(k).header in first for k in group)]
    if missing:
        raise ServiceError("必填的字段没有对应的列：" + "、".join(missing) + "。请为它选择文件中的一列。")
    return remap


def revalidate(actor, batch: ImportBatch, kind: str, remap: dict | None, *, today: date):
    """Check the stored file again as ``kind`` with the office's ``remap`` (reads only).

    Returns the report, or a fatal report (dict) that the preview can still put right; raises
    ServiceError when the preview can no longer change or the file cannot be read so.
    """
    check_kind(actor, kind)
    if batch.status != "preview" or expired(batch) or batch.content is None:
        raise ServiceError("该导入已不是待确认的预览，不能重新检查。")
    try:
        return validate_upload(actor, kind, batch.file_name, batch.content, skip_invalid=batch.skip_invalid,
                               today=today, remap=remap)
    except FatalImportError as exc:
        report = fatal_preview(actor, kind, batch.file_name, batch.content, exc)
        if report is None:
            raise ServiceError(exc.reason) from None
        return report


def store_recheck(actor, batch: ImportBatch, kind: str, remap: dict | None, report) -> None:
    """Keep the re-checked preview: its kind, column choices, report and plan; audited.

    A leader pays for the new answers as for an upload (Throttled: nothing changes).
    """
    if batch.status != "preview":
        raise ServiceError("该导入已处理，不能重新检查。")
    lookups = getattr(report, "lookups", 0)
    throttle.spend(actor, lookups)
    before = {"kind": batch.kind, "remap": batch.remap}
    batch.kind, batch.remap, batch.report, batch.plan = kind, remap, dict(report), getattr(report, "plan", None)
    db.session.flush()
    what = IMPORT_KINDS[kind] + ("（按选择的列对应）" if remap else "")
    record(actor, "import.recheck", "import_batch", batch.id, f"重新检查导入（{batch.file_name}），按{what}",
           before=before, after={"kind": kind, "remap": remap}, file=batch.file_name)
    _spent(actor, batch, lookups)


def expired(batch: ImportBatch, now=None) -> bool:
    """A preview older than a day: its file is (or is about to be) gone."""
    return batch.status == "preview" and batch.created_at < (now or utcnow()) - KEEP_UPLOAD


def drop_old_uploads(actor) -> list[int]:
    """Drop the stored files of batches a day old (their previews end as cancelled); audited.

    Called whenever a new preview is stored, so files do not pile up without a scheduler.
    """
    now = utcnow()
    ids = list(db.session.scalars(select(ImportBatch.id).where(
        ImportBatch.content.is_not(None), ImportBatch.created_at < now - KEEP_UPLOAD)))
    if ids:
        db.session.execute(update(ImportBatch).where(ImportBatch.id.in_(ids), ImportBatch.status == "preview")
                           .values(status="cancelled", finished_at=now), execution_options={"synchronize_session": False})
        db.session.execute(update(ImportBatch).where(ImportBatch.id.in_(ids)).values(content=None, plan=None),
                           execution_options={"synchronize_session": False})
        record(actor, "import.expire", "import_batch", None,
               f"删除 {len(ids)} 个超过一天的导入上传文件（未确认的预览已取消）", batches=ids)
    return ids


def confirm(actor, batch: ImportBatch, *, skip_invalid: bool, today: date) -> dict:
    """Validate the stored file again and write it (all or nothing unless ``skip_invalid``).

    Only a batch still in ``preview`` can be confirmed; the check is an UPDATE ... WHERE
    status = 'preview', so two confirmations racing on different workers write once.  When
    the data changed since the preview and rows are now rejected without ``skip_invalid``,
    nothing is written and the batch stays in preview with the new report.  A preview a day
    old is not confirmed: it ends as cancelled, its file dropped, and ``{"expired": True}`` is
    returned.  Once the batch is no longer a preview its stored file is dropped.
    """
    check_kind(actor, batch.kind)
    if (batch.report or {}).get("fatal") and batch.status == "preview" and not expired(batch):
        raise ServiceError("文件还不能导入：请先在下方选择各列对应的字段（或换一种导入内容）后重新检查。")
    if expired(batch):
        _end(actor, batch, "cancelled", "import.expire", f"导入预览已超过一天，未导入（{batch.file_name}）")
        return {"expired": True}
    claimed = db.session.execute(update(ImportBatch).where(ImportBatch.id == batch.id, ImportBatch.status == "preview")
                                 .values(status="done"))
    if claimed.rowcount != 1:
        db.session.refresh(batch)
        raise ServiceError("该导入已处理，不能重复确认。")
    skip = bool(skip_invalid or batch.skip_invalid)
    try:
        report = run_import(batch.kind, actor, batch.content, file_name=batch.file_name, dry_run=False,
                            skip_invalid=skip, today=today, remap=batch.remap)
    except FatalImportError as exc:  # the same bytes read before; only a change of rules could do this
        report = fatal_report(batch.file_name, exc.reason)
    written = bool(report.get("written"))
    batch.status = "done" if written else ("failed" if "fatal" in report else "preview")
    batch.report = dict(report)
    batch.skip_invalid = skip
    batch.finished_at = utcnow() if batch.status != "preview" else None
    batch.plan = getattr(report, "plan", None) if batch.status == "preview" else None
    if batch.status != "preview":
        batch.content = None
    _link_audit(report, batch)
    db.session.flush()
    return report


def cancel(actor, batch: ImportBatch) -> None:
    """Drop a preview: the stored file is deleted, the entry stays in the history; audited."""
    if batch.status != "preview":
        raise ServiceError("只有待确认的导入可以取消。")
    _end(actor, batch, "cancelled", "import.cancel", f"取消导入（{batch.file_name}），未写入任何数据")


def _end(actor, batch: ImportBatch, status: str, action: str, summary: str) -> None:
    """Close a preview without writing: status, file dropped, audited."""
    before = batch.status
    batch.status, batch.content, batch.plan, batch.finished_at = status, None, None, utcnow()
    db.session.flush()
    record(actor, action, "import_batch", batch.id, summary, before={"status": before}, after={"status": status},
           file=batch.file_name, kind=batch.kind)


def can_download_errors(user, batch: ImportBatch) -> bool:
    """The rejected rows (full ID numbers as typed) go back to the uploader only."""
    return batch.created_by_id is not None and batch.created_by_id == getattr(user, "id", None)


def error_file(batch: ImportBatch) -> bytes:
    """The rejected rows of a batch as they were, plus 错误原因 (from the stored file).

    Reads only; the caller checks ``can_download_errors`` and audits the download with
    ``record_errors_download``.
    """
    report = batch.report or {}
    if batch.content is None or not report.get("errors") or expired(batch):
        raise ServiceError("没有可下载的错误行。")
    table = read_table(batch.content, batch.kind, file_name=batch.file_name or "", remap=batch.remap)
    return error_file_bytes(table, report["errors"])


def record_errors_download(actor, batch: ImportBatch) -> None:
    rows = sorted({e["row"] for e in (batch.report or {}).get("errors") or []})
    record(actor, "import.errors_download", "import_batch", batch.id,
           f"下载导入的错误行（{batch.file_name}，{len(rows)} 行，含原样填写的证件号码）", file=batch.file_name, rows=rows)


def history(user):
    """A SELECT of the history a user may see: the office all, others their own imports."""
    stmt = select(ImportBatch).order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
    if getattr(user, "role", None) != "office":
        stmt = stmt.where(ImportBatch.created_by_id == user.id)
    return stmt


def can_view(user, batch: ImportBatch) -> bool:
    return user.role == "office" or (batch.created_by_id is not None and batch.created_by_id == user.id)


__all__ = ["ImportReport", "allowed_kinds", "can_download_errors", "can_view", "cancel", "check_kind", "confirm",
           "drop_old_uploads", "error_file", "expired", "fatal_preview", "history", "record_batch",
           "record_errors_download", "record_refusal", "remap_choices", "revalidate", "sha256", "start_preview",
           "status_for", "store_preview", "store_recheck", "validate_upload"]
