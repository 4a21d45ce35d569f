"""teams pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("teams", __name__, url_prefix="/teams")

@bp.route("/")
def index():
    abort(404)


@bp.route("/<int:team_id>")
def detail(team_id):
    abort(404)


@bp.route("/categories")
def categories():
    abort(404)
