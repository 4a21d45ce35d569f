"""Sign-up routes on the activities blueprint: 报名, 取消报名, a leader's 请假 mark, and
calling an activity off (活动已取消, which its signed-up and waiting volunteers see).

Each POST runs one service from signups.py through views.save (one commit, or the error as a
flash); the detail page's sign-up panel is built by detail_context.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..clock import today_local
from ..extensions import db
from ..permissions import get_visible_or_404, role_required
from ..views import save
from . import services, signups
from .forms import CancelActivityForm
from .models import Activity, ActivitySignup
from .blueprint import bp


def detail_context(activity: Activity) -> dict:
    """The sign-up panel of an activity's page: counts, one's own sign-up, and for its
    managers the list with attendance and each person's 未到 count."""
    mine = position = None
    if current_user.volunteer_id:
        mine = db.session.scalar(select(ActivitySignup).where(
            ActivitySignup.activity_id == activity.id, ActivitySignup.volunteer_id == current_user.volunteer_id,
            ActivitySignup.status != "cancelled"))
        position = mine and signups.waitlist_position(mine)
    rows, no_shows = [], {}
    listed = signups.activity_signups(activity)
    if activity.can_manage(current_user):
        no_shows = signups.no_show_counts([s.volunteer_id for s in listed], today_local())
        rows = signups.panel_rows(activity, listed)
    return {"signups": sum(1 for s in listed if s.status == "confirmed"),
            "waiting": sum(1 for s in listed if s.status == "waitlist"),
            "mine": mine, "position": position, "signup_rows": rows, "no_shows": no_shows,
            "cancel_hours": signups.cancel_hours(),
            "started": signups.utcnow() >= signups.starts_at(activity)}


@bp.route("/<int:activity_id>/signup", methods=["POST"])
@login_required
def signup(activity_id):
    activity = get_visible_or_404(Activity, activity_id)
    if not current_user.volunteer_id:
        abort(403)
    saved = save(None, lambda: signups.sign_up(current_user, activity, current_user.volunteer), duplicate=None)
    if saved:
        if saved.value.status == "confirmed":
            flash(_("报名成功。"), "success")
        else:
            flash(_("招募人数已满，您已进入候补名单（候补第 %(n)s 位），有人取消时将按顺序自动递补。",
                    n=signups.waitlist_position(saved.value)), "info")
    return redirect(url_for(".detail", activity_id=activity_id))


@bp.route("/<int:activity_id>/cancel", methods=["POST"])
@login_required
def cancel_signup(activity_id):
    activity = get_visible_or_404(Activity, activity_id)
    if not current_user.volunteer_id:
        abort(403)
    if save(None, lambda: signups.cancel(current_user, activity, current_user.volunteer), duplicate=None):
        flash(_("已取消报名。"), "success")
    return redirect(request.form.get("back") == "me" and url_for("me.index")
                    or url_for(".detail", activity_id=activity_id))


@bp.route("/<int:activity_id>/signups/<int:signup_id>/leave", methods=["POST"])
@login_required
def mark_leave(activity_id, signup_id):
    """A leader (or the office) marks 请假 for a sign-up, or takes the mark back."""
    activity = get_visible_or_404(Activity, activity_id, "can_manage")
    signup = db.session.get(ActivitySignup, signup_id)
    if signup is None or signup.activity_id != activity.id:
        abort(404)
    on = request.form.get("on_leave") == "1"
    if save(None, lambda: signups.set_leave(current_user, signup, on), duplicate=None):
        flash(f"已为 {signup.volunteer.name} {'登记请假' if on else '取消请假'}。", "success")
    return redirect(url_for(".detail", activity_id=activity_id) + "#signups")


@bp.route("/<int:activity_id>/call-off", methods=["GET", "POST"])
@role_required("office", "leader")
def cancel_activity(activity_id):
    """取消活动 with a reason (a page of its own, so the reason typed is kept on an error)."""
    activity = get_visible_or_404(Activity, activity_id, "can_manage")
    form = CancelActivityForm()
    if form.validate_on_submit():
        saved = save(form, lambda: services.cancel_activity(current_user, activity, form.reason.data),
                     default_field="reason", duplicate=None)
        if saved:
            flash(f"活动已取消，已通知 {len(saved.value)} 位报名或候补的志愿者。", "success")
            return redirect(url_for(".detail", activity_id=activity_id))
    told = db.session.scalar(select(func.count()).select_from(ActivitySignup).where(
        ActivitySignup.activity_id == activity.id, ActivitySignup.status != "cancelled"))
    return render_template("activities/cancel.html", activity=activity, form=form, told=told)
