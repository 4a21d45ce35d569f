"""Login, logout, and a volunteer's claim of their account."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..database import write_intent
from ..errors import ServiceError
from ..extensions import db
from ..views import safe_next
from . import services
from .forms import ClaimForm, LoginForm, PasswordForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    # Checking a password is slow (a deliberate hash); do it in a read transaction so other
    # users' writes need not wait, then write the outcome in a short transaction of its own.
    write_intent.set(False)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user_id, message, counts = services.check_login(form.username.data, form.password.data,
                                                        request.remote_addr)
        db.session.rollback()
        write_intent.set(True)
        user = None
        if user_id is not None or counts:
            user = services.record_login(form.username.data, request.remote_addr, user_id, limits=current_app.config)
        db.session.commit()
        if user is not None:
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
        form.password.errors.append(message)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/claim", methods=["GET", "POST"])
def claim():
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            user = services.claim_account(name=form.name.data, id_number=form.id_number.data,
                                          phone=form.phone.data, password=form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            (getattr(form, exc.field).errors if exc.field in form else form.name.errors).append(exc.message)
        else:
            db.session.commit()
            login_user(user)
            flash("账号认领成功，以后请用手机号和密码登录。", "success")
            return redirect(url_for("me.index"))
    return render_template("auth/claim.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(current_user, current_user, form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # new session token: keep this session
            flash("密码已修改。", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
