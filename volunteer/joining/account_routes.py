"""The volunteer's own joining pages under /me: apply to teams, withdraw an application, leave
a team, close the account. Each needs a login linked to a volunteer (others: 404)."""
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..clock import today_local
from ..errors import ServiceError
from ..extensions import db
from ..forms import choices
from ..i18n import marked
from ..permissions import own_volunteer_or_404
from ..throttle import Throttled, address_key, client_address, locked_seconds, record_failure
from ..views import int_arg, put_error, save
from . import account, applications
from .blueprint import bp
from .forms import ApplyForm, CloseAccountForm
from .models import TeamApplication


@bp.route("/me/apply", methods=["GET", "POST"])
@login_required
def apply():
    """申请入队: tick the teams to apply to; their leaders decide."""
    volunteer = own_volunteer_or_404()
    form = ApplyForm()
    form.team_ids.choices = choices([(t.id, t.name) for t in applications.open_teams(volunteer.id)])
    if form.validate_on_submit():
        def apply_all():
            teams = applications.teams_to_apply(form.team_ids.data)
            if not teams:
                raise ServiceError(_("请至少选择一支队伍。"), "team_ids")
            return [(t.name, applications.apply(current_user, volunteer, t, today_local())) for t in teams]

        saved = save(form, apply_all, default_field="team_ids", duplicate="已提交过该申请，请勿重复提交。",
                     duplicate_field="team_ids")
        if saved:
            applied = [n for n, how in saved.value if how == "applied"]
            joined = [n for n, how in saved.value if how == "joined"]
            if applied:
                flash(marked(_("已申请加入“%(teams)s”，请等待队长处理。"), teams="、".join(applied)), "success")
            if joined:
                flash(marked(_("“%(teams)s”已邀请过您，现已加入。"), teams="、".join(joined)), "success")
            return redirect(url_for("me.index") + "#my-teams")
    return render_template("joining/apply.html", form=form)


@bp.route("/me/applications/withdraw", methods=["POST"])
@login_required
def withdraw_application():
    volunteer = own_volunteer_or_404()
    application_id = int_arg("application_id", source=request.form)
    application = db.session.get(TeamApplication, application_id) if application_id else None
    if application is None or application.volunteer_id != volunteer.id:
        flash(applications.GONE, "warning")
    elif save(None, lambda: applications.withdraw(current_user, application), duplicate=None):
        flash(_("已撤回入队申请。"), "success")
    return redirect(url_for("me.index") + "#my-teams")


@bp.route("/me/teams/leave", methods=["POST"])
@login_required
def leave_team():
    """退出队伍: the membership ends; the service records stay as they are."""
    own_volunteer_or_404()
    team_id = int_arg("team_id", source=request.form)
    saved = save(None, lambda: account.leave_team(current_user, team_id or 0).name, duplicate=None)
    if saved:
        flash(marked(_("已退出“%(team)s”。您在该队的服务记录仍然保留。"), team=saved.value), "success")
    return redirect(url_for("me.index") + "#my-teams")


@bp.route("/me/close", methods=["GET", "POST"])
@login_required
def close_account():
    """注销账号, after the current password (wrong ones throttled like a login's)."""
    own_volunteer_or_404()
    form = CloseAccountForm()
    if form.validate_on_submit():
        key = f"password:{current_user.id}|{address_key(client_address())}"
        user = current_user._get_current_object()
        try:
            if locked_seconds([key]):
                raise Throttled("password")
            account.close_account(user, form.password.data, erase_request=bool(form.erase_request.data))
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            if exc.field == "password" and not isinstance(exc, Throttled):
                record_failure(key, current_app.config["LOGIN_MAX_FAILURES"],
                               timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"]))
                db.session.commit()
            put_error(form, exc, "password")
        else:
            logout_user()
            flash(_("账号已注销，不能再登录。您的志愿服务记录依法保留；如需恢复，请联系分中心办公室。"), "info")
            return redirect(url_for("auth.login"))
    return render_template("joining/close.html", form=form)
