"""Volunteer pages (office and leaders): the roster with filters, a volunteer's page with
star level and hour history, register/edit, cancel/restore, the audited full-ID view and the
office's own form for a new ID number.

ID numbers and birth dates (privacy.py): leaders see the last 4 characters and the age, the
office its mask and the age; no page or edit field shows a full number or a birth date
unless the office asks, by an audited POST.

The roster pages by id (keyset: ?after=<id> / ?before=<id> / ?last=1) rather than by OFFSET,
so the last page of 20,000 volunteers costs what the first does.
"""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload
from wtforms.fields.choices import SelectChoice

from ..permissions import get_visible_or_404, role_required
from ..extensions import db
from ..figures import cached, ids_key
from ..hours.services import volunteer_totals
from ..hours.totals import minutes_by_volunteer
from ..hours.stars import next_level, star_level, stars_text
from ..clock import today_local
from ..teams.models import Team, TeamMembership
from ..views import int_arg, paginate, save
from . import edit_form, roster, services
from .forms import IdNumberForm, VolunteerForm
from .models import STATUS_LABELS, Volunteer
from .validators import POLITICAL_STATUSES

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")

# Every error of the ID-number form shows under the number itself.
ID_CHANGE_FIELDS = {"id_type": "id_number", "证件类型": "id_number", "name": "id_number"}
STALE_MESSAGE = "该志愿者已被他人修改，请刷新页面后重新编辑（您填写的内容仍保留在下方）。"


_is_office = edit_form.is_office


def _scope_team_ids():
    """None for the office (everyone); the led teams' ids for a leader."""
    return current_user.team_scope


# --- list ----------------------------------------------------------------------------------------

@bp.route("/")
@role_required("office", "leader")
def index():
    teams = roster.team_choices(current_user, every_team=True)
    filters = roster.filters(request.args, {tid for tid, _ in teams})
    stmt = services.search_volunteers(
        q=filters["q"] or None, team_id=filters["team_id"], status=filters["status"] or None,
        political_status=filters["political_status"] or None, age_group=filters["age_group"] or None,
        team_ids=_scope_team_ids(), today=today_local(),
    ).options(lazyload(Volunteer.memberships))
    page = services.keyset_page(
        stmt, per_page=current_app.config["PAGE_SIZE"],
        after=int_arg("after"), before=int_arg("before"),
        last=request.args.get("last") == "1")
    ids = [v.id for v in page.items]
    # "共 N 人" counts every matching volunteer: once per change of the data (volunteer/figures.py).
    total = cached("volunteers.count", (tuple(sorted(filters.items())), ids_key(_scope_team_ids()), today_local()),
                   lambda: db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())))
    args = {k: v for k, v in filters.items() if v}
    return render_template(
        "volunteers/index.html", page=page, total=total, filters=filters, args=args, teams=teams,
        team_names=services.team_names_by_volunteer(ids), minutes=minutes_by_volunteer(ids),
        statuses=STATUS_LABELS, political_statuses=POLITICAL_STATUSES, age_groups=roster.AGE_GROUP_LABELS)


# --- detail and the audited full-ID view ------------------------------------------------------------

def _render_detail(volunteer: Volunteer, full_id: str | None = None, id_form: IdNumberForm | None = None):
    totals = volunteer_totals(volunteer.id)
    level = star_level(totals["approved"])
    scope = _scope_team_ids()
    # A POST (the ID-number actions) shows the first page of the history.
    records = paginate(services.hour_history(volunteer.id, team_ids=scope),
                       page=None if request.method == "GET" else 1)
    memberships = db.session.execute(
        select(TeamMembership.joined_on, Team).join(Team, Team.id == TeamMembership.team_id)
        .where(TeamMembership.volunteer_id == volunteer.id).order_by(Team.name)).all()
    if id_form is None and _is_office():
        id_form = IdNumberForm(formdata=None, data={"id_type": volunteer.id_type})
    return render_template(
        "volunteers/detail.html", volunteer=volunteer, full_id=full_id, id_form=id_form, totals=totals, level=level,
        stars=stars_text(level), upcoming=next_level(totals["approved"]), records=records,
        memberships=memberships, history_limited=scope is not None, can_edit=_may_edit(volunteer))


def _may_edit(volunteer: Volunteer) -> bool:
    """Office: anyone; a leader: members of the teams they lead."""
    if _is_office():
        return True
    return current_user.role == "leader" and bool(volunteer.team_ids & current_user.led_team_ids)


@bp.route("/<int:volunteer_id>")
@role_required("office", "leader")
def detail(volunteer_id):
    volunteer = get_visible_or_404(Volunteer, volunteer_id)
    return _render_detail(volunteer)


@bp.route("/<int:volunteer_id>/id-number", methods=["POST"])
@role_required("office")
def reveal_id(volunteer_id):
    """Show the full ID number on the page; each view is written to the audit log."""
    volunteer = get_visible_or_404(Volunteer, volunteer_id)
    full_id = services.reveal_id_number(current_user, volunteer)
    db.session.commit()
    return _render_detail(volunteer, full_id=full_id)


