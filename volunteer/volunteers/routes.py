"""Volunteer pages (office and leaders): the roster with filters, a volunteer's page with
star level and hour history, register/edit, cancel/restore, and the audited full-ID view.

The roster pages by id (keyset: ?after=<id> / ?before=<id> / ?last=1) rather than by OFFSET,
so the last page of 20,000 volunteers costs what the first does.
"""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from ..auth.permissions import get_visible_or_404, role_required
from ..errors import ServiceError, StaleError, ValidationFailed
from ..extensions import db
from ..figures import cached, ids_key
from ..hours.services import approved_minutes_by_volunteer, volunteer_totals
from ..hours.stars import next_level, star_level, stars_text
from ..models_base import today_local
from ..teams.models import Team, TeamMembership
from ..teams.routes import url_or_none
from . import services
from .forms import VolunteerForm
from .models import STATUS_LABELS, Volunteer
from .privacy import mask_id
from .validators import COLUMN_NAMES, POLITICAL_STATUSES

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")

AGE_GROUP_LABELS = {"u18": "未满18", "18-35": "18-35", "36-59": "36-59", "60+": "60以上"}
# ValidationFailed names canonical columns (姓名, 证件号码...); the form's fields are the keys.
FIELD_OF_COLUMN = {column: key for key, column in COLUMN_NAMES.items()}
STALE_MESSAGE = "该志愿者已被他人修改，请刷新页面后重新编辑（您填写的内容仍保留在下方）。"


@bp.context_processor
def _helpers():
    return {"url_or_none": url_or_none}


def _is_office() -> bool:
    return current_user.role == "office"


def _scope_team_ids():
    """None for the office (everyone); the led teams' ids for a leader."""
    return None if _is_office() else current_user.led_team_ids


def _team_choices(include_ids=(), *, every_team: bool = False) -> list[tuple[int, str]]:
    """Teams this user may pick: a leader their own; the office the active ones plus
    `include_ids` (or every team, for the list filter)."""
    stmt = select(Team.id, Team.name).order_by(Team.is_active.desc(), Team.name)
    if not _is_office():
        stmt = stmt.where(Team.id.in_(current_user.led_team_ids or [-1]))
    elif not every_team:
        stmt = stmt.where(Team.is_active.is_(True) | Team.id.in_(list(include_ids) or [-1]))
    return [(tid, name) for tid, name in db.session.execute(stmt)]


# --- list ----------------------------------------------------------------------------------------

def _filters(team_ids: set[int]) -> dict:
    """The list filters from the query string; unknown values are dropped, not errors."""
    args = request.args
    team_id = args.get("team_id", type=int)
    status = args.get("status", "")
    political = args.get("political_status", "")
    age = args.get("age_group", "")
    return {
        "q": (args.get("q") or "").strip()[:40],
        "team_id": team_id if team_id in team_ids else None,
        "status": status if status in STATUS_LABELS else "",
        "political_status": political if political in POLITICAL_STATUSES else "",
        "age_group": age if age in AGE_GROUP_LABELS else "",
    }


@bp.route("/")
@role_required("office", "leader")
def index():
    teams = _team_choices(every_team=True)
    filters = _filters({tid for tid, _ in teams})
    stmt = services.search_volunteers(
        q=filters["q"] or None, team_id=filters["team_id"], status=filters["status"] or None,
        political_status=filters["political_status"] or None, age_group=filters["age_group"] or None,
        team_ids=_scope_team_ids(), today=today_local(),
    ).options(lazyload(Volunteer.memberships))
    page = services.keyset_page(
        stmt, per_page=current_app.config["PAGE_SIZE"],
        after=request.args.get("after", type=int), before=request.args.get("before", type=int),
        last=request.args.get("last") == "1")
    ids = [v.id for v in page.items]
    # "共 N 人" counts every matching volunteer: once per change of the data (volunteer/figures.py).
    total = cached("volunteers.count", (tuple(sorted(filters.items())), ids_key(_scope_team_ids()), today_local()),
                   lambda: db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())))
    args = {k: v for k, v in filters.items() if v}
    return render_template(
        "volunteers/index.html", page=page, total=total, filters=filters, args=args, teams=teams,
        team_names=services.team_names_by_volunteer(ids), minutes=approved_minutes_by_volunteer(ids),
        statuses=STATUS_LABELS, political_statuses=POLITICAL_STATUSES, age_groups=AGE_GROUP_LABELS)


