"""imports pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("imports", __name__, url_prefix="/imports")

@bp.route("/")
def index():
    abort(404)
