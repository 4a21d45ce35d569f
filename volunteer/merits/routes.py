"""Training, commendation and evaluation pages (office and leaders).

Trainings have their own list and page: the training's team's members are ticked in a list,
and anyone else is found by name with mobile or full ID number (volunteers.lookup, budgeted and
audited) and added at once, as the hours screen finds people. A volunteer's page carries a
section (templates/merits/_volunteer_section.html) with their training, commendations and
evaluations and links to the forms here. Voiding asks for a reason on its own small page.
"""
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..clock import today_local
from ..extensions import db
from ..forms import choices
from ..hours.models import ServiceRecord
from ..permissions import get_visible_or_404, role_required
from ..privacy import id_for
from ..excel import merit_exports
from ..exports.names import export_name, period_text
from ..views import date_arg, int_arg, paginate, save
from ..volunteers import lookup
from ..volunteers.models import Volunteer
from ..volunteers.roster import team_choices
from . import activity_routes, queries, sections, services  # activity_routes: the evaluation sheet, on this blueprint
from .blueprint import bp
from .forms import (AttendForm, AttendeesForm, CommendationForm, EvaluationForm, FindPersonForm, TeamPickForm,
                    TrainingForm, VoidForm)
from .models import Commendation, Evaluation, Training, TrainingAttendance


OFFICE_TEAM = "（分中心组织，不属于某支队伍）"


def _volunteer_url(volunteer_id: int) -> str:
    return url_for("volunteers.detail", volunteer_id=volunteer_id) + "#merits"


# --------------------------------------------------------------------------------- trainings

@bp.route("/trainings")
@role_required("office", "leader")
def trainings():
    page = paginate(queries.trainings_list(current_user.team_scope))
    return render_template("merits/trainings.html", page=page,
                           attendees=queries.attendee_counts(t.id for t in page.items))


@bp.route("/trainings/new", methods=["GET", "POST"])
@role_required("office", "leader")
def new_training():
    form = TrainingForm()
    teams = team_choices(current_user)
    form.team_id.choices = choices(([("", OFFICE_TEAM)] if current_user.role == "office" else []) + teams)
    if request.method == "GET" and int_arg("team_id") in dict(teams):
        form.team_id.data = int_arg("team_id")
    if form.validate_on_submit():
        if current_user.role != "office" and form.team_id.data not in dict(teams):
            form.team_id.errors = ["请选择您负责的队伍。"]
        else:
            saved = save(form, lambda: services.create_training(current_user, form.values(), team_id=form.team_id.data,
                                                                today=today_local()), default_field="title")
            if saved:
                flash(f"已登记培训“{saved.value.title}”，请勾选参训人员。", "success")
                return redirect(url_for(".training", training_id=saved.value.id))
    return render_template("merits/training_form.html", form=form)


@bp.route("/trainings/<int:training_id>", methods=["GET", "POST"])
@role_required("office", "leader")
def training(training_id):
    """The training and its attendance. POST action=find adds one person found by name and key;
    any other POST adds the ticked members of the listed team."""
    training = get_visible_or_404(Training, training_id)
    manage = training.can_manage(current_user) and training.status != "void"
    if request.method == "POST" and not training.can_manage(current_user):
        abort(404)
    if request.method == "POST" and not manage:
        flash("该培训已作废，不能再登记参训人员。", "warning")
        return redirect(url_for(".training", training_id=training_id))
    find_form = FindPersonForm(formdata=None)
    pick_form = AttendeesForm(formdata=None)
    team_id = _listed_team(training)
    listed = _candidates(training, team_id) if manage else []
    people = choices([(v.id, f"{v.name}（{id_for(current_user, v.id_number)}）") for v in listed])
    pick_form.people.choices = people
    if request.method == "POST" and request.form.get("action") == "find":
        find_form = FindPersonForm()
        if find_form.validate() and _find_and_add(find_form, training):
            return redirect(url_for(".training", training_id=training_id, team_id=team_id))
        training = db.session.get(Training, training_id)  # a commit or a rollback expired it
    elif request.method == "POST":
        pick_form = AttendeesForm()
        pick_form.people.choices = people
        if pick_form.validate():
            allowed = {v.id for v in listed}
            picked = [v for v in pick_form.people.data or [] if v in allowed]
            if not picked:
                pick_form.people.errors = ["请至少勾选一人。"]
            else:
                saved = save(pick_form, lambda: services.add_attendees(current_user, training, picked),
                             default_field="people")
                if saved:
                    flash(f"已登记 {saved.value['added']} 人参训。", "success")
                    return redirect(url_for(".training", training_id=training_id, team_id=team_id))
    team_form = None
    if manage and training.team_id is None:
        team_form = TeamPickForm(request.args)
        team_form.team_id.choices = choices([("", "请选择队伍")] + team_choices(current_user))
        team_form.team_id.data = team_id
    return render_template("merits/training.html", training=training, manage=manage, find_form=find_form,
                           pick_form=pick_form, team_id=team_id,
                           attendance=queries.attendance_of(training.id, members_of=None if training.can_manage(
                               current_user) else current_user.team_scope),
                           team_form=team_form)


