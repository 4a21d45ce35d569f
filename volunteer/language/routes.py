"""The language switch: a POST (CSRF-checked, works without JavaScript) that remembers the
choice in a cookie and goes back to the page it came from. It changes nothing else: no account
setting, no session state (CONTRACT.md section 11)."""
from flask import Blueprint, abort, redirect, request, url_for

from ..i18n import COOKIE, COOKIE_MAX_AGE, LANGUAGES
from ..views import safe_next

bp = Blueprint("language", __name__)


@bp.route("/language", methods=["POST"])
def switch():
    language = request.form.get("lang", "")
    if language not in LANGUAGES:
        abort(400)
    response = redirect(safe_next(request.form.get("next")) or url_for("main.index"))
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, secure=request.is_secure,
                        httponly=True, samesite="Lax")
    return response
