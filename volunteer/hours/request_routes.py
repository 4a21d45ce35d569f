"""Request pages: a volunteer's 申请更正 / 申请补录 (from /me), and the handlers' queue.

A volunteer reaches only their own records (another's answers 404); a handler only the
requests of the teams they lead (the office every team's). Each POST runs one service from
hours/requests.py through views.save: one commit, or the message on the form with what was
typed kept.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..clock import today_local
from ..extensions import db
from ..fields import hours_of
from ..forms import choices, data_choices
from ..permissions import get_visible_or_404, own_volunteer_or_404, role_required
from ..views import paginate, save
from . import requests
from .models import REQUEST_STATUS, RecordRequest, ServiceRecord
from .request_forms import AcceptForm, CorrectionRequestForm, DeclineForm, MissingRequestForm

bp = Blueprint("requests", __name__, url_prefix="/requests")


@bp.route("/records/<int:record_id>", methods=["GET", "POST"])
@login_required
def correct(record_id):
    """申请更正 of one of one's own records."""
    volunteer = own_volunteer_or_404()
    rec = db.session.get(ServiceRecord, record_id)
    if rec is None or rec.volunteer_id != volunteer.id:
        abort(404)
    form = CorrectionRequestForm()
    if request.method == "GET":
        form.hours.data = f"{hours_of(rec.minutes):g}"
    if form.validate_on_submit():
        if save(form, lambda: requests.ask_correction(current_user, volunteer, rec, form.kind.data, form.hours.data,
                                                      form.reason.data), default_field="reason", duplicate=None):
            flash(_("更正申请已提交，队长或分中心办公室处理后会在这里显示结果。"), "success")
            return redirect(url_for("me.index") + "#my-requests")
    return render_template("hours/request_correct.html", form=form, record=rec)


@bp.route("/missing", methods=["GET", "POST"])
@login_required
def missing():
    """申请补录 of a service that has no record."""
    volunteer = own_volunteer_or_404()
    today = today_local()
    activities = requests.missing_choices(volunteer, today)
    form = MissingRequestForm()
    form.activity_id.choices = choices([(0, _("列表中没有，手动填写"))]) + data_choices([
        (a.id, f"{a.service_date} {a.title}（{a.team.name}）") for a in activities])
    teams = sorted((m.team for m in volunteer.memberships), key=lambda t: t.name)
    form.team_id.choices = choices([(0, _("请选择"))]) + data_choices([(t.id, t.name) for t in teams])
    if form.validate_on_submit():
        picked = {a.id: a for a in activities}.get(form.activity_id.data)
        if form.activity_id.data and picked is None:
            form.activity_id.errors.append(_("请从列表中选择活动。"))
        elif save(form, lambda: requests.ask_missing(
                current_user, volunteer, activity=picked, team_id=form.team_id.data, title=form.title.data,
                service_date=form.service_date.date, hours_text=form.hours.data, reason=form.reason.data,
                today=today), default_field="reason", duplicate=None):
            flash(_("补录申请已提交，队长或分中心办公室处理后会在这里显示结果。"), "success")
            return redirect(url_for("me.index") + "#my-requests")
    return render_template("hours/request_missing.html", form=form)


@bp.route("/<int:request_id>/withdraw", methods=["POST"])
@login_required
def withdraw(request_id):
    volunteer = own_volunteer_or_404()
    req = db.session.get(RecordRequest, request_id)
    if req is None or req.volunteer_id != volunteer.id:
        abort(404)
    if save(None, lambda: requests.withdraw(current_user, req, volunteer), duplicate=None):
        flash(_("申请已撤回。"), "success")
    return redirect(url_for("me.index") + "#my-requests")


@bp.route("/")
@role_required("office", "leader")
def index():
    """The queue of the teams one handles: pending ones oldest first, overdue marked."""
    status = request.args.get("status", "pending")
    status = status if status in REQUEST_STATUS or status == "all" else "pending"
    page = paginate(requests.queue(current_user, status))
    cutoff = requests.overdue_before(today_local())
    return render_template("hours/requests.html", page=page, status=status, statuses=REQUEST_STATUS, cutoff=cutoff)


def _handling(request_id):
    req = get_visible_or_404(RecordRequest, request_id, "can_manage")
    accept_form, decline_form = AcceptForm(prefix="a"), DeclineForm(prefix="d")
    near = requests.team_activities_near(req) if req.kind == "missing" and req.activity_id is None else []
    accept_form.activity_id.choices = choices([(0, "请选择")] + [(a.id, f"{a.service_date} {a.title}") for a in near])
    return req, accept_form, decline_form, near


def _render(req, accept_form, decline_form, near):
    return render_template("hours/request_detail.html", req=req, accept_form=accept_form, decline_form=decline_form,
                           near=near, overdue=requests.is_overdue(req), locked=req.service_date and
                           requests.is_month_locked(req.service_date))


@bp.route("/<int:request_id>")
@role_required("office", "leader")
def detail(request_id):
    return _render(*_handling(request_id))


@bp.route("/<int:request_id>/accept", methods=["POST"])
@role_required("office", "leader")
def accept(request_id):
    req, accept_form, decline_form, near = _handling(request_id)
    if accept_form.validate_on_submit():
        activity = {a.id: a for a in near}.get(accept_form.activity_id.data)
        name = req.volunteer.name
        if save(accept_form, lambda: requests.accept(current_user, req, activity), default_field="activity_id",
                duplicate=None):
            done = "已确认" if current_user.role == "office" else "待分中心审核"
            flash(f"已采纳 {name} 的申请，记录已按申请更改（{done}）。", "success")
            return redirect(url_for(".index"))
        req = db.session.get(RecordRequest, request_id)
    return _render(req, accept_form, decline_form, near)


@bp.route("/<int:request_id>/decline", methods=["POST"])
@role_required("office", "leader")
def decline(request_id):
    req, accept_form, decline_form, near = _handling(request_id)
    if decline_form.validate_on_submit():
        name = req.volunteer.name
        if save(decline_form, lambda: requests.decline(current_user, req, decline_form.decline_reason.data),
                default_field="decline_reason", duplicate=None):
            flash(f"已不采纳 {name} 的申请，原因会显示给志愿者。", "success")
            return redirect(url_for(".index"))
        req = db.session.get(RecordRequest, request_id)
    return _render(req, accept_form, decline_form, near)
