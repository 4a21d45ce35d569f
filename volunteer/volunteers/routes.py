"""volunteers pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")

@bp.route("/")
def index():
    abort(404)
