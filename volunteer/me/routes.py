"""A volunteer's own page: approved and pending hours, star level, records, certificates, and
the teams' invitations to accept or decline (a leader adds nobody from elsewhere without it)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..activities.signups import upcoming_for
from ..certificates.models import Certificate

from ..extensions import db
from ..i18n import marked
from ..permissions import own_volunteer_or_404
from ..hours import requests as record_requests
from ..hours.models import ServiceRecord
from ..hours.services import volunteer_totals
from ..joining.applications import me_panel
from ..hours.stars import next_level, star_level, stars_text
from ..clock import today_local
from ..teams import services as team_services
from ..teams.models import TeamInvitation
from ..views import int_arg, paginate, save

bp = Blueprint("me", __name__, url_prefix="/me")

@bp.route("")
@login_required
def index():
    volunteer = own_volunteer_or_404()
    totals = volunteer_totals(volunteer.id)
    level = star_level(totals["approved"])
    records = paginate(
        select(ServiceRecord).options(selectinload(ServiceRecord.activity), selectinload(ServiceRecord.team))
        .where(ServiceRecord.volunteer_id == volunteer.id)
        .order_by(ServiceRecord.service_date.desc(), ServiceRecord.id.desc()))
    certificates = db.session.scalars(select(Certificate).where(Certificate.volunteer_id == volunteer.id)
                                      .order_by(Certificate.issued_at.desc()).limit(20)).all()
    return render_template("me/index.html", volunteer=volunteer, totals=totals, level=level,
                           stars=stars_text(level), upcoming=next_level(totals["approved"]),
                           records=records, certificates=certificates,
                           invitations=team_services.pending_invitations(volunteer_id=volunteer.id),
                           joining=me_panel(volunteer),
                           signups=upcoming_for(volunteer.id),
                           my_requests=record_requests.for_volunteer(volunteer.id),
                           asked=record_requests.pending_record_ids(volunteer.id))

@bp.route("/invitations", methods=["POST"])
@login_required
def decide_invitation():
    """Accept (the membership is added) or decline a team's invitation to oneself."""
    own_volunteer_or_404()
    invitation_id = int_arg("invitation_id", source=request.form)
    invitation = db.session.get(TeamInvitation, invitation_id) if invitation_id and 0 < invitation_id < 2**31 else None
    decision = request.form.get("decision")
    if invitation is None or not invitation.can_decide(current_user) or decision not in ("accept", "decline"):
        flash(_("该邀请不存在或已处理。"), "warning")
        return redirect(url_for(".index"))
    team_name = invitation.team.name
    decide = (lambda: team_services.accept_invitation(current_user, invitation, today_local())) \
        if decision == "accept" else (lambda: team_services.decline_invitation(current_user, invitation))
    if save(None, decide, duplicate=None):
        flash(marked(_("已加入“%(team)s”。") if decision == "accept" else _("已拒绝“%(team)s”的邀请。"),
                     team=team_name), "success")
    return redirect(url_for(".index"))
