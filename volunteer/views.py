"""Shared web helpers every feature's routes use (no feature imported here).

`safe_next`: the one check of a "go back to" target. Only a local path passes; "//evil.example"
(a scheme-relative URL browsers treat as another site), "/\\evil.example" (browsers read the
backslash as a slash), absolute URLs and anything with control characters are refused.

`int_arg`, `page_arg`, `month_arg`, `date_arg` (and `to_int`, `month_span`, `to_date`): numbers
and dates from a URL or a form, None or 404 when malformed or out of range, never a 500.
`install_converters`: path ids out of range answer 404.

`save(form, action, ...)`: one user action, one commit; a broken rule rolls back and lands on
the form (or in a flash). `paginate(stmt)`: one page of a list, the page number read one way.
"""
import math
from datetime import date
from urllib.parse import urlsplit

from flask import abort, current_app, flash, request
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter

from .errors import ServiceError, StaleError, ValidationFailed
from .extensions import db
from .periods import MAX_YEAR, MIN_YEAR, BadMonth, month_bounds


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (the caller picks a default)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch < " " or ch == "\x7f" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# --------------------------------------------------------------- numbers and dates from a URL
#
# A number or date typed into a URL or a form is whatever the sender likes. Python turns
# "99999999999999999999999" into an int that SQLite cannot bind and PostgreSQL refuses
# (integer out of range), and date(9999, 12 + 1, 1) raises: each was a 500. These helpers
# answer None (or the default) for anything malformed or out of range; routes use them
# instead of request.args.get(..., type=int).

MAX_INT = 2**31 - 1  # ids and counts: the INTEGER columns' range on PostgreSQL
MAX_PAGE = 100_000  # 5 million rows at 50 a page; beyond that a page number is not a real link


def to_int(value, *, min_value: int = 0, max_value: int = MAX_INT) -> int | None:
    """`value` as an int in [min_value, max_value], else None. ASCII digits only ("２０２６"
    and "1e9" are not numbers here), an optional leading minus when min_value allows it."""
    text = (value if isinstance(value, str) else str(value) if isinstance(value, int) else "").strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits or len(digits) > 12 or not (digits.isascii() and digits.isdigit()):
        return None
    number = int(text)
    return number if min_value <= number <= max_value else None


def int_arg(name: str, default: int | None = None, *, min_value: int = 0, max_value: int = MAX_INT,
            source=None) -> int | None:
    """A query (or form, with `source=request.form`) integer; malformed or out of range -> default."""
    value = to_int((source if source is not None else request.args).get(name), min_value=min_value,
                   max_value=max_value)
    return default if value is None else value


def int_list_arg(name: str, source=None) -> list[int]:
    """Every well-formed id among a repeated parameter (?add=1&add=2); the rest dropped."""
    values = (source if source is not None else request.args).getlist(name)
    return [n for n in (to_int(v, min_value=1) for v in values) if n is not None]


def page_arg(name: str = "page") -> int:
    """The page number: 1 when missing or malformed, 404 beyond any real page."""
    raw = (request.args.get(name) or "").strip()
    if raw.isascii() and raw.isdigit() and (len(raw) > 12 or int(raw) > MAX_PAGE):
        abort(404)  # a number beyond any list's last page
    return to_int(raw, min_value=1, max_value=MAX_PAGE) or 1


def month_span(text) -> tuple | None:
    """periods.month_bounds for a URL: None instead of an error, since a malformed month in a
    query string only drops the filter."""
    try:
        return month_bounds(text)
    except BadMonth:
        return None


def month_arg(name: str = "month", source=None) -> str | None:
    """A "YYYY-MM" month from the query string, normalised, or None when malformed."""
    span = month_span((source if source is not None else request.args).get(name))
    return span[0].strftime("%Y-%m") if span else None


def to_date(text):
    """'2026-03-15' -> date, or None when malformed or outside MIN_YEAR..MAX_YEAR."""
    parts = (text or "").strip().split("-") if isinstance(text, str) else []
    if len(parts) != 3:
        return None
    y = to_int(parts[0], min_value=MIN_YEAR, max_value=MAX_YEAR)
    m, d = to_int(parts[1], min_value=1, max_value=12), to_int(parts[2], min_value=1, max_value=31)
    if y is None or m is None or d is None:
        return None
    try:
        return date(y, m, d)
    except ValueError:  # 2026-02-30
        return None


def date_arg(name: str, source=None):
    """A "YYYY-MM-DD" date from the query string, or None when malformed or out of range."""
    return to_date((source if source is not None else request.args).get(name))


