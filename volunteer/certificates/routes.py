"""certificates pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("certificates", __name__, url_prefix="/certificates")

@bp.route("/")
def register():
    abort(404)
