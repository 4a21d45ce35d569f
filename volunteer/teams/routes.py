"""Team pages: the list, create/edit (office), a team's page with its members, the "add
member" form (the office adds; a leader invites people from elsewhere, who consent on /me)
and pending invitations, and the service-category list (office)."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..activities.models import Activity
from ..auth.models import User
from ..permissions import get_visible_or_404, role_required, within_scope
from ..errors import ServiceError
from ..extensions import db
from ..figures import cached, ids_key
from ..clock import today_local
from ..positions.models import Position
from ..views import int_arg, paginate, save
from ..volunteers import lookup
from ..volunteers.models import Volunteer
from . import services
from ..forms import choices
from ..hours.totals import minutes_by_team, minutes_by_volunteer
from ..joining.applications import add_or_invite, pending_for_team
from .forms import AddMemberForm, CategoryForm, TeamFilterForm, TeamForm
from .models import TEAM_KINDS, ServiceCategory, Team, TeamInvitation, TeamMembership

bp = Blueprint("teams", __name__, url_prefix="/teams")

# ValidationFailed from the team services names columns; the form names fields.
TEAM_COLUMNS = {"队伍名称": "name", "队伍类型": "kind"}


def _year_range():
    year = today_local().year
    return date(year, 1, 1), date(year, 12, 31)


# --- list ---------------------------------------------------------------------------------------

@bp.route("/")
@role_required("office", "leader")
def index():
    filters = TeamFilterForm(request.args)
    positions = db.session.scalars(select(Position).order_by(Position.name)).all() \
        if current_user.role == "office" else []
    filters.position_id.choices = choices([("", "全部")] + [(p.id, p.name) for p in positions])
    kind = filters.kind.data or ""
    position_id = filters.position_id.data
    q = (filters.q.data or "").strip()
    stmt = select(Team).options(selectinload(Team.position), selectinload(Team.leaders))
    stmt = within_scope(stmt, Team.id, current_user)
    if kind in TEAM_KINDS:
        stmt = stmt.where(Team.kind == kind)
    if position_id:
        stmt = stmt.where(Team.position_id == position_id)
    if q:
        stmt = stmt.where(Team.name.contains(q, autoescape=True))
    stmt = stmt.order_by(Team.is_active.desc(), Team.name, Team.id)
    page = paginate(stmt)
    ids = [t.id for t in page.items]
    # Members of every team: counted once per change of the data (volunteer/figures.py).
    counts = cached("teams.member_counts", ids_key(ids), lambda: services.member_counts(ids))
    minutes = minutes_by_team(ids, *_year_range())
    args = {k: v for k, v in {"kind": kind, "position_id": position_id, "q": q}.items() if v}
    return render_template("teams/index.html", page=page, counts=counts, minutes=minutes, filters=filters,
                           args=args, year=today_local().year)


# --- create / edit (office) -------------------------------------------------------------------------

def _fill_choices(form: TeamForm, team: Team | None = None) -> None:
    current_position = team.position_id if team else None
    positions = db.session.scalars(select(Position).where(
        (Position.is_active.is_(True)) | (Position.id == (current_position or -1))).order_by(Position.name))
    form.position_id.choices = choices([("", "（无）")] + [(p.id, f"{p.name}（{p.kind_label}）") for p in positions])
    current_leaders = [u.id for u in team.leaders] if team else []
    leaders = db.session.scalars(select(User).where(
        User.role == "leader", (User.is_enabled.is_(True)) | (User.id.in_(current_leaders or [-1])))
        .order_by(User.username))
    form.leader_ids.choices = choices([(u.id, u.username + (f"（{u.display_name}）" if u.display_name else ""))
                                       for u in leaders])


def _team_values(form: TeamForm) -> tuple[dict, list[User]]:
    """Form -> service values and the chosen leader logins; unknown ids are form errors."""
    position_id = form.position_id.data
    if position_id is not None and db.session.get(Position, position_id) is None:
        raise ServiceError("所属阵地不存在，请重新选择。", "position_id")
    wanted = [i for i in (form.leader_ids.data or [])]
    leaders = list(db.session.scalars(select(User).where(User.id.in_(wanted or [-1]))))
    if len(leaders) != len(set(wanted)):
        raise ServiceError("所选的队长账号不存在，请重新选择。", "leader_ids")

    def text(field):
        return (field.data or "").strip() or None

    values = {
        "name": (form.name.data or "").strip(),
        "kind": form.kind.data,
        "position_id": position_id,
        "leader_name": text(form.leader_name),
        "leader_phone": text(form.leader_phone),
        "category": text(form.category),
        "founded_on": form.founded_on.date,
        "description": text(form.description),
        "is_active": bool(form.is_active.data),
        "accepts_applications": bool(form.accepts_applications.data),
    }
    return values, leaders


@bp.route("/new", methods=["GET", "POST"])
@role_required("office")
def create():
    form = TeamForm()
    _fill_choices(form)
    if form.validate_on_submit():
        def create_team():
            values, leaders = _team_values(form)
            team = services.create_team(current_user, values)
            services.set_team_leaders(current_user, team, leaders)
            return team.name, team.id

        saved = save(form, create_team, default_field="name", columns=TEAM_COLUMNS,
                     duplicate=f"队伍“{(form.name.data or '').strip()}”已存在。")
        if saved:
            name, team_id = saved.value
            flash(f"已新建队伍“{name}”。", "success")
            return redirect(url_for("teams.detail", team_id=team_id))
    return render_template("teams/form.html", form=form, team=None)


@bp.route("/<int:team_id>/edit", methods=["GET", "POST"])
@role_required("office")
def edit(team_id):
    team = db.session.get(Team, team_id) or abort(404)
    form = TeamForm(obj=team) if request.method == "GET" else TeamForm()
    if request.method == "GET":
        form.position_id.data = team.position_id
        form.leader_ids.data = [u.id for u in team.leaders]
        form.founded_on.data = team.founded_on.isoformat() if team.founded_on else ""
    _fill_choices(form, team)
    if form.validate_on_submit():
        def update_team():
            values, leaders = _team_values(form)
            services.update_team(current_user, team, values)
            services.set_team_leaders(current_user, team, leaders)

        if save(form, update_team, default_field="name", columns=TEAM_COLUMNS,
                duplicate=f"队伍“{(form.name.data or '').strip()}”已存在。"):
            flash("队伍信息已保存。", "success")
            return redirect(url_for("teams.detail", team_id=team_id))
    team = db.session.get(Team, team_id)
    return render_template("teams/form.html", form=form, team=team)


# --- a team's page, and adding a member -------------------------------------------------------------

def _render_detail(team: Team, form: AddMemberForm, status=200):
    stmt = (select(Volunteer).join(TeamMembership, TeamMembership.volunteer_id == Volunteer.id)
            .where(TeamMembership.team_id == team.id).order_by(Volunteer.name, Volunteer.id))
    page = paginate(stmt, count=False)
    page.total = cached("teams.member_count", team.id, lambda: db.session.scalar(
        select(func.count()).select_from(TeamMembership).where(TeamMembership.team_id == team.id)))
    ids = [v.id for v in page.items]
    joined = dict(db.session.execute(select(TeamMembership.volunteer_id, TeamMembership.joined_on).where(
        TeamMembership.team_id == team.id, TeamMembership.volunteer_id.in_(ids or [-1])))
                  .all())
    minutes = minutes_by_volunteer(ids, also_in_team=team.id)
    activities = db.session.scalars(select(Activity).options(selectinload(Activity.category))
                                    .where(Activity.team_id == team.id)
                                    .order_by(Activity.service_date.desc(), Activity.id.desc()).limit(10)).all()
    year_minutes = minutes_by_team([team.id], *_year_range()).get(team.id, 0)
    invitations = services.pending_invitations(team_id=team.id)
    applications = pending_for_team(team.id)
    return render_template("teams/detail.html", team=team, page=page, joined=joined, minutes=minutes,
                           activities=activities, form=form, year_minutes=year_minutes, invitations=invitations,
                           applications=applications,
                           year=today_local().year), status


@bp.route("/<int:team_id>")
@role_required("office", "leader")
def detail(team_id):
    team = get_visible_or_404(Team, team_id, predicate="can_manage")
    return _render_detail(team, AddMemberForm(formdata=None))


@bp.route("/<int:team_id>/members", methods=["POST"])
@role_required("office", "leader")
def add_member(team_id):
    """Find a person by name with mobile or full ID number (volunteers.lookup: budgeted and
    audited); the office adds them, a leader invites anyone not already in a team they lead."""
    team = get_visible_or_404(Team, team_id, predicate="can_manage")
    form = AddMemberForm()
    if form.validate_on_submit():
        scope = current_user.team_scope
        # The answer's cost and its audit entry are committed, a miss included; a bad key or
        # a spent budget answers nothing.
        found = save(form, lambda: lookup.find_person(current_user, form.name.data, form.key.data,
                                                      team_ids=scope, purpose="team_member"),
                     default_field="key", duplicate=None)
        if found and found.value is None:
            form.key.errors = ["未找到姓名与手机号码（或证件号码）都相符的志愿者。新志愿者请先登记。"]
        elif found:
            volunteer = found.value
            name = volunteer.name
            added = save(form, lambda: add_or_invite(current_user, team, volunteer, today_local()),
                         default_field="key", duplicate=None)
            if added:
                if added.value == "added":
                    flash(f"已将 {name} 加入本队。", "success")
                else:
                    flash(f"已向 {name} 发出入队邀请；对方登录后在“我的志愿服务”页面接受，即加入本队。", "success")
                return redirect(url_for("teams.detail", team_id=team_id))
    team = db.session.get(Team, team_id)
    return _render_detail(team, form, status=200)


@bp.route("/<int:team_id>/invitations/withdraw", methods=["POST"])
@role_required("office", "leader")
def withdraw_invitation(team_id):
    """Withdraw a pending invitation of this team (its leader or the office)."""
    team = get_visible_or_404(Team, team_id, predicate="can_manage")
    invitation_id = int_arg("invitation_id", source=request.form)
    invitation = db.session.get(TeamInvitation, invitation_id) if invitation_id and invitation_id < 2**31 else None
    if invitation is None or invitation.team_id != team.id:
        flash("该邀请不存在或已处理。", "warning")
        return redirect(url_for("teams.detail", team_id=team_id))
    if save(None, lambda: services.withdraw_invitation(current_user, invitation), duplicate=None):
        flash("已撤回邀请。", "success")
    return redirect(url_for("teams.detail", team_id=team_id))


# --- service categories (office) -------------------------------------------------------------------

@bp.route("/categories", methods=["GET", "POST"])
@role_required("office")
def categories():
    form = CategoryForm()
    if form.validate_on_submit():
        saved = save(form, lambda: services.create_category(current_user, form.name.data, form.sort_order.data).name,
                     default_field="name", duplicate=f"服务类别“{(form.name.data or '').strip()}”已存在。")
        if saved:
            flash(f"已新增服务类别“{saved.value}”。", "success")
            return redirect(url_for("teams.categories"))
    stmt = select(ServiceCategory).order_by(ServiceCategory.sort_order, ServiceCategory.id)
    page = paginate(stmt)
    return render_template("teams/categories.html", form=form, page=page)


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@role_required("office")
def category_edit(category_id):
    category = db.session.get(ServiceCategory, category_id) or abort(404)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        sort_order = category.sort_order if form.sort_order.data is None else form.sort_order.data
        if save(form, lambda: services.update_category(current_user, category, form.name.data, sort_order),
                default_field="name", duplicate=f"服务类别“{(form.name.data or '').strip()}”已存在。"):
            flash("服务类别已保存。", "success")
            return redirect(url_for("teams.categories"))
    category = db.session.get(ServiceCategory, category_id)
    return render_template("teams/category_form.html", form=form, category=category)


@bp.route("/categories/<int:category_id>/active", methods=["POST"])
@role_required("office")
def category_active(category_id):
    category = db.session.get(ServiceCategory, category_id) or abort(404)
    active = request.form.get("active") == "1"
    services.set_category_active(current_user, category, active)
    name = category.name
    db.session.commit()
    flash(f"已{'启用' if active else '停用'}服务类别“{name}”。", "success")
    return redirect(url_for("teams.categories"))


@bp.route("/categories/<int:category_id>/move", methods=["POST"])
@role_required("office")
def category_move(category_id):
    category = db.session.get(ServiceCategory, category_id) or abort(404)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    services.move_category(current_user, category, direction)
    db.session.commit()
    return redirect(url_for("teams.categories"))
