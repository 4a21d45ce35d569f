"""Import pages: upload → preview (nothing written yet) → confirm, the rejected rows as a
workbook, and the import history.

The office imports any kind; a leader imports hours only, and only rows of the teams they
lead (the service rejects the others).  The upload is kept in the database (ImportBatch),
so the preview survives a reload and any worker can confirm it.

Checking an upload (or building its rejected rows) reads a whole workbook, which takes a
while: it runs in a read transaction, without the write lock every POST takes, and only the
outcome is written in a short transaction of its own (as the login does).
"""
import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload

from ..permissions import role_required
from ..database import write_intent
from ..errors import ServiceError
from ..excel.vetting import FatalImportError
from ..extensions import db
from ..throttle import Throttled
from ..clock import today_local
from ..forms import choices
from ..views import paginate, save
from . import services
from ..hours.models import RECORD_STATUS
from ..hours.rules import initial_status
from .forms import RemapForm, UploadForm
from .models import IMPORT_KINDS, IMPORT_STATUS, ImportBatch

bp = Blueprint("imports", __name__, url_prefix="/imports")

SHOWN_ERRORS = 1000  # rows of the problem tables on the preview page; the workbook has them all
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def _labels():
    return {"IMPORT_KINDS": IMPORT_KINDS, "IMPORT_STATUS": IMPORT_STATUS}


def _template_links() -> dict[str, str]:
    """Template download links for the kinds this user may import."""
    kinds = services.allowed_kinds(current_user)
    order = ("volunteers", "teams", "hours", "training", "commendations", "evaluations")
    return {kind: url_for("exports.template", kind=kind) for kind in order if kind in kinds}


def _history():
    stmt = services.history(current_user).options(selectinload(ImportBatch.created_by))
    return paginate(stmt)


@bp.route("/", methods=["GET", "POST"])
@role_required("office", "leader")
def index():
    kinds = services.allowed_kinds(current_user)
    form = UploadForm()
    # Rosters are the usual upload: 志愿者 comes first and is chosen unless the link names another.
    ordered = sorted(kinds, key=lambda k: k != "volunteers")
    form.kind.choices = choices((k, IMPORT_KINDS[k]) for k in ordered)
    if request.method == "GET":
        form.kind.data = request.args["kind"] if request.args.get("kind") in kinds else ordered[0]
    fatal = None
    if form.validate_on_submit():
        kind = form.kind.data
        if kind not in IMPORT_KINDS:
            form.kind.errors = ["请选择导入内容。"]
        elif kind not in kinds:
            abort(403)
        else:
            upload = form.file.data
            name = upload.filename or ""
            data = upload.read()  # bounded by MAX_CONTENT_LENGTH; the reader reports a size over 20 MB
            skip = bool(form.skip_invalid.data)
            try:
                report = services.validate_upload(current_user, kind, name, data, skip_invalid=skip,
                                                  today=today_local())
            except FatalImportError as exc:
                report = services.fatal_preview(current_user, kind, name, data, exc)
                if report is None:
                    fatal = _refuse(kind, name, data, exc.reason)  # the failed attempt stays in the history
                else:  # the preview can put it right (choose the columns, or another kind)
                    _transaction(write=True)
                    batch = services.store_preview(current_user, kind, name, data, report, skip_invalid=skip)
                    db.session.commit()
                    return redirect(url_for(".preview", token=batch.token))
            except ServiceError as exc:
                db.session.rollback()
                form.kind.errors = [exc.message]
            else:
                _transaction(write=True)
                try:
                    batch = services.store_preview(current_user, kind, name, data, report, skip_invalid=skip)
                except Throttled as exc:
                    db.session.rollback()  # nothing spent, no row shown
                    fatal = _refuse(kind, name, data, exc.message)
                else:
                    db.session.commit()
                    return redirect(url_for(".preview", token=batch.token))
    return render_template("imports/index.html", form=form, fatal=fatal, page=_history(),
                           templates=_template_links())


@bp.before_request
def _read_first():
    """The upload and the rejected-rows download read a whole workbook before they write
    anything: their transaction begins without the write lock (set before the login check's
    first query), and the view takes it for the short write at the end."""
    if request.endpoint in ("imports.index", "imports.errors", "imports.recheck"):
        write_intent.set(False)


def _transaction(write: bool) -> None:
    """End the current transaction; the next one takes the write lock only if ``write``."""
    db.session.commit()
    write_intent.set(write)


def _refuse(kind: str, name: str, data: bytes, reason: str) -> str:
    """Record an upload refused as a whole (without its file) and return the reason to show."""
    _transaction(write=True)
    services.record_refusal(current_user, kind, name, data, reason)
    db.session.commit()
    return reason


def _batch_or_404(token: str) -> ImportBatch:
    batch = db.session.scalar(select(ImportBatch).where(ImportBatch.token == token))
    if batch is None or not services.can_view(current_user, batch):
        abort(404)
    return batch


@bp.route("/<token>")
@role_required("office", "leader")
def preview(token):
    return _show(_batch_or_404(token))


