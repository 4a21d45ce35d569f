"""Evaluating everyone recorded on one activity at once (the activity's leaders and the office).

One card per live service record with 守时, 服务态度, 专业水平 and a comment, filled with the live
evaluation when there is one. A card left without scores is skipped; a card with some scores but
not all gets its message and nothing is saved until every card is right (one commit, one audit
entry, merits.services.evaluate_many).
"""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length

from ..activities.models import Activity
from ..errors import ValidationFailed
from ..forms import choices
from ..permissions import get_visible_or_404, role_required
from ..views import save
from . import queries, rules, services
from .forms import SCORE_CHOICES
from .models import SCORES
from .blueprint import bp

FIELDS = (*SCORES, "comment")


def _sheet(records, live: dict):
    """A form with one set of fields per record (`<field>-<record id>`): the posted values on a
    POST, else each record's live evaluation."""
    class Sheet(FlaskForm):
        pass

    for rec in records:
        for key, label in SCORES.items():
            setattr(Sheet, f"{key}-{rec.id}", SelectField(label, choices=choices(SCORE_CHOICES), validate_choice=False))
        setattr(Sheet, f"comment-{rec.id}", StringField("评语", validators=[
            Length(max=rules.COMMENT_MAX, message=f"评语不能超过 {rules.COMMENT_MAX} 个字。")]))
    data = {}
    for rec in records:
        old = live.get(rec.id)
        if old is not None:
            data.update({f"{k}-{rec.id}": str(getattr(old, k)) for k in SCORES})
            data[f"comment-{rec.id}"] = old.comment or ""
    return Sheet() if request.method == "POST" else Sheet(formdata=None, data=data)


@bp.route("/activities/<int:activity_id>/evaluations", methods=["GET", "POST"])
@role_required("office", "leader")
def activity_evaluations(activity_id):
    activity = get_visible_or_404(Activity, activity_id, "can_manage")
    records = queries.activity_records(activity.id)
    live = queries.live_evaluations([r.id for r in records])
    form = _sheet(records, live)
    if form.validate_on_submit():
        entries = _entries(form, records)
        if entries is None:
            flash("有评价未填完整，请修改标红的项目后再保存（尚未保存任何内容）。", "error")
        elif not entries:
            flash("没有填写任何评价。", "warning")
        else:
            saved = save(None, lambda: services.evaluate_many(current_user, activity, entries), flash_category="error")
            if saved:
                flash(f"已保存评价 {saved.value['evaluated']} 条，未变 {saved.value['unchanged']} 条。", "success")
                return redirect(url_for(".activity_evaluations", activity_id=activity_id))
    return render_template("merits/activity_evaluations.html", activity=activity, records=records, form=form,
                           live=live)


def _entries(form, records):
    """{record: values} of the cards with any score; None when a card is incomplete (its
    messages put on its fields)."""
    entries, complete = {}, True
    for rec in records:
        values = {k: form[f"{k}-{rec.id}"].data for k in FIELDS}
        if not any(values[k] for k in SCORES):
            if (values["comment"] or "").strip():
                form[f"punctuality-{rec.id}"].errors = ["填写评语时请同时打分。"]
                complete = False
            continue
        try:
            rules.clean_evaluation(values)
        except ValidationFailed as exc:
            complete = False
            for key, message in exc.errors:
                form[f"{key}-{rec.id}"].errors = [message]
            continue
        entries[rec] = values
    return entries if complete else None
