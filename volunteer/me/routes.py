"""me pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("me", __name__, url_prefix="/me")

@bp.route("")
def index():
    abort(404)
