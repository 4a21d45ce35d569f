"""Integrity pages (office only): the exception queue and its reviews, the monthly close, and
the daily-hours threshold."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..permissions import role_required
from ..activities.signups import CANCEL_HOURS_KEY, cancel_hours
from ..checkin.services import SETTING_AUTO, SETTING_BEFORE, SETTING_LABELS, SETTING_UNIT, checkin_settings
from ..clock import today_local
from ..extensions import db
from ..periods import month_text
from ..views import ListPage, month_span, page_arg, safe_next, save
from ..hours.models import ServiceRecord
from ..hours.months import lock_month, month_overview, month_status
from . import services
from .rules import daily_hours_limit
from .forms import IntegritySettingsForm, LockMonthForm, QueueFilterForm, ReviewForm

bp = Blueprint("integrity", __name__, url_prefix="/integrity")


@bp.route("/")
@role_required("office")
def index():
    form = QueueFilterForm(formdata=request.args or None)
    form.rule.choices = [("", "全部")] + list(services.RULES.items())
    if request.args and not form.validate():
        form.date_from.data = form.date_to.data = None
    if not request.args.get("date_from") and not form.date_from.errors:
        form.date_from.data = services.default_window()
    rule = form.rule.data if form.rule.data in services.RULES else None
    per_page = current_app.config["PAGE_SIZE"]
    page_no = page_arg()
    counts, rows = services.queue(form.date_from.data, form.date_to.data, rule, limit=per_page,
                                  offset=(page_no - 1) * per_page)
    total = counts[rule] if rule else sum(counts.values())
    args = {k: v for k, v in {"rule": rule or "", "date_from": form.date_from.data or "",
                              "date_to": form.date_to.data or ""}.items() if v}
    base_args = {k: v for k, v in args.items() if k != "rule"}
    return render_template("integrity/index.html", form=form, counts=counts, rule=rule, args=args, base_args=base_args,
                           page=ListPage(rows, page_no, per_page, total), rules=services.RULES,
                           help=services.RULE_HELP, limit=daily_hours_limit())


@bp.route("/review/<rule>/<int:record_id>", methods=["GET", "POST"])
@role_required("office")
def review(rule, record_id):
    if rule not in services.RULES:
        abort(404)
    rec = db.session.get(ServiceRecord, record_id)
    if rec is None:
        abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        decision = request.form.get("decision")
        if save(form, lambda: services.review(current_user, rule, rec, decision, form.reason.data),
                default_field="reason", duplicate=None):
            done = "已确认该记录无误" if decision == "confirmed" else "记录已作废"
            flash(f"{done}，移出异常队列。", "success")
            return redirect(safe_next(request.form.get("next")) or url_for(".index"))
    item = services.flag_detail(rule, record_id)
    if item is None and request.method == "GET":
        flash("该记录已不在异常队列中（可能已处理、更正或作废）。", "info")
        return redirect(url_for(".index"))
    return render_template("integrity/review.html", form=form, item=item, rule=rule, rec=rec,
                           rule_label=services.RULES[rule], help=services.RULE_HELP[rule],
                           next=safe_next(request.values.get("next")) or "")


@bp.route("/confirm-many", methods=["POST"])
@role_required("office")
def confirm_many():
    """Confirm the ticked exceptions with one reason (values "rule:record_id")."""
    items = []
    for value in request.form.getlist("item"):
        rule, _, rid = value.partition(":")
        if rule in services.RULES and rid.isdigit():
            items.append((rule, int(rid)))
    saved = save(None, lambda: services.confirm_many(current_user, items, request.form.get("reason", "")),
                 duplicate=None, flash_category="error")
    if saved:
        flash(f"已确认 {saved.value} 条异常无误，移出异常队列。", "success")
    return redirect(safe_next(request.form.get("next")) or url_for(".index"))


@bp.route("/reviews")
@role_required("office")
def reviews():
    per_page = current_app.config["PAGE_SIZE"]
    page_no = page_arg()
    rows = services.recent_reviews(per_page, (page_no - 1) * per_page)
    return render_template("integrity/reviews.html", page=ListPage(rows, page_no, per_page, services.review_count()),
                           rules=services.RULES)


@bp.route("/months", methods=["GET", "POST"])
@role_required("office")
def months():
    """Month end in one place: every month with its pending count and lock. A lock is two steps:
    the first POST shows what will be locked and asks again (works without JS); the second,
    carrying confirm=1, locks."""
    form = LockMonthForm()
    confirming = None
    if form.validate_on_submit():
        if request.form.get("confirm") != "1":
            # A dry run: the service's refusals show now, not after the confirmation.
            if save(form, lambda: lock_month(current_user, form.month.data), default_field="month",
                    duplicate=None, commit=False):
                db.session.rollback()
                confirming = {"month": form.month.data, **month_status(form.month.data)}
        elif save(form, lambda: lock_month(current_user, form.month.data), default_field="month",
                  duplicate=None):
            flash(f"{form.month.data} 已锁账。", "success")
            return redirect(url_for(".months"))
    refused = form.month.data if form.month.errors and month_span(form.month.data) else None
    refused_pending = month_status(refused)["pending"] if refused else 0
    return render_template("integrity/months.html", form=form, overview=month_overview(),
                           confirming=confirming, refused=refused, refused_pending=refused_pending,
                           current_month=month_text(today_local()))


@bp.route("/settings", methods=["GET", "POST"])
@role_required("office")
def settings():
    form = IntegritySettingsForm()
    if request.method == "GET":
        form.daily_hours_limit.data = daily_hours_limit()
        checkin = checkin_settings()
        form.checkin_unit.data = str(checkin["unit"])
        form.checkin_minutes_before.data = checkin["minutes_before"]
        form.checkin_auto_approve.data = checkin["auto_approve"]
        form.signup_cancel_hours.data = cancel_hours()
    if form.validate_on_submit():
        # Check-in settings only when the form sent them (a checkbox left out reads as "off").
        checkin = {SETTING_UNIT: form.checkin_unit.data, SETTING_BEFORE: str(form.checkin_minutes_before.data),
                   SETTING_AUTO: "1" if form.checkin_auto_approve.data else "0"} \
            if "checkin_unit" in request.form else {}
        if form.signup_cancel_hours.data is not None:  # the sign-up cancellation deadline
            checkin[CANCEL_HOURS_KEY] = str(form.signup_cancel_hours.data)
        saved = save(form, lambda: services.set_daily_hours_limit(current_user, float(form.daily_hours_limit.data),
                                                                 checkin, SETTING_LABELS
                                                                 | {CANCEL_HOURS_KEY: "取消报名截止时间"}),
                     default_field="daily_hours_limit", duplicate=None)
        if saved:
            flash("设置已保存。" if saved.value else "设置没有变化。", "success")
            return redirect(url_for(".index"))
    return render_template("integrity/settings.html", form=form)