def _listed_team(training: Training) -> int | None:
    """Whose members are listed to tick: the training's team, or for the office's own
    training the team picked with ?team_id= among the user's teams."""
    if training.team_id is not None:
        return training.team_id
    wanted = int_arg("team_id") or int_arg("team_id", source=request.form)
    return wanted if wanted in dict(team_choices(current_user)) else None


def _candidates(training: Training, team_id: int | None) -> list[Volunteer]:
    if team_id is None:
        return []
    already = queries.live_attendee_ids(training.id)
    ids = queries.team_member_ids([team_id]) - already
    people = db.session.query(Volunteer).filter(Volunteer.id.in_(ids or [-1]), Volunteer.status == "active")
    return people.order_by(Volunteer.name, Volunteer.id).all()


def _find_and_add(form: FindPersonForm, training: Training) -> bool:
    """Look the person up (the answer and its cost are committed even on a miss) and, when
    found, add them in the same commit."""
    def action():
        person = lookup.find_person(current_user, form.name.data, form.key.data, purpose="training",
                                    team_ids=current_user.team_scope)
        if person is not None:
            services.add_attendees(current_user, training, [person.id])
        return person
    answer = save(form, action, default_field="key")
    if answer and answer.value is None:
        form.key.errors = ["未找到姓名与手机号码（或证件号码）都相符的志愿者。新志愿者请先登记。"]
        return False
    if answer:
        flash(f"已添加 {answer.value.name} 为参训人员。", "success")
    return bool(answer)


@bp.route("/trainings/<int:training_id>/void", methods=["GET", "POST"])
@role_required("office", "leader")
def void_training(training_id):
    training = get_visible_or_404(Training, training_id, "can_manage")
    back = url_for(".training", training_id=training_id)
    return _void_page(f"作废培训“{training.title}”", back, lambda reason: services.void_training(
        current_user, training, reason), "培训已作废。")


@bp.route("/attendances/<int:attendance_id>/void", methods=["GET", "POST"])
@role_required("office", "leader")
def void_attendance(attendance_id):
    attendance = db.session.get(TrainingAttendance, attendance_id)
    if attendance is None or not attendance.training.can_manage(current_user):
        abort(404)
    back = safe_back(url_for(".training", training_id=attendance.training_id))
    return _void_page(f"作废参训记录：{attendance.volunteer.name}，{attendance.training.title}", back,
                      lambda reason: services.void_attendance(current_user, attendance, reason), "参训记录已作废。")


def safe_back(default: str) -> str:
    """Back to the volunteer's page when the void started there (?from=volunteer&v=<id>)."""
    volunteer_id = int_arg("v") or int_arg("v", source=request.form)
    if volunteer_id and request.values.get("from") == "volunteer":
        return _volunteer_url(volunteer_id)
    return default


def _void_page(title: str, back: str, action, done: str):
    form = VoidForm()
    if form.validate_on_submit() and save(form, lambda: action(form.reason.data), default_field="reason"):
        flash(done, "success")
        return redirect(back)
    return render_template("merits/void.html", form=form, title=title, back=back)


# ------------------------------------------------------------------ on the volunteer's page

def _volunteer_in_reach(volunteer_id: int) -> Volunteer:
    """The volunteer, when the user may write their record: the office, or a leader of one of
    their teams (a leader who merely sees them through an old record may not). Else 404."""
    volunteer = get_visible_or_404(Volunteer, volunteer_id)
    if current_user.role != "office" and not (volunteer.team_ids & current_user.led_team_ids):
        abort(404)
    return volunteer