@bp.route("/<int:volunteer_id>/id-number/change", methods=["POST"])
@role_required("office")
def change_id(volunteer_id):
    """A new ID number: its own audited action, apart from the ordinary edit form."""
    volunteer = get_visible_or_404(Volunteer, volunteer_id)
    form = IdNumberForm()
    if form.validate_on_submit():
        # IntegrityError: the same number saved for someone else at the same moment.
        name = volunteer.name
        if save(form, lambda: services.change_id_number(current_user, volunteer, form.id_type.data,
                                                        form.id_number.data, today=today_local()),
                default_field="id_number", columns=ID_CHANGE_FIELDS, duplicate_field="id_number",
                duplicate="该证件号码已属于另一名志愿者。"):
            flash(f"已修改 {name} 的证件号码，本次修改已记入操作日志。", "success")
            return redirect(url_for(".detail", volunteer_id=volunteer.id))
        volunteer = db.session.get(Volunteer, volunteer_id)
    return _render_detail(volunteer, id_form=form)


# --- create / edit -------------------------------------------------------------------------------------

def _flash_warnings(fields: dict) -> None:
    for column, message in services.volunteer_warnings(fields, today=today_local()):
        flash(f"请注意：{column}，{message}。", "warning")


@bp.route("/new", methods=["GET", "POST"])
@role_required("office", "leader")
def create():
    form = VolunteerForm()
    choices = dict(roster.team_choices(current_user))
    form.teams.choices = [SelectChoice(tid, name) for tid, name in choices.items()]
    if request.method == "GET":
        # ?team_id= preselects a team (the team page links here); a leader of one team gets it.
        wanted = int_arg("team_id")
        if wanted in choices:
            form.teams.data = [wanted]
        elif len(choices) == 1 and not _is_office():
            form.teams.data = list(choices)
    if request.method == "POST":
        form_ok = form.validate_on_submit()
        teams_ok = edit_form.check_teams(form, choices, required=not _is_office())
        if form_ok and teams_ok:
            fields = edit_form.form_fields(form, choices)
            answer = None if _is_office() else edit_form.registered_already(form, fields, choices)
            if answer is not None:
                return answer
            # IntegrityError: two clerks registering the same person at the same moment.
            saved = save(form, lambda: services.register_volunteer(current_user, fields, today=today_local()),
                         default_field="name", columns=edit_form.FIELD_OF_COLUMN, duplicate_field="id_number",
                         duplicate="该证件号码已登记，请搜索后编辑原有记录。")
            if saved:
                volunteer = saved.value
                flash(f"已登记志愿者 {volunteer.name}。", "success")
                _flash_warnings(fields)
                return redirect(url_for(".detail", volunteer_id=volunteer.id))
    return render_template("volunteers/form.html", form=form, volunteer=None)


@bp.route("/<int:volunteer_id>/edit", methods=["GET", "POST"])
@role_required("office", "leader")
def edit(volunteer_id):
    volunteer = get_visible_or_404(Volunteer, volunteer_id, "can_edit")
    if not _may_edit(volunteer):
        abort(404)
    current_teams = volunteer.team_ids
    choices = dict(roster.team_choices(current_user, include_ids=current_teams))
    if request.method == "GET":
        form = VolunteerForm(data=edit_form.edit_form_data(volunteer))
        form.teams.data = [t for t in choices if t in current_teams]
    else:
        form = VolunteerForm()
    form.teams.choices = [SelectChoice(tid, name) for tid, name in choices.items()]
    edit_form.prepare_edit_form(form, volunteer)
    if request.method == "POST":
        form_ok = form.validate_on_submit()
        teams_ok = edit_form.check_teams(form, choices, required=False)
        edited = edit_form.edited_fields(form, edit_form.form_fields(form, choices), volunteer) if form_ok and teams_ok else None
        if edited and edited[1] and not edit_form.id_change_answered(form, edited[0], volunteer):
            edited = None
        if edited:
            fields = edited[0]
            version = form.version.data if (form.version.data or "").isdigit() else None
            # Stale: saved by someone else between our read and our write (the form keeps the input).
            if save(form, lambda: services.update_volunteer(current_user, volunteer, fields, today=today_local(),
                                                            version=int(version) if version else -1),
                    default_field="name", columns=edit_form.FIELD_OF_COLUMN, duplicate_field="id_number",
                    duplicate="该证件号码已属于另一名志愿者。", stale=STALE_MESSAGE, flash_stale=True):
                flash("已保存。", "success")
                _flash_warnings(fields)
                return redirect(url_for(".detail", volunteer_id=volunteer.id))
        # The rollback expired the volunteer; reload it for the page heading.
        volunteer = db.session.get(Volunteer, volunteer_id)
    return render_template("volunteers/form.html", form=form, volunteer=volunteer)


# --- status (office) -------------------------------------------------------------------------------------

@bp.route("/<int:volunteer_id>/status", methods=["POST"])
@role_required("office")
def set_status(volunteer_id):
    volunteer = get_visible_or_404(Volunteer, volunteer_id)
    status = request.form.get("status")
    if status not in STATUS_LABELS:
        abort(400)
    if status == volunteer.status:
        flash(f"状态本来就是“{volunteer.status_label}”，未作更改。", "info")
    else:
        services.set_status(current_user, volunteer, status)
        db.session.commit()
        flash(f"{volunteer.name} 的状态已改为“{volunteer.status_label}”。", "success")
    return redirect(url_for(".detail", volunteer_id=volunteer.id))