def _show(batch: ImportBatch, form: RemapForm | None = None):
    """The preview page; ``form`` is the column mapping as posted (with its errors)."""
    report = batch.report or {}
    editable = batch.status == "preview" and not services.expired(batch)
    if form is None and editable and report.get("columns"):
        form = RemapForm.build(batch.kind, report["columns"], formdata=None)
    rows = report.get("rows") or 0
    valid = rows - (report.get("rejected") or 0)
    has_file = db.session.scalar(select(ImportBatch.content.is_not(None)).where(ImportBatch.id == batch.id))
    plan = db.session.scalar(select(ImportBatch.plan).where(ImportBatch.id == batch.id)) if editable else None
    return render_template("imports/preview.html", batch=batch, report=report, valid=valid, has_file=has_file,
                           remap_form=form if editable and has_file else None, plan=plan or {},
                           record_status=RECORD_STATUS[initial_status(current_user)],
                           expired=services.expired(batch), own=services.can_download_errors(current_user, batch),
                           errors=(report.get("errors") or [])[:SHOWN_ERRORS],
                           warnings=(report.get("warnings") or [])[:SHOWN_ERRORS], shown=SHOWN_ERRORS,
                           templates=_template_links())


@bp.route("/<token>/recheck", methods=["POST"])
@role_required("office", "leader")
def recheck(token):
    """Check the stored file again: with the columns the office chose, or as another kind."""
    batch = _batch_or_404(token)
    kind = request.form.get("kind") or batch.kind
    if kind not in services.allowed_kinds(current_user):
        abort(404 if kind not in IMPORT_KINDS else 403)
    remap = form = None
    if kind == batch.kind:  # the column mapping as chosen; another kind starts from its own guess
        form = RemapForm.build(kind, (batch.report or {}).get("columns") or {})
        if not form.validate_on_submit():
            return _show(batch, form)
        checked = save(form, lambda: services.remap_choices(kind, form.names, form.chosen()), commit=False,
                       default_field="kind", columns=form.names)
        if not checked:
            return _show(batch, form)
        remap = checked.value
    read = save(form, lambda: services.revalidate(current_user, batch, kind, remap, today=today_local()),
                commit=False, default_field="kind", columns=form.names if form else None)
    if not read:
        return _show(_batch_or_404(token), form) if form else redirect(url_for(".preview", token=token))
    _transaction(write=True)
    batch = _batch_or_404(token)
    if save(None, lambda: services.store_recheck(current_user, batch, kind, remap, read.value), duplicate=None):
        flash(f"已按“{IMPORT_KINDS[kind]}”重新检查，以下是新的检查结果（尚未写入任何数据）。", "success")
    return redirect(url_for(".preview", token=token))


@bp.route("/<token>/confirm", methods=["POST"])
@role_required("office", "leader")
def confirm(token):
    batch = _batch_or_404(token)
    skip = request.form.get("skip_invalid") == "1"
    try:
        saved = save(None, lambda: services.confirm(current_user, batch, skip_invalid=skip, today=today_local()),
                     duplicate=None)
    except (IntegrityError, OperationalError):
        # Someone changed the same records between the check and the write: nothing was saved.
        db.session.rollback()
        flash("导入时数据被他人同时修改，本次未写入任何数据，请重新确认导入。", "danger")
        return redirect(url_for(".preview", token=token))
    if not saved:
        return redirect(url_for(".preview", token=token))
    report = saved.value
    if report.get("expired"):
        flash(services.MSG_EXPIRED, "warning")
    elif report.get("written"):
        parts = [f"新增 {report['created']} 条", f"更新 {report['updated']} 条", f"未变 {report['unchanged']} 条"]
        if report.get("activities_created"):
            parts.append(f"新建活动 {report['activities_created']} 个")
        if report.get("rejected"):
            parts.append(f"跳过有误的 {report['rejected']} 行")
        flash("导入完成：" + "，".join(parts) + "。", "success")
    elif "fatal" in report:
        flash("文件无法导入：" + report["fatal"], "danger")
    else:
        flash(f"数据已有变化，现在有 {report['rejected']} 行有误，本次未导入任何数据。请查看下方结果后再决定。", "warning")
    return redirect(url_for(".preview", token=token))


@bp.route("/<token>/cancel", methods=["POST"])
@role_required("office", "leader")
def cancel(token):
    batch = _batch_or_404(token)
    if not save(None, lambda: services.cancel(current_user, batch), duplicate=None):
        return redirect(url_for(".preview", token=token))
    flash("已取消本次导入，没有写入任何数据。", "info")
    return redirect(url_for(".index"))


@bp.route("/<token>/errors.xlsx", methods=["POST"])
@role_required("office", "leader")
def errors(token):
    """The uploader's rejected rows as they were typed (full ID numbers): a POST, audited."""
    batch = _batch_or_404(token)
    if not services.can_download_errors(current_user, batch):
        abort(404)
    try:
        data = services.error_file(batch)
    except (ServiceError, FatalImportError):
        abort(404)
    _transaction(write=True)
    batch = _batch_or_404(token)
    services.record_errors_download(current_user, batch)
    db.session.commit()
    stem = batch.file_name.rsplit(".", 1)[0] or "导入"
    response = send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True,
                         download_name=f"{stem}_错误行.xlsx")
    response.headers["Cache-Control"] = "no-store"
    return response