def install_converters(app) -> None:
    """Path ids (<int:...>) beyond MAX_INT match no route, so they answer 404 instead of
    reaching the database as a number it cannot hold. Call before registering blueprints."""
    class BoundedInt(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", MAX_INT)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = BoundedInt


# --------------------------------------------------------------- one user action, one commit
#
# Every POST route does the same thing: call a service, commit once, and on a broken rule roll
# back and show the message. Written by hand in each route it grew five ways of putting the
# error on the form; `save` is the one way.

DUPLICATE_MESSAGE = "保存失败：数据已被他人修改（例如同名记录已存在），请检查后重试。"


class Saved:
    """What `save` returns: truthy when the action ran and was committed; `value` is the
    action's result, `error` the message shown when it failed."""

    __slots__ = ("ok", "value", "error")

    def __init__(self, ok: bool, value=None, error: str | None = None):
        self.ok, self.value, self.error = ok, value, error

    def __bool__(self) -> bool:
        return self.ok


def put_error(form, exc, default_field: str, columns: dict | None = None) -> None:
    """Put a service error on the right form field (or the default one). ValidationFailed
    names columns or fields; `columns` maps a column's name to the form's field."""
    pairs = exc.errors if isinstance(exc, ValidationFailed) else [(exc.field, exc.message)]
    for key, message in pairs:
        # The shared field rules speak Chinese (imports report in it); a page in English shows
        # the ones its catalogue knows in English (volunteer/vocabulary.py lists them).
        message = gettext(message)
        name = (columns or {}).get(key, key)
        field = form[name] if name and name in form else form[default_field]
        if message not in field.errors:  # two rules saying the same thing show it once
            field.errors = list(field.errors) + [message]


def save(form, action, *, default_field: str | None = None, columns: dict | None = None,
         duplicate=DUPLICATE_MESSAGE, duplicate_field: str | None = None, stale: str | None = None,
         flash_stale: bool = False, flash_category: str = "warning", commit: bool = True) -> Saved:
    """Run `action()` and commit once. On a ServiceError (ValidationFailed and StaleError
    included), a lost optimistic-lock race (StaleDataError) or a constraint race
    (IntegrityError, e.g. two clerks saving the same name) roll back and report the message:
    on `form[default_field]` (or the field the error names) when a form is given, else as a
    flash. `duplicate` may be a callable (a message naming what the action settled on);
    `duplicate_field` names the field it lands on; `duplicate=None` lets a constraint error
    propagate. `stale` replaces the default stale message; `flash_stale` flashes it (category
    "error") even when a form is given, since the form's values are then the user's, not the
    row's. `commit=False` only runs the action (a read whose errors are shown alike)."""
    errors: tuple = (ServiceError, StaleDataError) + ((IntegrityError,) if duplicate else ())
    try:
        value = action()
        if commit:
            db.session.commit()
        return Saved(True, value)
    except errors as exc:
        db.session.rollback()
        stale_error = isinstance(exc, (StaleDataError, StaleError))
        if isinstance(exc, IntegrityError):
            exc = ServiceError(duplicate() if callable(duplicate) else duplicate, duplicate_field)
        elif stale_error:
            exc = ServiceError(stale or (exc.message if isinstance(exc, StaleError) else StaleError.default_message))
        if stale_error and flash_stale:
            flash(exc.message, "error")
        elif form is not None and default_field:
            put_error(form, exc, default_field, columns)
        else:
            flash(exc.message, flash_category)
        return Saved(False, error=exc.message)


def paginate(stmt, *, count: bool = True, per_page: int | None = None, name: str = "page",
             page: int | None = None):
    """One page of `stmt`: the page number read by `page_arg` (1 when malformed, 404 beyond
    any real page) unless `page` is given, PAGE_SIZE rows unless `per_page` says otherwise,
    never a 404 for a page past the end (an empty page instead)."""
    return db.paginate(stmt, page=page or page_arg(name), per_page=per_page or current_app.config["PAGE_SIZE"],
                       error_out=False, count=count)


class ListPage:
    """Just enough of Flask-SQLAlchemy's Pagination for the `pager` macro, for lists paged in
    SQL by a service (rankings, the exception queue) rather than by `paginate`."""

    def __init__(self, items, page, per_page, total):
        self.items, self.page, self.per_page, self.total = items, page, per_page, total
        self.pages = max(1, math.ceil(total / per_page)) if total else 0
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num, self.next_num = page - 1, page + 1

    def iter_pages(self, left_edge=1, left_current=2, right_current=3, right_edge=1):
        last = 0
        for num in range(1, self.pages + 1):
            if (num <= left_edge or self.page - left_current <= num < self.page + right_current
                    or num > self.pages - right_edge):
                if last + 1 != num:
                    yield None
                yield num
                last = num
