"""Joining pages: /register (anonymous self-registration) and a leader's in-person 核实.
The team side of applications and the volunteer's own account pages attach to the same
blueprint from team_routes.py and account_routes.py."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from ..auth.services import start_session
from ..clock import today_local
from ..errors import ServiceError, ValidationFailed
from ..extensions import db
from ..permissions import role_required
from ..throttle import client_address
from ..views import put_error, safe_next, save
from ..volunteers.models import Volunteer
from ..forms import choices
from . import account_routes, applications, services, team_routes  # noqa: F401 (routes on this blueprint)
from .blueprint import bp
from .forms import RegisterForm

# The validator's column names -> the form's fields, so each message sits under its box.
COLUMNS = {"姓名": "name", "证件类型": "id_type", "证件号码": "id_number", "手机号码": "phone", "性别": "gender",
           "出生日期": "birth_date", "监护人姓名": "guardian_name", "监护人电话": "guardian_phone"}


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    form.team_ids.choices = choices([(t.id, t.name) for t in applications.open_teams()])
    if form.validate_on_submit():
        address = client_address()
        fields = {k: getattr(form, k).data for k in ("name", "id_type", "id_number", "phone", "gender", "birth_date",
                                                        "guardian_name", "guardian_phone")}
        try:
            user = services.register(fields, form.password.data, address=address, today=today_local(),
                                     team_ids=form.team_ids.data or ())
            start_session(user, address)  # logins are server-side sessions (auth.services)
            db.session.commit()
        except services.AlreadyRegistered as exc:
            db.session.rollback()
            services.charge(address, exc.id_number, current_app.config)
            db.session.commit()
            form.id_number.errors.append(exc.message)
        except (ValidationFailed, ServiceError) as exc:
            db.session.rollback()
            put_error(form, exc, "name", COLUMNS)
        else:
            login_user(user)
            flash(_("注册成功，已为您登录。您的身份尚未核实，请在参加活动时请队长当面核实；核实前不能开具志愿服务记录证明。"),
                  "success")
            return redirect(url_for("me.index"))
    return render_template("joining/register.html", form=form)


@bp.route("/volunteers/<int:volunteer_id>/verify", methods=["POST"])
@role_required("office", "leader")
def verify(volunteer_id):
    """核实身份: the person stood in front of the leader or the office with their ID."""
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or not services.can_verify(current_user, volunteer):
        abort(404)
    if save(None, lambda: services.verify(current_user, volunteer), duplicate=None):
        flash(f"已核实 {volunteer.name} 的身份。", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("volunteers.detail", volunteer_id=volunteer_id))
