"""The team side of joining: a team's pending applications (同意 / 拒绝 with a reason) for its
leaders and the office, and the one-time password a leader or the office gives a member who
forgot theirs (shown once, on the answer to the POST, never in a flash or a URL)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..clock import today_local
from ..extensions import db
from ..permissions import get_visible_or_404, role_required
from ..teams.models import Team
from ..views import int_arg, save
from ..volunteers.models import Volunteer
from . import account, applications
from .blueprint import bp
from .forms import DeclineForm
from .models import TeamApplication
from .services import can_verify


def _decline_forms(pending, failed: DeclineForm | None = None, failed_id: int | None = None) -> dict:
    """One decline form per application, each with its own prefix; the failed one as posted."""
    return {a.id: failed if a.id == failed_id and failed is not None
            else DeclineForm(formdata=None, prefix=f"app{a.id}") for a in pending}


@bp.route("/teams/<int:team_id>/applications", methods=["GET", "POST"])
@role_required("office", "leader")
def applications_page(team_id):
    """Pending applications of one team: accept, or decline with a reason the applicant sees."""
    team = get_visible_or_404(Team, team_id, predicate="can_manage")
    failed = failed_id = None
    if request.method == "POST":
        application_id = int_arg("application_id", source=request.form)
        application = db.session.get(TeamApplication, application_id) if application_id else None
        decision = request.form.get("decision")
        if application is None or application.team_id != team.id or decision not in ("accept", "decline"):
            flash(applications.GONE, "warning")
            return redirect(url_for(".applications_page", team_id=team_id))
        name = application.volunteer.name
        form = DeclineForm(prefix=f"app{application.id}")
        if decision == "accept":
            # An error (handled meanwhile, person closed) is a flash: there is nothing to retype.
            if save(None, lambda: applications.accept(current_user, application, today_local()), duplicate=None):
                flash(f"已同意 {name} 加入本队。", "success")
            return redirect(back_to(team_id))
        if form.validate_on_submit() and save(form, lambda: applications.decline(current_user, application,
                                                                                form.reason.data),
                                              default_field="reason", duplicate=None):
            flash(f"已拒绝 {name} 的入队申请。", "success")
            return redirect(back_to(team_id))
        failed, failed_id = form, application_id  # the reason as typed, with its message
    team = db.session.get(Team, team_id)
    pending = applications.pending_for_team(team.id)
    return render_template("joining/applications.html", team=team, pending=pending,
                           forms=_decline_forms(pending, failed, failed_id))


def back_to(team_id: int) -> str:
    """Back to the team page when the decision came from there, else to the list."""
    if request.form.get("back") == "team":
        return url_for("teams.detail", team_id=team_id)
    return url_for(".applications_page", team_id=team_id)


@bp.route("/volunteers/<int:volunteer_id>/one-time-password", methods=["POST"])
@role_required("office", "leader")
def one_time_password(volunteer_id):
    """重置密码: a new one-time password, shown once on this answer; the next login must change it."""
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or not can_verify(current_user, volunteer):
        abort(404)
    name = volunteer.name
    saved = save(None, lambda: (account.one_time_password(current_user, volunteer), account.login_of(volunteer).username),
                 duplicate=None)
    if not saved:  # no login yet, a leader's login, a closed account: the message is flashed
        return redirect(url_for("volunteers.detail", volunteer_id=volunteer_id))
    password, username = saved.value
    return render_template("joining/one_time_password.html", name=name, username=username, password=password,
                           back_url=url_for("volunteers.detail", volunteer_id=volunteer_id), back_label="返回志愿者页面")


@bp.route("/volunteers/<int:volunteer_id>/erase", methods=["POST"])
@role_required("office")
def erase_personal_data(volunteer_id):
    """清除个人信息 of a closed account, at the person's request (records and certificates stay)."""
    volunteer = db.session.get(Volunteer, volunteer_id) or abort(404)
    if save(None, lambda: account.erase_personal_data(current_user, volunteer), duplicate=None):
        flash("已清除该志愿者的其他个人信息；姓名、证件和服务记录依法保留。", "success")
    return redirect(url_for("volunteers.detail", volunteer_id=volunteer_id))