# --- detail and the audited full-ID view ------------------------------------------------------------

def _render_detail(volunteer: Volunteer, full_id: str | None = None):
    totals = volunteer_totals(volunteer.id)
    level = star_level(totals["approved"])
    scope = _scope_team_ids()
    records = db.paginate(services.hour_history(volunteer.id, team_ids=scope),
                          page=request.args.get("page", 1, type=int) if request.method == "GET" else 1,
                          per_page=current_app.config["PAGE_SIZE"], error_out=False)
    memberships = db.session.execute(
        select(TeamMembership.joined_on, Team).join(Team, Team.id == TeamMembership.team_id)
        .where(TeamMembership.volunteer_id == volunteer.id).order_by(Team.name)).all()
    return render_template(
        "volunteers/detail.html", volunteer=volunteer, full_id=full_id, totals=totals, level=level,
        stars=stars_text(level), upcoming=next_level(totals["approved"]), records=records,
        memberships=memberships, history_limited=scope is not None, can_edit=_may_edit(volunteer),
        can_issue="certificates.issue" in current_app.view_functions)


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


# --- create / edit -------------------------------------------------------------------------------------

def _form_fields(form: VolunteerForm, choices: dict[int, str]) -> dict:
    """Form -> the raw canonical values the shared rules expect (teams by name)."""
    values = {key: form[key].data for key in VolunteerForm.KEYS if key != "teams"}
    values["teams"] = [choices[t] for t in (form.teams.data or []) if t in choices]
    return values


def _add_errors(form: VolunteerForm, pairs) -> None:
    """(column or field, message) pairs onto the form's fields; unknown ones onto 姓名."""
    for key, message in pairs:
        name = FIELD_OF_COLUMN.get(key, key)
        field = form[name] if name in form else form["name"]
        if message not in field.errors:
            field.errors = list(field.errors) + [message]


def _check_teams(form: VolunteerForm, choices: dict[int, str], required: bool) -> bool:
    """The chosen teams must be ones this user may pick; a leader must pick one."""
    chosen = form.teams.data or []
    if any(t not in choices for t in chosen):
        _add_errors(form, [("teams", "所选队伍不存在或无权选择，请重新选择。")])
        return False
    if required and not chosen:
        _add_errors(form, [("teams", "请选择所属队伍（至少一个您负责的队伍）。")])
        return False
    return True


def _flash_warnings(fields: dict) -> None:
    for column, message in services.volunteer_warnings(fields, today=today_local()):
        flash(f"请注意：{column}，{message}。", "warning")


@bp.route("/new", methods=["GET", "POST"])
@role_required("office", "leader")
def create():
    form = VolunteerForm()
    choices = dict(_team_choices())
    form.teams.choices = [SelectChoice(tid, name) for tid, name in choices.items()]
    if request.method == "GET":
        # ?team_id= preselects a team (the team page links here); a leader of one team gets it.
        wanted = request.args.get("team_id", type=int)
        if wanted in choices:
            form.teams.data = [wanted]
        elif len(choices) == 1 and not _is_office():
            form.teams.data = list(choices)
    if request.method == "POST":
        form_ok = form.validate_on_submit()
        teams_ok = _check_teams(form, choices, required=not _is_office())
        if form_ok and teams_ok:
            fields = _form_fields(form, choices)
            answer = None if _is_office() else _registered_already(form, fields, choices)
            if answer is not None:
                return answer
            try:
                volunteer = services.register_volunteer(current_user, fields, today=today_local())
                db.session.commit()
            except ValidationFailed as exc:
                db.session.rollback()
                _add_errors(form, exc.errors)
            except IntegrityError:
                # Two clerks registering the same person at the same moment.
                db.session.rollback()
                _add_errors(form, [("id_number", "该证件号码已登记，请搜索后编辑原有记录。")])
            except ServiceError as exc:
                db.session.rollback()
                _add_errors(form, [(exc.field or "name", exc.message)])
            else:
                flash(f"已登记志愿者 {volunteer.name}。", "success")
                _flash_warnings(fields)
                return redirect(url_for(".detail", volunteer_id=volunteer.id))
    return render_template("volunteers/form.html", form=form, volunteer=None)


