"""integrity pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("integrity", __name__, url_prefix="/integrity")

@bp.route("/")
def index():
    abort(404)
