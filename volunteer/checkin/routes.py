"""Check-in pages: the venue screen, its management page and printed sheet (the activity's
managers), and the volunteer's phone pages `/c` and `/c/<token>` (one big button, no JavaScript
needed).

A token or code is valid for minutes; a volunteer who opens a valid one and must log in first
would come back to an expired one. So opening a valid one puts a ten-minute grant for that very
token into the browser's session (a cookie, nothing stored on the server): the sign-in that
follows in the same browser is accepted. A link passed on to someone elsewhere is not, unless
they open it while it is still valid.
"""
import secrets
import time as clock
from datetime import datetime
from functools import lru_cache, wraps

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..activities.models import Activity
from ..audit.services import record
from ..permissions import get_visible_or_404, own_volunteer_or_404, role_required
from ..database import write_intent
from ..errors import ServiceError
from ..extensions import db
from ..clock import utcnow
from ..throttle import spend
from ..views import save
from . import services, tokens
from .forms import CloseAllForm, CodeForm, ProxyForm, SettleForm, SignInForm, SignOutForm
from .models import Checkin

bp = Blueprint("checkin", __name__)

DEVICE_COOKIE = "vdevice"
DEVICE_MAX_AGE = 10 * 365 * 24 * 3600  # long-lived, and logging out leaves it alone
GRANT_SECONDS = 600
VENUE_REFRESH_MAX = 20  # the live list is never more than this many seconds old
VENUE_ROWS = 100  # the latest pairs on the screen; the management page lists them all


@bp.after_request
def _device_cookie(response):
    """Give the browser a device id once; it outlives logins so one phone signing in several
    people for one activity can be flagged."""
    if request.cookies.get(DEVICE_COOKIE) is None and request.endpoint in ("checkin.code", "checkin.scan"):
        response.set_cookie(DEVICE_COOKIE, secrets.token_hex(16), max_age=DEVICE_MAX_AGE, httponly=True,
                            samesite="Lax", secure=request.is_secure)
    response.headers["Cache-Control"] = "no-store"
    return response


def _device_id() -> str | None:
    value = request.cookies.get(DEVICE_COOKIE) or ""
    return value if len(value) == 32 and all(c in "0123456789abcdef" for c in value) else None


@lru_cache(maxsize=256)
def _qr_svg(url: str) -> str:
    """The QR as inline SVG. Making one costs ~30 ms; every tablet and reload of the same
    minute shows the same URL, so each worker makes it once a minute per activity."""
    return segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True, svgclass="qr")


def _location(form) -> dict | None:
    return services.parse_location(form.lat.data, form.lng.data, form.acc.data)


def _local_at(activity: Activity, hhmm: str) -> datetime:
    return services.local_to_utc(activity.service_date, hhmm)


# ------------------------------------------------------------------ volunteer's phone


def _grant(token: str, via: str) -> None:
    session["checkin_grant"] = {"t": token, "via": via, "until": int(clock.time()) + GRANT_SECONDS}


def _granted_via(token: str) -> str | None:
    grant = session.get("checkin_grant") or {}
    if grant.get("t") == token and int(grant.get("until") or 0) > clock.time():
        return grant.get("via")
    return None


def _resolve(token: str, now: datetime):
    """(activity, via, problem): the token's activity when it may be used now."""
    found = tokens.read_token(token, now)
    via = found[2] if found else None
    if found is None:
        # Expired since it was opened in this browser (a login in between): the grant holds.
        via = _granted_via(token)
        if via is not None:
            found = tokens.read_token_unchecked(token)
    if found is None:
        return None, None, _("二维码已失效，请重新扫描现场屏幕上的二维码，或输入签到码。")
    activity_id, day, _kind = found
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.service_date != day:
        return None, None, _("二维码已失效，请重新扫描现场屏幕上的二维码，或输入签到码。")
    if day != services.today_beijing(now):
        return activity, via, _("该活动在 %(day)s 进行，今天不能签到。", day=day)
    return activity, _granted_via(token) or via, None


