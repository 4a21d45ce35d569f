"""Login, logout, changing one's password, and a volunteer's claim of their account."""
from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from ..database import write_intent
from ..errors import ServiceError
from ..extensions import db
from ..throttle import Throttled, address_key, client_address, locked_seconds, record_failure
from ..views import safe_next
from . import services
from .forms import ClaimForm, LoginForm, PasswordForm

bp = Blueprint("auth", __name__)

# What a login with a one-time password may reach before choosing its own password.
BEFORE_NEW_PASSWORD = {"auth.change_password", "auth.logout", "static", "bootstrap.static", "main.healthz"}
MUST_CHANGE = "must_change_password"


@bp.before_app_request
def require_new_password():
    """A one-time password (set by a leader or the office) opens only the password page."""
    # The mark is in the signed session cookie (set at login), so this costs no query.
    if session.get(MUST_CHANGE) and request.endpoint not in BEFORE_NEW_PASSWORD:
        flash(_("您正在使用一次性密码，请先设置新密码。"), "warning")
        return redirect(url_for("auth.change_password"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    # Checking a password is slow (a deliberate hash); do it in a read transaction so other
    # users' writes need not wait, then write the outcome in a short transaction of its own.
    write_intent.set(False)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        address = client_address()
        user_id, message, counts = services.check_login(form.username.data, form.password.data, address,
                                                        limits=current_app.config)
        db.session.rollback()
        write_intent.set(True)
        user = None
        if user_id is not None or counts:
            user = services.record_login(form.username.data, address, user_id, limits=current_app.config)
        db.session.commit()
        if user is not None:
            login_user(user)
            if user.must_change_password:
                session[MUST_CHANGE] = True
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
        form.password.errors.append(message)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.logout(current_user)
        db.session.commit()
    logout_user()
    session.pop(MUST_CHANGE, None)
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/claim", methods=["GET", "POST"])
def claim():
    form = ClaimForm()
    if form.validate_on_submit():
        address = client_address()
        try:
            user = services.claim_account(name=form.name.data, id_number=form.id_number.data,
                                          phone=form.phone.data, password=form.password.data, address=address)
            services.start_session(user, address)
            db.session.commit()
        except services.ClaimFailed as exc:
            db.session.rollback()
            services.record_claim_failure(id_number=form.id_number.data, phone=form.phone.data, address=address,
                                          limits=current_app.config)
            db.session.commit()
            form.name.errors.append(exc.message)
        except IntegrityError:  # a claim of the same record at the same moment won
            db.session.rollback()
            form.name.errors.append(_(services.CLAIM_FAILED))
        except ServiceError as exc:
            db.session.rollback()
            (getattr(form, exc.field).errors if exc.field in form else form.name.errors).append(exc.message)
        else:
            login_user(user)
            flash(_("账号认领成功，以后请用手机号或证件号码和密码登录。"), "success")
            return redirect(url_for("me.index"))
    return render_template("auth/claim.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        # A stolen session must not guess its way to the password: wrong current passwords are
        # throttled like logins (per login and address).
        key = f"password:{current_user.id}|{address_key(client_address())}"
        user = current_user._get_current_object()
        try:
            if locked_seconds([key]):
                raise Throttled("current_password")
            services.change_own_password(user, form.current_password.data, form.password.data)
            session.pop(MUST_CHANGE, None)
        except ServiceError as exc:
            db.session.rollback()
            if exc.field == "current_password" and not isinstance(exc, Throttled):
                record_failure(key, current_app.config["LOGIN_MAX_FAILURES"],
                               timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"]))
                db.session.commit()
            (getattr(form, exc.field).errors if exc.field in form else form.password.errors).append(exc.message)
        else:
            db.session.commit()
            flash(_("密码已修改，其他设备上的登录已退出。"), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
