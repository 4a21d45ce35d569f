"""The 适老化 switch (issue 16), after MIIT's 互联网网站适老化通用设计规范: larger text, higher
contrast and bigger tap targets, for the retired volunteers who make up much of the roster.

A POST (CSRF-checked, works without JavaScript) that remembers the choice per browser in a
cookie and goes back to the page it came from. Per browser, not per account: the choice
belongs to the eyes in front of the screen, and the login page needs it before anyone logs in.
It changes nothing else (no account setting, no session state), so it is not audited.
"""
from flask import Blueprint, abort, redirect, request, url_for

from ..views import safe_next

bp = Blueprint("display", __name__)

COOKIE = "display"
ELDER = "elder"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie (RFC 6265bis)


def elder_mode() -> bool:
    """Whether this browser asked for the larger, higher-contrast pages (read by base.html)."""
    return request.cookies.get(COOKIE) == ELDER


@bp.route("/display", methods=["POST"])
def switch():
    mode = request.form.get("mode", "")
    if mode not in (ELDER, "standard"):
        abort(400)
    response = redirect(safe_next(request.form.get("next")) or url_for("main.index"))
    if mode == ELDER:
        response.set_cookie(COOKIE, ELDER, max_age=COOKIE_MAX_AGE, secure=request.is_secure,
                            httponly=True, samesite="Lax")
    else:
        response.delete_cookie(COOKIE, secure=request.is_secure, httponly=True, samesite="Lax")
    return response


@bp.app_context_processor
def _display_globals():
    return {"elder_mode": elder_mode}
