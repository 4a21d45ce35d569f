"""positions pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("positions", __name__, url_prefix="/positions")

@bp.route("/")
def index():
    abort(404)
