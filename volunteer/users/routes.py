"""Login management (office only): list, create, reset password, deactivate/reactivate, and
the teams a leader leads. The services live in auth.services."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..auth import services as auth_services
from ..auth.models import ROLE_LABELS, User
from ..errors import ServiceError
from ..extensions import db
from ..forms import choices
from ..permissions import role_required
from ..teams.models import Team
from ..volunteers.lookup import find_one
from ..views import paginate, save
from .forms import LeaderTeamsForm, OneTimePasswordForm, UserCreateForm, UserFilterForm

bp = Blueprint("users", __name__, url_prefix="/users")

# Service error fields -> this page's form fields.
CREATE_FIELDS = {"lookup": "volunteer_lookup", "name": "volunteer_name", "volunteer": "volunteer_lookup"}


@bp.route("/")
@role_required("office")
def index():
    filters = UserFilterForm(request.args)
    q = (filters.q.data or "").strip()
    role = filters.role.data or ""
    status = filters.status.data or ""
    stmt = select(User).options(selectinload(User.volunteer))
    if q:
        stmt = stmt.where(or_(User.username.contains(q, autoescape=True),
                              User.display_name.contains(q, autoescape=True)))
    if role in ROLE_LABELS:
        stmt = stmt.where(User.role == role)
    if status in ("enabled", "disabled"):
        stmt = stmt.where(User.is_enabled.is_(status == "enabled"))
    stmt = stmt.order_by(User.username, User.id)
    page = paginate(stmt)
    args = {k: v for k, v in {"q": q, "role": role, "status": status}.items() if v}
    return render_template("users/index.html", page=page, filters=filters, args=args)


def _team_choices(selected=()) -> list:
    selected = list(selected)
    teams = db.session.scalars(select(Team).where((Team.is_active.is_(True)) | (Team.id.in_(selected or [-1])))
                               .order_by(Team.name))
    return choices([(t.id, t.name + ("" if t.is_active else "（已停用）")) for t in teams])


def _chosen_teams(ids) -> list[Team]:
    ids = set(ids or [])
    teams = list(db.session.scalars(select(Team).where(Team.id.in_(ids or [-1])).order_by(Team.name)))
    if len(teams) != len(ids):
        raise ServiceError("所选的队伍不存在，请重新选择。", "team_ids")
    return teams


@bp.route("/new", methods=["GET", "POST"])
@role_required("office")
def create():
    form = UserCreateForm()
    if request.method == "GET" and request.args.get("role") in ROLE_LABELS:
        form.role.data = request.args["role"]
    form.team_ids.choices = _team_choices(form.team_ids.data or [])
    if form.validate_on_submit():
        role = form.role.data
        username = (form.username.data or "").strip()

        def create_user():
            nonlocal username
            lookup = (form.volunteer_lookup.data or "").strip()
            volunteer = None
            if role == "volunteer" and not lookup:
                raise ServiceError("志愿者账号须关联一名已登记的志愿者，请填写其证件号码或手机号。", "volunteer_lookup")
            if lookup:
                volunteer = find_one(lookup, form.volunteer_name.data, phone_needs_name=True, allow_last4=False)
            # The rules (active volunteer, teams for leaders only, the default username) are
            # create_user's, shared with `flask users create`.
            username = auth_services.create_user(
                current_user, role=role, username=username, password=form.password.data,
                display_name=(form.display_name.data or "").strip() or None,
                teams=_chosen_teams(form.team_ids.data), volunteer=volunteer).username
            return username

        # The duplicate message names the username create_user settled on (a volunteer's default).
        saved = save(form, create_user, default_field="username", columns=CREATE_FIELDS,
                     duplicate=lambda: f"用户名“{username}”已存在，或该志愿者已有账号。")
        if saved:
            flash(f"已创建账号“{saved.value}”。", "success")
            return redirect(url_for("users.index"))
    return render_template("users/create.html", form=form)


def _user_or_404(user_id) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.route("/<int:user_id>/password", methods=["GET", "POST"])
@role_required("office")
def password(user_id):
    """重置密码: a one-time password shown once on the answer (auth.services.issue_one_time_password,
    the same as the volunteer page's); the next login must change it, other sessions end."""
    user = _user_or_404(user_id)
    form = OneTimePasswordForm()
    if form.validate_on_submit():
        username = user.username
        saved = save(None, lambda: auth_services.issue_one_time_password(
            current_user, user, f"为账号 {username} 生成一次性密码"), duplicate=None, flash_category="error")
        if saved:
            return render_template("joining/one_time_password.html", name=username, username=username,
                                   password=saved.value, back_url=url_for("users.index"), back_label="返回账号列表")
    return render_template("users/password.html", form=form, user=db.session.get(User, user_id))


def _set_enabled(user_id, enabled: bool):
    user = _user_or_404(user_id)
    name = user.username
    if save(None, lambda: auth_services.set_enabled(current_user, user, enabled), duplicate=None,
            flash_category="error"):
        flash(f"已{'启用' if enabled else '停用'}账号“{name}”。", "success")
    return redirect(url_for("users.index"))


@bp.route("/<int:user_id>/disable", methods=["POST"])
@role_required("office")
def disable(user_id):
    return _set_enabled(user_id, False)


@bp.route("/<int:user_id>/enable", methods=["POST"])
@role_required("office")
def enable(user_id):
    return _set_enabled(user_id, True)


@bp.route("/<int:user_id>/teams", methods=["GET", "POST"])
@role_required("office")
def teams(user_id):
    user = _user_or_404(user_id)
    if user.role != "leader":
        flash("只有队长账号可以设置负责的队伍。", "warning")
        return redirect(url_for("users.index"))
    form = LeaderTeamsForm()
    if request.method == "GET":
        form.team_ids.data = sorted(user.led_team_ids)
    form.team_ids.choices = _team_choices(set(form.team_ids.data or []) | user.led_team_ids)
    if form.validate_on_submit():
        def set_teams():
            chosen = _chosen_teams(form.team_ids.data)
            if {t.id for t in chosen} != user.led_team_ids:
                auth_services.set_leader_teams(current_user, user, chosen)

        name = user.username
        if save(form, set_teams, default_field="team_ids", duplicate=None):
            flash(f"已更新“{name}”负责的队伍。", "success")
            return redirect(url_for("users.index"))
    return render_template("users/teams.html", form=form, user=db.session.get(User, user_id))
