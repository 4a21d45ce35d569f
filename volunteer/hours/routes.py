"""The office's approval queue, and voiding / correcting single records."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..permissions import get_visible_or_404, role_required

from ..extensions import db
from ..fields import hours_of
from ..periods import month_text
from ..figures import tally_count
from ..teams.models import Team
from . import services
from .forms import CorrectForm, VoidForm
from ..keyset import keyset_page
from ..views import int_arg, int_list_arg, month_arg, month_span, safe_next, save
from .models import ServiceRecord
from .months import pending_by_team_month

bp = Blueprint("hours", __name__, url_prefix="/hours")

def _filters(source) -> dict:
    """The queue's filters, each dropped when malformed or out of range (never a 500)."""
    team_id = int_arg("team_id", source=source)
    return {"team_id": str(team_id) if team_id is not None else "", "month": month_arg(source=source) or ""}

def _queue(filters):
    stmt = select(ServiceRecord).where(ServiceRecord.status == "pending")
    if filters["team_id"].isdigit():
        stmt = stmt.where(ServiceRecord.team_id == int(filters["team_id"]))
    span = month_span(filters["month"])
    if span:
        stmt = stmt.where(ServiceRecord.service_date >= span[0], ServiceRecord.service_date < span[1])
    return stmt

def _pending_count(filters) -> int:
    """The queue's length, from the per-team, per-month tallies (the queue can hold a season's
    entries of a whole town; counting them one by one costs time in proportion)."""
    span = month_span(filters["month"])
    return tally_count("pending", team_id=int(filters["team_id"]) if filters["team_id"].isdigit() else None,
                       month=month_text(span[0]) if span else None)

@bp.route("/approvals")
@role_required("office")
def approvals():
    filters = _filters(request.args)
    stmt = _queue(filters).options(selectinload(ServiceRecord.volunteer), selectinload(ServiceRecord.activity),
                                   selectinload(ServiceRecord.team), selectinload(ServiceRecord.created_by))
    # Keyset by (service_date, id): the deepest page costs what the first does.
    page = keyset_page(stmt, (ServiceRecord.service_date, ServiceRecord.id), (date, int),
                       lambda r: (r.service_date, r.id))
    page.total = _pending_count(filters)
    teams = db.session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    return render_template("hours/approvals.html", page=page, filters=filters, teams=teams, void_form=VoidForm(),
                           by_team_month=pending_by_team_month())

@bp.route("/approvals", methods=["POST"])
@role_required("office")
def approve():
    filters = _filters(request.form)
    if request.form.get("scope") == "all":
        ids = list(db.session.scalars(_queue(filters).with_only_columns(ServiceRecord.id)))
    else:
        ids = int_list_arg("record_id", source=request.form)
    if not ids:
        flash("请先勾选要审核的记录。", "warning")
        return redirect(url_for(".approvals", **filters))
    count = services.approve_records(current_user, ids)
    db.session.commit()
    skipped = len(ids) - count
    flash(f"已审核通过 {count} 条记录。" + (f"{skipped} 条因已处理或所在月份已锁账未通过。" if skipped else ""), "success")
    return redirect(url_for(".approvals", **filters))

@bp.route("/records/<int:record_id>/void", methods=["POST"])
@role_required("office", "leader")
def void(record_id):
    # A write: the writer's scope over the record's team, not "may view" (a leader linked to a
    # volunteer may see that volunteer's records in other teams, never void them).
    rec = get_visible_or_404(ServiceRecord, record_id, "can_manage")
    form = VoidForm()
    if not form.validate_on_submit():
        flash("作废必须填写原因。", "error")
    else:
        if save(None, lambda: services.void_record(current_user, rec, form.reason.data,
                                                   correction=current_user.role == "office"),
                duplicate=None, flash_category="error"):
            flash("记录已作废（记录保留，不再计入时长）。", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("activities.detail", activity_id=rec.activity_id))

@bp.route("/records/<int:record_id>/correct", methods=["GET", "POST"])
@role_required("office")
def correct(record_id):
    rec = get_visible_or_404(ServiceRecord, record_id, "can_manage")
    form = CorrectForm()
    if request.method == "GET":
        form.hours.data = hours_of(rec.minutes)
    if form.validate_on_submit():
        if save(form, lambda: services.correct_record(current_user, rec, int(round(form.hours.data * 60)),
                                                      form.reason.data),
                default_field="reason", duplicate=None):
            flash("时长已更正，原值已记入操作日志。", "success")
            return redirect(url_for("activities.detail", activity_id=rec.activity_id))
    return render_template("hours/correct.html", form=form, record=rec)
