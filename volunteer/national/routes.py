"""The office's national pages (CONTRACT section 10): the codes page (each stored value and each
local 服务类别 with the national code it is reported as, editable row by row) and the register
of national packs (build one by POST; download a batch again by POST: it holds full ID numbers)."""
import io
import tempfile

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ..database import write_intent
from ..extensions import db
from ..permissions import role_required
from ..teams.models import ServiceCategory
from ..views import paginate, save, to_int
from . import mapping, pack
from .forms import CodeForm, PackForm
from .models import NationalBatch

bp = Blueprint("national", __name__, url_prefix="/national")


@bp.get("/codes")
@role_required("office")
def codes_page():
    sections = []
    for field, (label, table) in mapping.MAPPED_FIELDS.items():
        rows = mapping.mapping_rows(field)
        for row in rows:
            row["form"] = CodeForm(table, formdata=None, field=field, value=row["value"], code=row["code"])
        sections.append({"field": field, "label": label, "rows": rows})
    categories = db.session.scalars(db.select(ServiceCategory).order_by(ServiceCategory.sort_order,
                                                                        ServiceCategory.id)).all()
    category_rows = [{"category": c, "form": CodeForm("service_category", formdata=None, field="service_category",
                                                      value=str(c.id), code=c.national_code)}
                     for c in categories]
    return render_template("national/codes.html", sections=sections, category_rows=category_rows)


@bp.post("/codes")
@role_required("office")
def set_code():
    field = request.form.get("field", "")
    if field == "service_category":
        category = db.session.get(ServiceCategory, request.form.get("value", type=int) or 0) or abort(404)
        form = CodeForm("service_category")
        action = lambda: mapping.set_category_code(current_user, category, form.code.data)  # noqa: E731
    elif field in mapping.MAPPED_FIELDS:
        form = CodeForm(mapping.MAPPED_FIELDS[field][1])
        action = lambda: mapping.set_code(current_user, field, form.value.data or "", form.code.data)  # noqa: E731
    else:
        abort(400)
    if not form.validate_on_submit():
        flash("；".join(form.code.errors) or "提交无效，请刷新页面后重试", "error")
        return redirect(url_for(".codes_page"))
    if save(None, action).ok:
        flash("已保存国家代码对应关系", "success")
    return redirect(url_for(".codes_page"))



@bp.get("/batches")
@role_required("office")
def batches():
    form = PackForm(formdata=None)
    return _batches_page(form)


def _batches_page(form, status=200):
    page = paginate(select(NationalBatch).order_by(NationalBatch.id.desc()))
    return render_template("national/batches.html", form=form, page=page), status


@bp.post("/batches")
@role_required("office")
def create_batch():
    form = PackForm()
    if not form.validate_on_submit():
        return _batches_page(form, 400)
    # The batch is a write: end the read transaction and begin a writing one (SQLite's lock
    # taken at BEGIN, never a stale snapshot upgraded at commit).
    db.session.commit()
    write_intent.set(True)
    with tempfile.TemporaryFile() as tmp:
        saved = save(form, lambda: pack.create_batch(current_user, tmp, date_from=form.date_from.date,
                                                      date_to=form.date_to.date, since_last=form.since_last.data),
                     default_field="date_from")
    if not saved:
        return _batches_page(form, 400)
    batch = saved.value
    flash(f"已生成第 {batch.id} 批：志愿者 {batch.volunteers} 人，服务时长 {batch.records} 条，"
          f"不能导出 {batch.refused} 条，变更 {batch.changes} 条。请在下表下载。", "success")
    return redirect(url_for(".batches"))


@bp.post("/batches/download")
@role_required("office")
def download_batch():
    """A batch again, its number in the form (a POST: the file holds full ID numbers; audited)."""
    db.session.commit()  # the audit entry is a write: a writing transaction from here
    write_intent.set(True)
    batch_id = to_int(request.form.get("batch"))
    batch = db.session.get(NationalBatch, batch_id) if batch_id else None
    if batch is None:
        flash("请选择要下载的批次。", "error")
        return redirect(url_for(".batches"))
    saved = save(None, lambda: pack.batch_file(current_user, batch))
    if not saved:
        return redirect(url_for(".batches"))
    response = send_file(io.BytesIO(saved.value), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=pack.download_name(batch), max_age=0, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