def _read_first(view):
    """Load the login and check the request in a read transaction; only the write itself then
    runs under the write lock (database.py), as /login does. 500 people signing in within a
    minute queue for that lock, so it is held for the service's statements, not the request."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        write_intent.set(False)
        return view(*args, **kwargs)

    return wrapped


def _begin_write() -> None:
    db.session.rollback()  # end the read transaction; the next statement takes the write lock
    write_intent.set(True)


@bp.route("/c/<token>", methods=["GET", "POST"])
@_read_first
def scan(token):
    """The QR's page: the activity and one big button (login first, then brought back)."""
    if not current_user.is_authenticated:
        found = tokens.read_token(token, utcnow())
        if found is not None:
            _grant(token, found[2])
        return current_app.login_manager.unauthorized()
    volunteer = own_volunteer_or_404()
    now = utcnow()
    activity, via, problem = _resolve(token, now)
    form = SignInForm()
    if problem is None and request.method == "GET" and tokens.read_token(token, now) is not None \
            and _granted_via(token) is None:
        _grant(token, via)
    if request.method == "POST" and problem is None and form.validate_on_submit():
        _begin_write()
        saved = save(None, lambda: services.sign_in(current_user, activity, volunteer, via=via or "qr",
                                                    device_id=_device_id(), location=_location(form), now=now),
                     duplicate=None, flash_category="error")
        if saved:
            _pair, created = saved.value
            session.pop("checkin_grant", None)
            flash(_("签到成功。") if created else "您已签到。", "success")
            return redirect(url_for(".code"))
    current = services.open_checkin(volunteer.id)
    mine = [p for p in services.my_pairs(volunteer.id, now) if activity is not None and p.activity_id == activity.id]
    return render_template("checkin/scan.html", activity=activity, problem=problem, form=form, token=token,
                           current=current, mine=mine, out_form=SignOutForm(), code_form=CodeForm(),
                           place_check=activity is not None and services.has_place_check(activity),
                           sheet=via == "sheet")


@bp.route("/c", methods=["GET", "POST"])
@login_required
def code():
    """Type the 6-digit code; or, while signed in somewhere, the 签退 button."""
    volunteer = own_volunteer_or_404()
    now = utcnow()
    form = CodeForm()
    if form.validate_on_submit():
        # Every typed code comes out of the look-up budget, hit or miss (CONTRACT section 3).
        try:
            spend(current_user, 1, field="code")
        except ServiceError as exc:
            db.session.rollback()
            form.code.errors.append(exc.message)
        else:
            activity_id = tokens.read_code(form.code.data, now)
            activity = db.session.get(Activity, activity_id) if activity_id else None
            ok = activity is not None and activity.service_date == services.today_beijing(now)
            record(current_user, "checkin.code", "activity", activity.id if ok else None,
                   "输入签到码" + ("" if ok else "（无效）"))
            db.session.commit()
            if ok:
                token = tokens.qr_token(activity.id, activity.service_date, tokens.counter_at(now))
                _grant(token, "code")
                return redirect(url_for(".scan", token=token))
            form.code.errors.append(_("签到码无效或已过期，请核对现场屏幕上的数字。"))
    current = services.open_checkin(volunteer.id)
    return render_template("checkin/code.html", form=form, current=current, out_form=SignOutForm(),
                           mine=services.my_pairs(volunteer.id, now))


@bp.route("/c/out", methods=["POST"])
@_read_first
@login_required
def sign_out():
    """签退 of the volunteer's open sign-in: always accepted."""
    volunteer_id = own_volunteer_or_404().id
    form = SignOutForm()
    if not form.validate_on_submit():
        abort(400)
    _begin_write()
    pair = services.open_checkin(volunteer_id)
    if pair is None:
        flash(_("您当前没有签到中的活动。"), "info")
        return redirect(url_for(".code"))
    if save(None, lambda: services.sign_out(current_user, pair), duplicate=None, flash_category="error"):
        flash(_("已签退。"), "success")
    return redirect(url_for(".code"))


# ------------------------------------------------------------------- venue (managers)


def _managed(activity_id: int) -> Activity:
    return get_visible_or_404(Activity, activity_id, "can_manage")


@bp.route("/activities/<int:activity_id>/checkin")
@role_required("office", "leader")
def venue(activity_id):
    """The venue screen: QR and code (renewed every minute), counts, the latest sign-ins."""
    activity = _managed(activity_id)
    now = utcnow()
    counter = tokens.counter_at(now)
    url = url_for(".scan", token=tokens.qr_token(activity.id, activity.service_date, counter), _external=True)
    pairs = services.live_list(activity, limit=VENUE_ROWS)
    counts = services.counts(activity)
    refresh = min(tokens.seconds_to_next(now) + 1, VENUE_REFRESH_MAX)
    return render_template("checkin/venue.html", activity=activity, qr=_qr_svg(url), qr_url=url,
                           code=tokens.code_for(activity.id, counter), pairs=pairs,
                           total=sum(counts.values()), counts=counts, refresh=refresh,
                           today=services.today_beijing(now) == activity.service_date)


