"""audit pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("audit", __name__, url_prefix="/audit")

@bp.route("/")
def index():
    abort(404)
