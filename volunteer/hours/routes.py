"""hours pages (placeholder until built)."""
from flask import Blueprint, abort

bp = Blueprint("hours", __name__, url_prefix="/hours")

@bp.route("/approvals")
def approvals():
    abort(404)
