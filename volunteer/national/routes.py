"""The office's page of national codes (CONTRACT section 10): each stored value and each local
服务类别 with the national code it is reported as, editable row by row."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..permissions import role_required
from ..teams.models import ServiceCategory
from ..views import save
from . import mapping
from .forms import CodeForm

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