def _manage_page(activity, proxy_form=None, close_form=None, settle_form=None, found=None, status=200):
    pairs = services.live_list(activity)
    close_form = close_form or CloseAllForm()
    if not close_form.at.data:
        close_form.at.data = (utcnow() + services.OFFSET).strftime("%H:%M")
    return render_template("checkin/manage.html", activity=activity, pairs=pairs,
                           counts=services.counts(activity), proxy_form=proxy_form or ProxyForm(),
                           close_form=close_form, settle_form=settle_form or SettleForm(), found=found or [],
                           past=services.today_beijing() > activity.service_date,
                           place_check=services.has_place_check(activity)), status


@bp.route("/activities/<int:activity_id>/checkin/manage")
@role_required("office", "leader")
def manage(activity_id):
    """代签, 统一签退 and missed sign-outs for one activity (no auto-refresh: forms are typed here)."""
    return _manage_page(_managed(activity_id))


@bp.route("/activities/<int:activity_id>/checkin/proxy", methods=["POST"])
@role_required("office", "leader")
def proxy(activity_id):
    """代签: sign a person in or out on their behalf, with a reason."""
    activity = _managed(activity_id)
    form = ProxyForm()
    if not form.validate_on_submit():
        return _manage_page(activity, proxy_form=form)
    try:
        people = services.find_people(activity, form.name.data, form.last4.data)
        if not people:
            raise ServiceError(_("在本活动的报名者和本队队员中没有找到此人（姓名和后 4 位需一致）。"), "name")
        if len(people) > 1:
            raise ServiceError(_("找到不止一人，请改用证件号码后 4 位。"), "last4")
        person = people[0]
        if form.action.data == "in":
            services.sign_in(current_user, activity, person, via="proxy", location=_location(form),
                             proxy_reason=form.reason.data)
            done = f"已为 {person.name} 代签到。"
        else:
            pair = services.open_checkin(person.id)
            if pair is None or pair.activity_id != activity.id:
                raise ServiceError(f"{person.name} 当前没有在本活动签到。", "name")
            services.sign_out(current_user, pair, proxy_reason=form.reason.data)
            done = f"已为 {person.name} 代签退。"
    except ServiceError as exc:
        db.session.rollback()
        getattr(form, exc.field if exc.field in ("name", "last4", "reason") else "name").errors.append(exc.message)
        return _manage_page(activity, proxy_form=form)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".manage", activity_id=activity.id))


@bp.route("/activities/<int:activity_id>/checkin/close", methods=["POST"])
@role_required("office", "leader")
def close(activity_id):
    """统一签退: everyone still signed in, at one time of the activity's day."""
    activity = _managed(activity_id)
    form = CloseAllForm()
    if not form.validate_on_submit():
        return _manage_page(activity, close_form=form)
    saved = save(form, lambda: services.sign_out_all(current_user, activity, _local_at(activity, form.at.data)),
                 default_field="at", columns={"end_at": "at"}, duplicate=None)
    if not saved:
        return _manage_page(activity, close_form=form)
    n = saved.value
    flash(f"已统一签退 {n} 人。" if n else "没有仍在签到中的人。", "success")
    return redirect(url_for(".manage", activity_id=activity.id))


@bp.route("/activities/<int:activity_id>/checkin/settle", methods=["POST"])
@role_required("office", "leader")
def settle(activity_id):
    """A missed sign-out gets its end time from the leader (never credited or zeroed alone)."""
    activity = _managed(activity_id)
    form = SettleForm()
    if not form.validate_on_submit():
        return _manage_page(activity, settle_form=form)
    pair = db.session.get(Checkin, int(form.checkin_id.data))
    if pair is None or pair.activity_id != activity.id:
        abort(404)
    if not save(form, lambda: services.settle_missed(current_user, pair, _local_at(activity, form.end_at.data)),
                default_field="end_at", columns={"checkin_id": "end_at"}, duplicate=None):
        return _manage_page(activity, settle_form=form)
    flash(f"已补填 {pair.volunteer.name} 的签退时间。", "success")
    return redirect(url_for(".manage", activity_id=activity.id))


@bp.route("/activities/<int:activity_id>/checkin/sheet")
@role_required("office", "leader")
def sheet(activity_id):
    """The printable A4 sign-in sheet: a QR valid for the activity's day, signature lines."""
    activity = _managed(activity_id)
    url = url_for(".scan", token=tokens.qr_token(activity.id, activity.service_date, tokens.SHEET), _external=True)
    rows = max(activity.headcount or 0, 20)
    return render_template("checkin/sheet.html", activity=activity, qr=_qr_svg(url), rows=min(rows, 200))


@bp.route("/checkin/missed")
@role_required("office", "leader")
def missed():
    """The leader's queue of missed sign-outs across their activities."""
    return render_template("checkin/missed.html", pairs=services.missed_queue(current_user))

