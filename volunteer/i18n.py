"""Languages of the volunteer's side (CONTRACT.md section 11): Chinese, the default, and English.

The one home of which language a request is answered in, of the remembered switch's cookie and
of the locale-aware date and number filter (`l10n`). Interface strings are Chinese in the code
(`_('…')` / `lazy_gettext('…')`); `volunteer/translations/en/LC_MESSAGES/messages.po` holds their
English. The office's and leaders' own pages stay Chinese: a staff login gets English only on
the volunteer's pages, so no staff page is half translated.
"""
import os
import tempfile
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import Flask, has_request_context, request
from markupsafe import Markup
from flask_babel import get_locale, gettext, refresh
from flask_login import current_user

from .clock import CHINA_TZ

LANGUAGES = ("zh", "en")  # the first is the default and wins a tie in Accept-Language
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
STAFF_ROLES = ("office", "leader")
# Pages every login sees as a volunteer would: a staff login reading them in English is fine.
VOLUNTEER_BLUEPRINTS = {"auth", "me", "language"}
VOLUNTEER_ENDPOINTS = {"checkin.code", "checkin.scan", "checkin.sign_out", "certificates.verify",
                       "certificates.translation", "joining.register", "joining.apply",
                       "joining.close_account", "joining.withdraw_application", "joining.leave_team",
                       "requests.correct", "requests.missing", "requests.withdraw"}
TRANSLATIONS = Path(__file__).parent / "translations"


def N_(text: str) -> str:
    """Marks a message kept in a constant for extraction; translate it where it is shown
    (`gettext(CONSTANT)`), so the constant itself stays plain Chinese text."""
    return text


def chosen_language() -> str:
    """The remembered switch, else the browser's preference (English only when it is preferred
    over Chinese), else Chinese."""
    remembered = request.cookies.get(COOKIE)
    if remembered in LANGUAGES:
        return remembered
    # By primary subtag, so zh-TW or en-GB count as zh and en; a tie goes to Chinese.
    best, best_quality = LANGUAGES[0], 0.0
    for value, quality in request.accept_languages:
        primary = value.replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES and (quality > best_quality or (quality == best_quality and primary == LANGUAGES[0])):
            best, best_quality = primary, quality
    return best


def _volunteer_side() -> bool:
    if not current_user or not current_user.is_authenticated or current_user.role not in STAFF_ROLES:
        return True
    endpoint = request.endpoint or ""
    return endpoint in VOLUNTEER_ENDPOINTS or endpoint.split(".")[0] in VOLUNTEER_BLUEPRINTS


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    if not has_request_context():
        return LANGUAGES[0]
    language = chosen_language()
    if language != LANGUAGES[0] and not _volunteer_side():
        return LANGUAGES[0]
    return language


def current_language() -> str:
    return get_locale().language if has_request_context() else LANGUAGES[0]


def l10n(value, form: str = "medium") -> str:
    """A date, a time (stored naive UTC, shown in Beijing time) or a number in the page's
    language: 2026-12-06 / Dec 6, 2026; 1234.5 / 1,234.5. Chinese keeps the figures people know
    from the paper forms (2026-12-06), English reads naturally."""
    if value is None or value == "":
        return ""
    english = current_language() == "en"
    if isinstance(value, str) and len(value) == 10:  # an ISO date kept in a snapshot (certificates)
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        local = value.replace(tzinfo=timezone.utc).astimezone(CHINA_TZ) if value.tzinfo is None else value
        if form in ("date", "time"):  # its Beijing date, or its Beijing time of day (HH:MM in both)
            return local.strftime("%H:%M") if form == "time" else l10n(local.date())
        if not english:
            return local.strftime("%Y-%m-%d %H:%M")
        return format_datetime(local, "MMM d, y HH:mm" if form == "medium" else form, locale="en")
    if isinstance(value, date):
        if not english:
            return value.strftime("%Y-%m-%d") if form == "medium" else format_date(value, form, locale="zh")
        return format_date(value, form, locale="en")
    if isinstance(value, (int, float, Decimal)):
        # Chinese pages keep plain figures (1234), as the office's exports and paper forms do.
        return format_decimal(value, locale="en") if english else str(value)
    return str(value)


def term(value):
    """A word of a closed list (a status, an ID type: volunteer/vocabulary.py) in the page's
    language; a word the catalogue lacks stays as it is."""
    return gettext(value) if value else ""


def zh(value):
    """Data people entered (a name, an activity's title, a team) as it was entered: on an English
    page it sits in an element marked lang="zh" (CONTRACT.md section 11), so screen readers and
    the tests know it is data, not untranslated interface text."""
    if value is None or value == "":
        return ""
    if current_language() != "en":
        return value
    return Markup('<span lang="zh">%s</span>') % value


def format_en(value) -> str:
    """A date in English whatever the page's language (the certificate's translation)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value, "medium", locale="en") if isinstance(value, date) else str(value or "")


def marked(message: str, **values) -> Markup:
    """A translated message (`_('已加入“%(team)s”。')`, not yet filled) filled with data people
    entered, each value marked lang="zh" on an English page; Markup, so a flash keeps the mark."""
    return Markup.escape(message) % {key: zh(value) for key, value in values.items()}


def compile_catalogues(directory: Path = TRANSLATIONS) -> None:
    """Compile each committed .po into the .mo Flask-Babel reads, when the .mo is missing or
    older (no .mo is committed; `make install` does the same with pybabel). Written to a
    temporary file and renamed, so parallel test workers never read half a catalogue."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in directory.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle)
        try:
            fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog)
            os.replace(tmp, mo)
        except OSError:  # a read-only install: `make install` compiled it already
            pass


def init_i18n(app: Flask) -> None:
    from .extensions import babel

    compile_catalogues()
    babel.init_app(app, default_locale=LANGUAGES[0], default_timezone="Asia/Shanghai",
                   locale_selector=select_locale)
    # Flask-Babel keeps the locale on `g`, which outlives a request when an app context was
    # already pushed (the tests, a CLI command rendering pages): choose afresh per request.
    app.before_request(refresh)
    app.jinja_env.filters["l10n"] = l10n
    app.jinja_env.filters["zh"] = zh
    app.jinja_env.filters["term"] = term
    app.jinja_env.filters["format_en"] = format_en
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["language_switch_shown"] = _volunteer_side
