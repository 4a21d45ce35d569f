"""The audit-log viewer (office only, read-only: nothing here edits or deletes an entry)."""
from flask import Blueprint, render_template, request, url_for
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..forms import DateTextField, FilterForm, choices
from ..permissions import role_required
from ..views import int_arg
from . import queries, sentences

bp = Blueprint("audit", __name__, url_prefix="/audit")

# object_type -> (endpoint, argument) of the object's own page, where there is one.
OBJECT_PAGES = {
    "team": ("teams.detail", "team_id"),
    "volunteer": ("volunteers.detail", "volunteer_id"),
    "activity": ("activities.detail", "activity_id"),
    "position": ("positions.edit", "position_id"),
    "service_category": ("teams.category_edit", "category_id"),
}


class AuditFilterForm(FilterForm):
    actor = StringField("操作人（用户名）", validators=[Optional(), Length(max=50, message="用户名过长。")])
    object_type = SelectField("对象类型", validate_choice=False)
    object_id = StringField("对象编号", validators=[Optional(), Length(max=40, message="编号过长。")])
    action = StringField("操作", validators=[Optional(), Length(max=50, message="操作名过长。")],
                         render_kw={"placeholder": "如 team 或 team.update"})
    date_from = DateTextField("开始日期")
    date_to = DateTextField("结束日期")

    def validate_date_to(self, field):
        if self.date_from.date and field.date and field.date < self.date_from.date:
            raise ValidationError("结束日期不能早于开始日期。")


def object_url(entry):
    """Link to the object's own page, or None."""
    page = OBJECT_PAGES.get(entry.object_type)
    if not page or not (entry.object_id or "").isdigit():
        return None
    return url_for(page[0], **{page[1]: int(entry.object_id)})


@bp.route("/")
@role_required("office")
def index():
    form = AuditFilterForm(request.args)
    form.object_type.choices = choices([("", "全部")] + queries.object_types(form.object_type.data))
    valid = form.validate()
    filters = queries.AuditFilters(
        actor=(form.actor.data or "").strip() or None,
        object_type=form.object_type.data or None,
        object_id=(form.object_id.data or "").strip() or None,
        action=(form.action.data or "").strip() or None,
        date_from=form.date_from.date,
        date_to=form.date_to.date,
    )
    page = queries.AuditPage()
    if valid:
        page = queries.audit_page(filters, older=int_arg("older"),
                                  newer=int_arg("newer"))
    args = {k: v for k, v in {
        "actor": filters.actor, "object_type": filters.object_type, "object_id": filters.object_id,
        "action": filters.action, "date_from": (form.date_from.data or "").strip() if valid else None,
        "date_to": (form.date_to.data or "").strip() if valid else None}.items() if v}
    return render_template("audit/index.html", form=form, page=page, args=args, valid=valid,
                           names=sentences.Names.load(page.items), sentence=sentences.sentence,
                           changes_in_words=sentences.changes_in_words, extras=sentences.extras,
                           object_url=object_url,
                           object_labels=queries.OBJECT_TYPES)
