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
from ..views import int_arg, page_arg
from . import services
from .forms import IdNumberForm, VolunteerForm
from .models import STATUS_LABELS, Volunteer
from .privacy import age_text, id_for
from .validators import COLUMN_NAMES, ID18_TYPES, POLITICAL_STATUSES

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

def _filters(team_ids: set[int], args=None) -> dict:
    """The list filters from the query string (or ``args``, such as a POSTed form); unknown
    values are dropped, not errors."""
    args = request.args if args is None else args
    team_id = int_arg("team_id", source=args)
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
        after=int_arg("after"), before=int_arg("before"),
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

def _render_detail(volunteer: Volunteer, full_id: str | None = None, id_form: IdNumberForm | None = None):
    totals = volunteer_totals(volunteer.id)
    level = star_level(totals["approved"])
    scope = _scope_team_ids()
    records = db.paginate(services.hour_history(volunteer.id, team_ids=scope),
                          page=page_arg() if request.method == "GET" else 1,
                          per_page=current_app.config["PAGE_SIZE"], error_out=False)
    memberships = db.session.execute(
        select(TeamMembership.joined_on, Team).join(Team, Team.id == TeamMembership.team_id)
        .where(TeamMembership.volunteer_id == volunteer.id).order_by(Team.name)).all()
    if id_form is None and _is_office():
        id_form = IdNumberForm(formdata=None, data={"id_type": volunteer.id_type})
    return render_template(
        "volunteers/detail.html", volunteer=volunteer, full_id=full_id, id_form=id_form, totals=totals, level=level,
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


@bp.route("/<int:volunteer_id>/id-number/change", methods=["POST"])
@role_required("office")
def change_id(volunteer_id):
    """A new ID number: its own audited action, apart from the ordinary edit form."""
    volunteer = get_visible_or_404(Volunteer, volunteer_id)
    form = IdNumberForm()
    if form.validate_on_submit():
        try:
            services.change_id_number(current_user, volunteer, form.id_type.data, form.id_number.data,
                                      today=today_local())
            db.session.commit()
        except IntegrityError:  # the same number saved for someone else at the same moment
            db.session.rollback()
            form.id_number.errors.append("该证件号码已属于另一名志愿者。")
        except ValidationFailed as exc:
            db.session.rollback()
            form.id_number.errors.extend(message for _, message in exc.errors)
        except ServiceError as exc:
            db.session.rollback()
            form.id_number.errors.append(exc.message)
        else:
            flash(f"已修改 {volunteer.name} 的证件号码，本次修改已记入操作日志。", "success")
            return redirect(url_for(".detail", volunteer_id=volunteer.id))
        volunteer = db.session.get(Volunteer, volunteer_id)
    return _render_detail(volunteer, id_form=form)


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
        wanted = int_arg("team_id")
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
    """The edit form's values. The ID number and the birth date stay empty: either would let
    the full number be read off the page (the office's mask hides exactly the birth date)."""
    data = {key: getattr(volunteer, key) for key in VolunteerForm.KEYS if key not in ("teams", "birth_date")}
    data["registered_on"] = data["registered_on"].isoformat() if data["registered_on"] else ""
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["id_number"] = data["birth_date"] = ""
    data["version"] = volunteer.version
    return data


def _prepare_edit_form(form: VolunteerForm, volunteer: Volunteer) -> None:
    """Empty ID and birth-date boxes mean "unchanged"; the placeholders say what is stored."""
    form.id_number.flags.required = False
    form.id_number.render_kw = dict(form.id_number.render_kw or {}, placeholder=id_for(current_user, volunteer.id_number))
    form.id_number.description = "不修改请留空；填写新号码即修改证件号码（记入操作日志）。"
    form.birth_date.render_kw = dict(form.birth_date.render_kw or {}, placeholder=f"当前年龄：{age_text(volunteer.birth_date)}")
    form.birth_date.description = "不修改请留空。居民身份证按证件号码自动填写。"


def _edited_fields(form: VolunteerForm, fields: dict, volunteer: Volunteer) -> tuple[dict, bool] | None:
    """The form's values with the stored ID number and birth date filled in where the boxes
    were left empty (or hold a mask of the stored number), and whether the ID changes.
    None (with the error on the form) when the boxes cannot be read that way.

    With the stored number kept, a birth date typed for a resident ID is refused whatever it
    is: comparing it with the stored one would tell anyone the birth date, one guess at a time."""
    typed = "".join((fields.get("id_number") or "").split()).upper()
    # Only the mask this user is shown means "unchanged": were a leader's guess at the office's
    # mask accepted, the answer would confirm the area code behind it.
    if typed in ("", id_for(current_user, volunteer.id_number)):
        if fields.get("id_type") != volunteer.id_type:
            _add_errors(form, [("id_number", "修改证件类型时请填写完整的新证件号码。")])
            return None
        fields["id_number"] = volunteer.id_number
        if _blank(fields.get("birth_date")):
            fields["birth_date"] = volunteer.birth_date
        elif volunteer.id_type in ID18_TYPES:
            _add_errors(form, [("birth_date", "居民身份证的出生日期按证件号码确定，请留空。")])
            return None
        return fields, False
    if "*" in typed:
        _add_errors(form, [("id_number", "请填写完整的新证件号码；不修改请留空。")])
        return None
    return fields, True


def _blank(value) -> bool:
    return value is None or not str(value).strip()


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
    _prepare_edit_form(form, volunteer)
    if request.method == "POST":
        form_ok = form.validate_on_submit()
        teams_ok = _check_teams(form, choices, required=False)
        edited = _edited_fields(form, _form_fields(form, choices), volunteer) if form_ok and teams_ok else None
        if edited and edited[1] and not _id_change_answered(form, edited[0], volunteer):
            edited = None
        if edited:
            fields = edited[0]
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


def _id_change_answered(form: VolunteerForm, fields: dict, volunteer: Volunteer) -> bool:
    """A new ID number in the edit form answers "is it registered already?". For anyone but
    the office that answer goes through volunteers.lookup (audited; paid for from the look-up
    budget unless it is one of the asker's own members) and is committed at once, so that a
    refused save still pays for it. False, with the error on the form, when the save must stop."""
    if _is_office():
        return True  # the office may know; the service refuses a number in use
    from . import lookup, validators

    try:
        id_type = validators.normalize_id_type(fields.get("id_type"))
        number = validators.normalize_id_number(fields.get("id_number"), id_type, today=today_local())
    except validators.FieldError:
        return True  # malformed: the shared rules report it, nothing is looked up
    try:
        other = lookup.registered_identity(current_user, id_type, number, team_ids=current_user.led_team_ids,
                                           purpose="edit")
    except ServiceError as exc:  # the budget is spent: nothing answered
        db.session.rollback()
        _add_errors(form, [("id_number", exc.message)])
        return False
    taken = other is not None and other.id != volunteer.id
    db.session.commit()  # the answer's cost and its audit entry stand
    if taken:
        _add_errors(form, [("id_number", "该证件号码已属于另一名志愿者。")])
        return False
    return True


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
