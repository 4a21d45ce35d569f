"""reports pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("reports", __name__, url_prefix="/reports")

@bp.route("/")
def index():
    abort(404)