def _registered_already(form: VolunteerForm, fields: dict, choices: dict[int, str]):
    """A leader's new-person form, when the ID number is registered already: that answer is
    paid for from the look-up budget and audited (volunteers.lookup), and shows nothing of the
    person; for someone outside the leader's teams it offers an invitation instead (they join
    on consent). None when the number is new (or malformed: the shared rules report that)."""
    from . import lookup, validators

    try:
        id_type = validators.normalize_id_type(fields.get("id_type"))
        number = validators.normalize_id_number(fields.get("id_number"), id_type, today=today_local())
    except validators.FieldError:
        return None
    try:
        existing = lookup.registered_identity(current_user, id_type, number, team_ids=current_user.led_team_ids)
    except ServiceError as exc:  # the budget is spent: nothing answered
        db.session.rollback()
        _add_errors(form, [("id_number", exc.message)])
        return render_template("volunteers/form.html", form=form, volunteer=None)
    inside = existing is not None and bool(existing.team_ids & current_user.led_team_ids)
    db.session.commit()  # the answer's cost and its audit entry stand
    if existing is None:
        return None
    if inside:
        _add_errors(form, [("id_number", "该证件号码已登记在您负责的队伍中，请搜索后编辑原有记录。")])
        return render_template("volunteers/form.html", form=form, volunteer=None)
    teams = [(tid, choices[tid]) for tid in (form.teams.data or []) if tid in choices] or list(choices.items())
    return render_template("teams/invite_offer.html", name=fields.get("name") or "", key=number, teams=teams)


def _edit_form_data(volunteer: Volunteer) -> dict:
    data = {key: getattr(volunteer, key) for key in VolunteerForm.KEYS if key != "teams"}
    for key in ("birth_date", "registered_on"):
        data[key] = data[key].isoformat() if data[key] else ""
    data = {k: ("" if v is None else v) for k, v in data.items()}
    if not _is_office():
        data["id_number"] = mask_id(volunteer.id_number)  # full numbers are for the office only
    data["version"] = volunteer.version
    return data


def _keep_masked_id(fields: dict, volunteer: Volunteer) -> dict:
    """A leader sees the ID masked; sending the masked value back means "unchanged"."""
    if not _is_office() and fields.get("id_number") == mask_id(volunteer.id_number):
        fields["id_number"] = volunteer.id_number
    return fields


@bp.route("/<int:volunteer_id>/edit", methods=["GET", "POST"])
@role_required("office", "leader")
def edit(volunteer_id):
    volunteer = get_visible_or_404(Volunteer, volunteer_id, "can_edit")
    if not _may_edit(volunteer):
        abort(404)
    current_teams = volunteer.team_ids
    choices = dict(_team_choices(include_ids=current_teams))
    if request.method == "GET":
        form = VolunteerForm(data=_edit_form_data(volunteer))
        form.teams.data = [t for t in choices if t in current_teams]
    else:
        form = VolunteerForm()
    form.teams.choices = [SelectChoice(tid, name) for tid, name in choices.items()]
    if request.method == "POST":
        form_ok = form.validate_on_submit()
        teams_ok = _check_teams(form, choices, required=False)
        if form_ok and teams_ok:
            fields = _keep_masked_id(_form_fields(form, choices), volunteer)
            version = form.version.data if (form.version.data or "").isdigit() else None
            try:
                services.update_volunteer(current_user, volunteer, fields, today=today_local(),
                                          version=int(version) if version else -1)
                db.session.commit()
            except (StaleError, StaleDataError):
                # StaleDataError: saved by someone else between our read and our write.
                db.session.rollback()
                flash(STALE_MESSAGE, "error")
            except ValidationFailed as exc:
                db.session.rollback()
                _add_errors(form, exc.errors)
            except IntegrityError:
                db.session.rollback()
                _add_errors(form, [("id_number", "该证件号码已属于另一名志愿者。")])
            except ServiceError as exc:
                db.session.rollback()
                _add_errors(form, [(exc.field or "name", exc.message)])
            else:
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
