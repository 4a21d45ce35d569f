"""users pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("users", __name__, url_prefix="/users")

@bp.route("/")
def index():
    abort(404)
