"""Certificate pages: the register, issuing, the printable certificate, revoking, the public
verification page and the issuer settings.

Office: everything. A volunteer (any login linked to a volunteer record, role volunteer) issues
and views their own certificates; someone else's answers 404. Leaders are refused (403).
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..permissions import role_required
from ..extensions import db
from ..hours.models import ServiceRecord
from ..hours.services import volunteer_totals
from ..merits.models import COMMENDATION_LEVELS, TRAINING_KINDS, TRAINING_MODES
from ..clock import today_local
from ..views import paginate, save, to_int
from ..volunteers import lookup
from ..volunteers.models import Volunteer
from . import services
from .forms import IssueForm, IssuerSettingsForm, RevokeForm, VolunteerSearchForm
from .models import Certificate

bp = Blueprint("certificates", __name__, url_prefix="/certificates")


def verify_url(code: str) -> str:
    """The absolute address of the verification page: the configured base URL (for a site
    behind a proxy), else the address this request came in on."""
    base = services.issuer_settings()["certificate.verify_base_url"].rstrip("/")
    if base:
        return base + url_for("certificates.verify", code=code)
    return url_for("certificates.verify", code=code, _external=True)


@bp.route("/")
@role_required("office")
def register():
    form = VolunteerSearchForm(formdata=request.args or None)
    stmt = (select(Certificate).options(selectinload(Certificate.volunteer), selectinload(Certificate.issued_by))
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    q = (request.args.get("q") or "").strip()[:50]
    if q:
        stmt = stmt.join(Volunteer, Volunteer.id == Certificate.volunteer_id).where(
            or_(Certificate.number == q.upper(), Certificate.number.like(q.upper() + "%"), Volunteer.name == q))
    page = paginate(stmt)
    return render_template("certificates/register.html", page=page, form=form, q=q)


def _find_volunteers(q: str):
    q = q.strip()
    if not q:
        return []
    typed = lookup.read_typed(q)
    conds = lookup.search_conditions(typed, national_no=False)
    return db.session.scalars(select(Volunteer).where(or_(*conds)).order_by(Volunteer.name, Volunteer.id).limit(20)).all()


def _volunteer_for_issue():
    """The volunteer the current user may issue for, or a 404 (a 403 for leaders comes first)."""
    raw = request.values.get("volunteer_id", "")
    if current_user.role == "volunteer" and not raw:
        raw = str(current_user.volunteer_id or "")
    if not raw:
        return None
    if to_int(raw, min_value=1) is None:  # malformed or beyond any id
        abort(404)
    volunteer = db.session.get(Volunteer, to_int(raw, min_value=1))
    if volunteer is None or not services.can_issue_for(current_user, volunteer.id):
        abort(404)
    return volunteer


@bp.route("/issue", methods=["GET", "POST"])
@role_required("office", "volunteer", "leader")  # a leader may issue for the record their login is linked to
def issue():
    volunteer = _volunteer_for_issue()
    if volunteer is None:
        if current_user.role != "office":
            abort(404)
        search = VolunteerSearchForm(formdata=request.args or None)
        found = _find_volunteers(search.q.data or "") if search.q.data else []
        return render_template("certificates/choose.html", form=search, found=found)

    form = IssueForm()
    today = today_local()
    first = db.session.scalar(select(func.min(ServiceRecord.service_date)).where(
        ServiceRecord.volunteer_id == volunteer.id, ServiceRecord.status == "approved"))
    if request.method == "GET":
        form.period_from.data = first or volunteer.registered_on
        form.period_to.data = today
    if form.validate_on_submit():
        for attempt in range(3):
            try:
                saved = save(form, lambda: services.issue_certificate(
                    current_user, volunteer, form.period_from.data, form.period_to.data, today=today,
                    sections=form.sections()),
                    default_field="period_from", duplicate=None)
            except IntegrityError:  # two clerks took the same number at once: take the next
                db.session.rollback()
                volunteer = db.session.get(Volunteer, volunteer.id)
                if attempt == 2:
                    raise
                continue
            if saved:
                cert = saved.value
                flash(f"已开具证明 {cert.number}。", "success")
                return redirect(url_for(".show", cert_id=cert.id))
            break
    totals = volunteer_totals(volunteer.id)
    recent = db.session.scalars(select(Certificate).where(Certificate.volunteer_id == volunteer.id)
                                .order_by(Certificate.issued_at.desc()).limit(10)).all()
    return render_template("certificates/issue.html", form=form, volunteer=volunteer, totals=totals, first=first,
                           recent=recent)


def _visible_certificate(cert_id: int) -> Certificate:
    cert = db.session.get(Certificate, cert_id)
    if cert is None or not (current_user.role == "office" or current_user.volunteer_id == cert.volunteer_id):
        abort(404)
    return cert


@bp.route("/<int:cert_id>")
@login_required
def show(cert_id):
    cert = _visible_certificate(cert_id)
    url = verify_url(cert.code)
    return render_template("certificates/show.html", cert=cert, s=cert.snapshot, verify_url=url,
                           qr=services.qr_svg(url), intact=services.hash_matches(cert), revoke_form=RevokeForm())


@bp.route("/<int:cert_id>/english")
@login_required
def translation(cert_id):
    """An English translation of the certificate, beside the Chinese one (which stays the
    official document): the same frozen snapshot, marked as a translation."""
    cert = _visible_certificate(cert_id)
    s = cert.snapshot
    with force_locale("en"):  # the closed-list words (ID type, training, commendation level) in English
        id_type = gettext(s["volunteer"]["id_type"])
        words = {w: gettext(w) for w in TRAINING_KINDS + TRAINING_MODES + COMMENDATION_LEVELS}
    return render_template("certificates/translation.html", cert=cert, s=s, id_type=id_type, words=words,
                           verify_url=verify_url(cert.code), intact=services.hash_matches(cert))


@bp.route("/<int:cert_id>/revoke", methods=["POST"])
@role_required("office")
def revoke(cert_id):
    cert = _visible_certificate(cert_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash("撤销必须填写原因。", "error")
    else:
        if save(None, lambda: services.revoke_certificate(current_user, cert, form.reason.data), duplicate=None,
                flash_category="error"):
            flash(f"证明 {cert.number} 已撤销。", "success")
    return redirect(url_for(".show", cert_id=cert.id))


@bp.route("/verify/<code>")
def verify(code):
    """Public: anyone who scans the QR code sees what the certificate states, or that it is
    unknown (404) or revoked."""
    cert = services.find_by_code(code)
    if cert is None:
        return render_template("certificates/verify_unknown.html"), 404
    return render_template("certificates/verify.html", cert=cert, s=cert.snapshot,
                           intact=services.hash_matches(cert))


@bp.route("/settings", methods=["GET", "POST"])
@role_required("office")
def settings():
    form = IssuerSettingsForm()
    if request.method == "GET":
        stored = services.issuer_settings()
        for field, key in IssuerSettingsForm.FIELDS.items():
            getattr(form, field).data = stored[key]
    if form.validate_on_submit():
        values = {key: getattr(form, field).data for field, key in IssuerSettingsForm.FIELDS.items()}
        saved = save(form, lambda: services.save_issuer_settings(current_user, values), default_field="issuer",
                     duplicate=None)
        if saved:
            flash("证明设置已保存。" if saved.value else "设置没有变化。", "success")
            return redirect(url_for(".settings"))
    return render_template("certificates/settings.html", form=form)
