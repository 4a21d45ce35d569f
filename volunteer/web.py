"""Request hooks, security headers, error pages and template helpers."""
import re
from datetime import datetime, timezone
from urllib.parse import unquote

from anyascii import anyascii
from flask import Flask, Request, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from .audit.services import current_ip
from .database import write_intent
from .extensions import db
from .clock import CHINA_TZ
from .fields import CONTROL_CHARACTERS, hours_of
from .hours.models import RECORD_STATUS
from .privacy import JINJA_FILTERS as PRIVACY_FILTERS

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

STATIC_ENDPOINTS = ("static", "bootstrap.static")


def _without_controls(values: ImmutableMultiDict) -> ImmutableMultiDict:
    pairs = list(values.items(multi=True))
    if not any(isinstance(v, str) and CONTROL_CHARACTERS.search(v) for _k, v in pairs):
        return values
    return ImmutableMultiDict([(k, CONTROL_CHARACTERS.sub("", v) if isinstance(v, str) else v) for k, v in pairs])


class CleanRequest(Request):
    """A request whose form fields and query arguments hold no control characters
    (validators.CONTROL_CHARACTERS; a NUL made PostgreSQL refuse the save with a 500): every
    form and every service gets text it can show and store."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_controls(self.__dict__["form"])

    @cached_property
    def args(self) -> ImmutableMultiDict:
        return _without_controls(super().args)


def local_time(value, fmt="%Y-%m-%d %H:%M") -> str:
    """Stored naive UTC -> Beijing time text."""
    if not value:
        return ""
    return value.replace(tzinfo=timezone.utc).astimezone(CHINA_TZ).strftime(fmt)


def hours(minutes) -> str:
    """Minutes as hours text: 150 -> '2.5', 120 -> '2'."""
    return f"{hours_of(minutes):.2f}".rstrip("0").rstrip(".")


_FILENAME_STAR = re.compile(r"filename\*=UTF-8''([^;]+)", re.I)


def readable_download_name(response):
    """Give a Chinese download name a readable plain ``filename=`` fallback (pinyin letters, so
    an old client or a mail gateway shows 'FuWu..._2026-11.xlsx', not '_2026-11.xlsx'); the
    ``filename*`` Werkzeug writes stays what modern browsers use."""
    header = response.headers.get("Content-Disposition", "")
    match = _FILENAME_STAR.search(header)
    if match:
        name = anyascii(unquote(match[1]))
        name = re.sub(r'[^A-Za-z0-9._()-]+', "_", name).strip("_") or "download"
        response.headers["Content-Disposition"] = re.sub(r'filename="[^"]*"|filename=[^;]*(?=;)',
                                                         lambda _m: f'filename="{name}"', header, count=1)
    return response


def register_web_hooks(app: Flask) -> None:
    app.request_class = CleanRequest

    @app.before_request
    def _mark_request():
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))
        current_ip.set(request.remote_addr)  # the client's, once ProxyFix applied PROXY_HOPS

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # No page and no download may stay in a browser's or a proxy's cache (a shared computer
        # at a service point): a logged-in user's pages hold personal data, public ones (the
        # certificate check) a name, and forms a CSRF token. Static files hold none.
        if request.endpoint not in STATIC_ENDPOINTS and "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "private, no-store"
        return response

    app.after_request(readable_download_name)

    def error_page(code, title, message):
        return render_template("errors/error.html", code=code, title=title, message=message), code

    app.register_error_handler(403, lambda e: error_page(403, _("无权访问"), _("您没有访问此页面的权限。")))
    app.register_error_handler(404, lambda e: error_page(404, _("页面不存在"), _("您要找的页面不存在或已被移除。")))
    app.register_error_handler(405, lambda e: error_page(405, _("请求方式不正确"), _("请通过页面上的按钮操作。")))
    app.register_error_handler(
        413, lambda e: error_page(413, _("文件过大"), _("上传的文件超过 20 MB 的上限，请拆分后再上传。"))
    )
    app.register_error_handler(
        CSRFError, lambda e: error_page(400, _("页面已过期"), _("表单已失效，请返回上一页刷新后重新提交。"))
    )
    app.register_error_handler(400, lambda e: error_page(400, _("请求有误"), _("提交的内容无法处理，请检查后重试。")))
    def server_error(_error):
        # The failed transaction must end before the page (its menu loads the user) can query.
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the error page must render whatever the database does
            pass
        return error_page(500, _("系统出错"), _("系统暂时出错，您的操作没有保存。请稍后重试或联系管理员。"))

    app.register_error_handler(500, server_error)

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["hours"] = hours
    app.jinja_env.filters.update(PRIVACY_FILTERS)  # mask_id (by the viewer's role), age
    app.jinja_env.globals["RECORD_STATUS"] = RECORD_STATUS
    app.jinja_env.globals["now_year"] = lambda: datetime.now(CHINA_TZ).year
