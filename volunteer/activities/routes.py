"""activities pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("activities", __name__, url_prefix="/activities")

@bp.route("/")
def index():
    abort(404)


@bp.route("/new")
def create():
    abort(404)
