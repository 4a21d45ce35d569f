"""The one home of how ID numbers and birth dates are shown (CONTRACT.md section 3).

A resident ID number is area (6) + birth date (8) + sequence (3) + check digit, so the
office's mask `310104********123X` hides exactly the birth date: that mask next to a birth
date (or the birth date the page shows elsewhere) IS the full number. Hence:

- Leaders and volunteers see the last 4 characters only (`mask_tail`) and the age at most
  (`age`), never the birth date or year, on every page and in every export.
- The office sees `mask_id` and never the birth date beside it; the full number (and with it
  the birth date) only through an audited POST (`services.reveal_id_number`).
- Certificates and the public verify page carry `mask_id` (an issued paper must identify the
  person to whoever reads it) and no birth date.

`id_for(user, number)` chooses by role; templates use the `mask_id` filter, which is
`id_for` with the current user, so a template can never show a leader the office's form.
"""
from __future__ import annotations

from datetime import date

from flask_login import current_user

from .clock import today_local
from .fields import age_on

OFFICE = "office"


def mask_id(number: str | None) -> str:
    """The office's form: 310104199001011234 -> 310104********1234; short (passport)
    numbers keep 2 + 2."""
    if not number:
        return ""
    if len(number) >= 15:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    if len(number) > 4:
        return number[:2] + "*" * (len(number) - 4) + number[-2:]
    return "*" * len(number)


def mask_tail(number: str | None) -> str:
    """Leaders' and volunteers' form: the last 4 characters, one star per hidden character
    (310104199001011234 -> **************1234). A number of 4 characters or fewer is all stars."""
    if not number:
        return ""
    if len(number) > 4:
        return "*" * (len(number) - 4) + number[-4:]
    return "*" * len(number)


def sees_office_form(user) -> bool:
    """The office and the command line (user None) see the office's mask; everyone else the tail."""
    return user is None or getattr(user, "role", None) == OFFICE


def id_for(user, number: str | None) -> str:
    """The ID number as ``user`` may see it (never the full number: that is an audited action)."""
    return mask_id(number) if sees_office_form(user) else mask_tail(number)


def age(birth: date | None, today: date | None = None) -> int | None:
    """Completed years on ``today`` (default: today in Beijing); None without a birth date."""
    if birth is None:
        return None
    if today is None:
        today = today_local()
    return age_on(birth, today)


def age_text(birth: date | None) -> str:
    """`36 岁`, or an em dash without a birth date: what pages show instead of the birth date."""
    years = age(birth)
    return "—" if years is None else f"{years} 岁"


def shown_id(number: str | None) -> str:
    """Jinja filter `mask_id`: the number as the logged-in user may see it. Anonymous pages
    (outside a login) get the tail as well."""
    return id_for(current_user if getattr(current_user, "is_authenticated", False) else _ANONYMOUS, number)


class _Anonymous:
    role = None


_ANONYMOUS = _Anonymous()

# Registered once by volunteer/web.py.
JINJA_FILTERS = {"mask_id": shown_id, "age": age_text}
