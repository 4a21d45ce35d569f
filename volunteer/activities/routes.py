"""Activity pages: list, create/edit/publish, detail, sign-up, and the one-screen hours entry."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..permissions import get_visible_or_404, role_required, within_scope
from ..extensions import db
from ..figures import cached, ids_key
from ..hours.models import ServiceRecord
from ..hours.services import log_hours
from ..teams.models import Team
from ..teams.services import active_categories
from ..keyset import keyset_page
from ..views import MAX_PAGE, int_arg, month_arg, month_span, page_arg, save
from ..web import hours as hours_text
from ..volunteers import lookup
from . import roster, services, signup_routes, signups  # signup_routes: sign-up, cancel and 请假 on this blueprint
from .blueprint import bp
from .forms import ActivityForm, FindPersonForm
from .models import Activity, ActivitySignup



def _team_choices():
    stmt = select(Team).where(Team.is_active.is_(True)).order_by(Team.name)
    stmt = within_scope(stmt, Team.id, current_user)
    return [(t.id, t.name) for t in db.session.scalars(stmt)]


def _fill_choices(form):
    teams = _team_choices()
    # A leader of one team has nothing to choose: that team, pre-selected (no 请选择 trap).
    form.team_id.choices = teams if len(teams) == 1 and current_user.role == "leader" else [(0, "请选择")] + teams
    form.category_id.choices = [(0, "请选择")] + [(c.id, c.name) for c in active_categories()]


def _form_values(form) -> dict:
    return {"team_id": form.team_id.data, "title": form.title.data.strip(), "category_id": form.category_id.data,
            "place": form.place.data, "service_date": form.service_date.data, "start_time": form.start_time.data or None,
            "end_time": form.end_time.data or None, "headcount": form.headcount.data,
            "description": form.description.data,
            "latitude": None if form.latitude.data is None else float(form.latitude.data),
            "longitude": None if form.longitude.data is None else float(form.longitude.data),
            "radius_m": form.radius_m.data}


@bp.route("/")
@login_required
def index():
    team_id = int_arg("team_id")  # malformed or out of range: no filter (views.py), never a 500
    filters = {"team_id": "" if team_id is None else str(team_id), "status": request.args.get("status", ""),
               "month": month_arg() or ""}
    stmt = select(Activity).options(selectinload(Activity.team), selectinload(Activity.category)).order_by(Activity.service_date.desc(), Activity.id.desc())
    if current_user.role == "leader":
        stmt = stmt.where(Activity.team_id.in_(current_user.led_team_ids or [-1]))
    elif current_user.role == "volunteer":
        stmt = stmt.where(Activity.status == "published")
    if filters["team_id"].isdigit():
        stmt = stmt.where(Activity.team_id == int(filters["team_id"]))
    if filters["status"] in ("draft", "published", "closed") and current_user.role != "volunteer":
        stmt = stmt.where(Activity.status == filters["status"])
    if filters["month"]:
        start, end = month_span(filters["month"])
        stmt = stmt.where(Activity.service_date >= start, Activity.service_date < end)
    # Keyset by (date, id), newest first: the oldest page costs what the first does (OFFSET
    # walked 200,000 activities at 10x to reach it).
    page = keyset_page(stmt, (Activity.service_date, Activity.id), (date, int), lambda a: (a.service_date, a.id),
                       newest_first=True)
    # Every activity of three years and more: count once per change of the data (volunteer/figures.py).
    scope = (current_user.role, ids_key(current_user.led_team_ids) if current_user.role == "leader" else None)
    page.total = cached("activities.count", (scope, tuple(sorted(filters.items()))), lambda: db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery())))
    ids = [a.id for a in page.items]
    counts = dict(db.session.execute(
        select(ServiceRecord.activity_id, func.count()).where(ServiceRecord.activity_id.in_(ids or [-1]),
                                                            ServiceRecord.status != "void")
        .group_by(ServiceRecord.activity_id)).all())
    # One's own sign-ups: 已报名 (None) or 候补第 N 位; places left count confirmed sign-ups only.
    signed = signups.states_for(current_user.volunteer_id, ids) if current_user.volunteer_id else {}
    return render_template("activities/index.html", page=page, counts=counts, signed=signed, filters=filters,
                           taken=signups.confirmed_counts(ids),
                           teams=_team_choices() if current_user.role != "volunteer" else [])


@bp.route("/new", methods=["GET", "POST"])
@role_required("office", "leader")
def create():
    form = ActivityForm()
    _fill_choices(form)
    if request.method == "GET" and int_arg("team_id"):
        form.team_id.data = int_arg("team_id")
    if form.validate_on_submit():
        team = db.session.get(Team, form.team_id.data)
        if team is None or not team.can_manage(current_user):
            abort(404)
        saved = save(form, lambda: services.create_activity(current_user, _form_values(form) | {"status": "draft"}),
                     default_field="title", duplicate=None)
        if saved:
            flash("活动已创建（草稿）。发布后志愿者即可报名。", "success")
            return redirect(url_for(".detail", activity_id=saved.value.id))
    return render_template("activities/form.html", form=form, activity=None)


@bp.route("/<int:activity_id>")
@login_required
def detail(activity_id):
    activity = get_visible_or_404(Activity, activity_id)
    records = []
    if activity.can_manage(current_user):
        records = db.session.execute(
            select(ServiceRecord).options(selectinload(ServiceRecord.volunteer))
            .where(ServiceRecord.activity_id == activity.id).order_by(ServiceRecord.status, ServiceRecord.id)).scalars().all()
    return render_template("activities/detail.html", activity=activity, records=records,
                           **signup_routes.detail_context(activity))


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@role_required("office", "leader")
def edit(activity_id):
    activity = get_visible_or_404(Activity, activity_id, "can_manage")
    form = ActivityForm(obj=activity)
    _fill_choices(form)
    if request.method == "GET":
        form.version.data = activity.version
    if form.validate_on_submit():
        team = db.session.get(Team, form.team_id.data)
        if team is None or not team.can_manage(current_user):
            abort(404)
        if save(form, lambda: services.update_activity(current_user, activity, _form_values(form),
                                                       version=form.version.data or None),
                default_field="title", duplicate=None):
            flash("活动已保存。", "success")
            return redirect(url_for(".detail", activity_id=activity.id))
    return render_template("activities/form.html", form=form, activity=activity)


@bp.route("/<int:activity_id>/status", methods=["POST"])
@role_required("office", "leader")
def set_status(activity_id):
    activity = get_visible_or_404(Activity, activity_id, "can_manage")
    status = request.form.get("status")
    if status not in ("draft", "published", "closed"):
        abort(400)
    if save(None, lambda: services.set_status(current_user, activity, status), duplicate=None):
        flash(f"活动状态已改为“{activity.status_label}”。", "success")
    return redirect(url_for(".detail", activity_id=activity.id))


@bp.route("/<int:activity_id>/hours", methods=["GET", "POST"])
@role_required("office", "leader")
def hours(activity_id):
    """One screen per activity: the roster, 50 people a page, searched by name or ID tail in
    SQL, each with an hours box.

    A POST with action=find looks a person up (name with mobile or full ID number: budgeted
    and audited, volunteers.lookup) and shows the screen with them added; action=save (or
    Enter in an hours box) saves every box typed on any page; paging, searching and filling
    the signed-up are POSTs too, so what was typed comes along (carried in hidden boxes) and
    nothing is saved until 保存. Ids never come from the request: people found earlier come
    back in a token signed for this user and this activity (roster.sign_found).
    """
    activity = get_visible_or_404(Activity, activity_id, "can_manage")
    find_form = FindPersonForm(formdata=None)
    found_ids, typed, errors = [], {}, {}
    q, page = roster.clean_query(request.args.get("q")), page_arg()
    if request.method == "POST":
        found_ids = roster.read_found(request.form.get("found"), current_user.id, activity.id)
        action = request.form.get("action")
        q, shown_q = roster.clean_query(request.form.get("q")), roster.clean_query(request.form.get("shown_q"))
        page = int_arg("goto", None, min_value=1, max_value=MAX_PAGE, source=request.form) or \
            int_arg("page", 1, min_value=1, max_value=MAX_PAGE, source=request.form)
        if action == "find":
            find_form = FindPersonForm()
            person = _find_person(find_form)
            if person is not None:
                found_ids.append(person.id)
                flash(f"已添加 {person.name}，请填写其服务时长后保存。", "success")
                find_form = FindPersonForm(formdata=None)
            activity = db.session.get(Activity, activity_id)  # the commit expired it
        # Any other POST saves (Enter in an hours box presses the first button: 保存).
        if action not in ("find", "search", "fill", "show_all") and "goto" not in request.form and q == shown_q:
            saved = _save_hours(activity, found_ids)
            if saved is True:
                return redirect(url_for(".hours", activity_id=activity.id, q=q or None,
                                        page=page if page > 1 else None))
            typed, errors = saved
        else:
            # Turning a page, searching (Enter in the search box too) or filling: keep what was typed.
            typed = _typed(activity, found_ids)
            if action == "show_all":
                q = ""
            if q != shown_q:
                page = 1
            if action == "fill" and activity.span_minutes:
                filled = roster.signed_without_hours(activity, typed)
                typed.update({vid: hours_text(activity.span_minutes) for vid in filled})
                flash(f"已为 {len(filled)} 位已报名者填入 {hours_text(activity.span_minutes)} 小时，"
                      "请核对后保存。", "success")
    only = sorted(errors) if errors else None
    shown = roster.roster_page(activity, found_ids, q=q, page=page, only=only)
    saved_minutes = roster.saved_minutes(activity, list(typed)) if typed else {}
    carried = roster.pending_changes(typed, saved_minutes) if not errors else dict(typed)
    on_page = {r.volunteer.id for r in shown.rows}
    hidden = {vid: text for vid, text in carried.items() if vid not in on_page}
    found = roster.sign_found(current_user.id, activity.id, found_ids)
    find_form.found.data = found
    return render_template("activities/hours.html", activity=activity, roster=shown, rows=shown.rows, typed=typed,
                           errors=errors, hidden=hidden, find_form=find_form, found=found)


def _typed(activity, found_ids) -> dict[int, str]:
    """The boxes the form came with, for people on the roster (any page)."""
    return roster.parse_entries(request.form, roster.on_roster(activity, found_ids, roster.box_ids(request.form)))[1]


def _find_person(form: FindPersonForm):
    """Look a person up for the hours screen; the answer (and its cost) is committed even
    when it is a miss. Returns the volunteer or None (the reason on the form)."""
    scope = current_user.team_scope
    # Not a key, or the budget is spent: nothing answered (the error under the key).
    answer = save(form, lambda: lookup.find_person(current_user, form.name.data, form.key.data, purpose="hours",
                                                   team_ids=scope),
                  default_field="key", columns={"found": "key"}, duplicate=None)
    if not answer:
        return None
    person = answer.value
    if person is None:
        form.key.errors = ["未找到姓名与手机号码（或证件号码）都相符的志愿者。新志愿者请先登记。"]
    return person


def _save_hours(activity, found_ids):
    """Save the typed hours (every page's): True when saved, else (typed, errors) for the screen."""
    entries, typed, errors = roster.parse_entries(request.form,
                                                  roster.on_roster(activity, found_ids, roster.box_ids(request.form)))
    # A saved entry whose box was cleared is withdrawn (voided with a reason), never ignored.
    recorded = roster.saved_minutes(activity, list(typed))
    cleared = [vid for vid, text in typed.items() if vid in recorded and not text.strip()]
    if not errors and not entries and not cleared:
        flash("没有填写任何时长。", "warning")
    elif not errors:
        saved = save(None, lambda: log_hours(current_user, activity, entries, withdraw=cleared), duplicate=None,
                     flash_category="error")
        if saved:
            counts = saved.value
            done = "已确认" if current_user.role == "office" else "待分中心审核"
            withdrawn = f"，撤回 {counts['withdrawn']} 条（已作废）" if counts["withdrawn"] else ""
            flash(f"已保存：新增 {counts['created']} 条，修改 {counts['updated']} 条，"
                  f"未变 {counts['unchanged']} 条（{done}）{withdrawn}。", "success")
            return True
    else:
        flash("有填写错误，请修改标红的行后再保存（尚未保存任何内容）。", "error")
    return typed, errors
