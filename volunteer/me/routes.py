"""A volunteer's own page: approved and pending hours, star level, records, certificates."""
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..certificates.models import Certificate
from ..extensions import db
from ..hours.models import ServiceRecord
from ..hours.services import volunteer_totals
from ..hours.stars import next_level, star_level, stars_text

bp = Blueprint("me", __name__, url_prefix="/me")


@bp.route("")
@login_required
def index():
    volunteer = current_user.volunteer
    if volunteer is None:
        abort(404)
    totals = volunteer_totals(volunteer.id)
    level = star_level(totals["approved"])
    records = db.paginate(
        select(ServiceRecord).options(selectinload(ServiceRecord.activity), selectinload(ServiceRecord.team))
        .where(ServiceRecord.volunteer_id == volunteer.id)
        .order_by(ServiceRecord.service_date.desc(), ServiceRecord.id.desc()),
        page=request.args.get("page", 1, type=int), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    certificates = db.session.scalars(select(Certificate).where(Certificate.volunteer_id == volunteer.id)
                                      .order_by(Certificate.issued_at.desc()).limit(20)).all()
    return render_template("me/index.html", volunteer=volunteer, totals=totals, level=level,
                           stars=stars_text(level), upcoming=next_level(totals["approved"]),
                           records=records, certificates=certificates,
                           can_issue="certificates.issue" in current_app.view_functions)
