"""Home page (a per-role start screen) and the health check."""
from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from ..activities.signups import overdue_activities
from ..clock import today_local
from ..extensions import db
from ..hours.requests import start_page_summary
from ..workdays import uncovered_years
from ..figures import cached, tally_count
from ..joining.applications import pending_counts
from ..teams.models import Team
from ..volunteers.models import Volunteer

bp = Blueprint("main", __name__)


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.route("/")
@login_required
def index():
    if current_user.role == "volunteer":
        return redirect(url_for("me.index"))
    stats = {}
    if current_user.role == "office":
        # Counts over every volunteer (once per change of the data) and every record (from the
        # per-month tallies): see volunteer/figures.py.
        stats = {
            "volunteers": cached("main.active_volunteers", None, lambda: db.session.scalar(
                select(func.count()).select_from(Volunteer).where(Volunteer.status == "active"))),
            "teams": db.session.scalar(select(func.count()).select_from(Team).where(Team.is_active.is_(True))),
            "pending": tally_count("pending"),
        }
    today = today_local()
    # 民政部令第67号: records within 10 working days; the overdue ones are named here.
    overdue = overdue_activities(current_user.team_scope, today)
    stats["applications"] = pending_counts(current_user.team_scope)  # join applications waiting (joining)
    return render_template("main/index.html", stats=stats, teams=sorted(current_user.led_teams, key=lambda t: t.name),
                           overdue=overdue, uncovered=uncovered_years(today, today),
                           requests=start_page_summary(current_user, today))