@bp.route("/volunteers/<int:volunteer_id>/trainings", methods=["GET", "POST"])
@role_required("office", "leader")
def attend(volunteer_id):
    volunteer = _volunteer_in_reach(volunteer_id)
    form = AttendForm()
    form.training_id.choices = choices([("", "请选择")] + [
        (t.id, f"{t.held_on} {t.title}") for t in queries.open_trainings(current_user.team_scope)])
    if form.validate_on_submit():
        chosen = db.session.get(Training, form.training_id.data)
        if chosen is None or not chosen.can_manage(current_user):
            form.training_id.errors = ["请选择列表中的培训。"]
        elif save(form, lambda: services.add_attendees(current_user, chosen, [volunteer.id]),
                  default_field="training_id"):
            flash(f"已将 {volunteer.name} 登记为“{chosen.title}”的参训人员。", "success")
            return redirect(_volunteer_url(volunteer_id))
    return render_template("merits/attend_form.html", form=form, volunteer=volunteer)


@bp.route("/volunteers/<int:volunteer_id>/commendations", methods=["GET", "POST"])
@role_required("office", "leader")
def commend(volunteer_id):
    volunteer = _volunteer_in_reach(volunteer_id)
    form = CommendationForm()
    if form.validate_on_submit() and save(form, lambda: services.add_commendation(
            current_user, volunteer, form.values(), today=today_local()), default_field="title"):
        flash(f"已为 {volunteer.name} 登记表彰“{form.title.data.strip()}”。", "success")
        return redirect(_volunteer_url(volunteer_id))
    return render_template("merits/commendation_form.html", form=form, volunteer=volunteer)


@bp.route("/commendations/<int:commendation_id>/void", methods=["GET", "POST"])
@role_required("office", "leader")
def void_commendation(commendation_id):
    item = get_visible_or_404(Commendation, commendation_id, "can_manage")
    return _void_page(f"作废表彰：{item.volunteer.name}，{item.title}", _volunteer_url(item.volunteer_id),
                      lambda reason: services.void_commendation(current_user, item, reason), "表彰已作废。")


@bp.route("/volunteers/<int:volunteer_id>/evaluations", methods=["GET", "POST"])
@role_required("office", "leader")
def evaluate(volunteer_id):
    volunteer = get_visible_or_404(Volunteer, volunteer_id)
    records = queries.evaluable_records(volunteer.id, current_user.team_scope)
    form = EvaluationForm()
    form.record_id.choices = choices([("", "请选择")] + [
        (r.id, f"{r.service_date} {r.activity.title}（{r.minutes / 60:g} 小时）") for r in records])
    if request.method == "GET" and int_arg("record_id") in {r.id for r in records}:
        form.record_id.data = int_arg("record_id")
    if form.validate_on_submit():
        rec = db.session.get(ServiceRecord, form.record_id.data)
        if rec is None or rec.volunteer_id != volunteer.id or not rec.can_manage(current_user):
            form.record_id.errors = ["请选择列表中的服务记录。"]
        elif save(form, lambda: services.evaluate_record(current_user, rec, form.values()), default_field="comment"):
            flash(f"已评价 {volunteer.name} 的服务记录。", "success")
            return redirect(_volunteer_url(volunteer_id))
    return render_template("merits/evaluation_form.html", form=form, volunteer=volunteer, records=records)


@bp.route("/evaluations/<int:evaluation_id>/void", methods=["GET", "POST"])
@role_required("office", "leader")
def void_evaluation(evaluation_id):
    item = get_visible_or_404(Evaluation, evaluation_id, "can_manage")
    return _void_page(f"作废评价：{item.volunteer.name}，{item.record.activity.title}",
                      _volunteer_url(item.volunteer_id),
                      lambda reason: services.void_evaluation(current_user, item, reason), "评价已作废。")


# --------------------------------------------------------------------------------- download

EXPORT_LABELS = {"training": "培训记录", "commendations": "表彰记录", "evaluations": "服务评价"}


@bp.route("/export")
@role_required("office")
def export():
    """The office's download of one kind (?kind=training|commendations|evaluations, optional
    ?from= and ?to=): the import template's columns, ID numbers in the office's mask."""
    kind = request.args.get("kind")
    if kind not in EXPORT_LABELS:
        abort(404)
    start, end = date_arg("from"), date_arg("to")
    if start and end and start > end:
        start, end = end, start
    buffer = io.BytesIO()
    merit_exports.EXPORTERS[kind](current_user, buffer, date_from=start, date_to=end)
    buffer.seek(0)
    name = export_name(EXPORT_LABELS[kind], period_text(date_from=start, date_to=end, today=today_local()), "有效")
    response = send_file(buffer, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         as_attachment=True, download_name=name, max_age=0, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


bp.add_app_template_global(sections.volunteer_section, "merits_volunteer_section")
bp.add_app_template_global(sections.my_section, "merits_my_section")
