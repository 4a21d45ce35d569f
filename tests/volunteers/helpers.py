"""Shared set-up and HTML helpers for the volunteer page tests."""
import html as html_lib
import re
from datetime import date

from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.teams.models import TeamMembership
from volunteer.volunteers.models import Volunteer

from tests import factories as f

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def counts() -> tuple[int, int, int]:
    """(volunteers, memberships, audit entries): to prove that nothing was written."""
    return count(Volunteer), count(TeamMembership), count(AuditLog)


def audit_entries(action: str) -> list[AuditLog]:
    return list(db.session.scalars(db.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def id_with_x(birth: date = date(1985, 6, 1), area: str = "310115") -> str:
    """A valid resident ID number whose check character is X."""
    from stdnum.iso7064 import mod_11_2

    for serial in range(1000):
        body = f"{area}{birth:%Y%m%d}{serial:03d}"
        if mod_11_2.calc_check_digit(body) == "X":
            return body + "X"
    raise AssertionError("no serial gives X")


def bad_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def form_data(**overrides) -> dict:
    """A valid registration form (adult, resident ID); overrides replace or add fields."""
    data = {
        "name": "王小明", "gender": "", "id_type": "居民身份证",
        "id_number": f.make_id_number(date(1990, 3, 8), serial=321), "phone": "13812345678",
        "birth_date": "", "political_status": "群众", "education": "本科", "employer": "虹桥镇社区事务受理中心",
        "community": "虹桥居委", "skills": "摄影", "guardian_name": "", "guardian_phone": "",
        "registered_on": "", "note": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _blocks(page: str) -> list[str]:
    """The page cut at each render_field block (<div class="mb-3 ...">)."""
    return re.split(r'<div class="mb-3 ', page)[1:]


def _block(page: str, name: str) -> str:
    for chunk in _blocks(page):
        if re.search(rf'name="{re.escape(name)}"', chunk):
            return chunk
    raise AssertionError(f"no field {name!r} on the page")


def field_errors(page: str, name: str) -> list[str]:
    """The messages shown under one form field."""
    return [html_lib.unescape(m) for m in re.findall(r'<div class="invalid-feedback">(.*?)</div>', _block(page, name))]


def all_field_errors(page: str) -> dict[str, list[str]]:
    out = {}
    for chunk in _blocks(page):
        m = re.search(r'name="([^"]+)"', chunk)
        errors = re.findall(r'<div class="invalid-feedback">(.*?)</div>', chunk)
        if m and errors:
            out[m.group(1)] = [html_lib.unescape(e) for e in errors]
    return out


def field_value(page: str, name: str):
    """What a field shows: an input's value, a textarea's text, a select's selected values."""
    chunk = _block(page, name)
    m = re.search(r"<select[^>]*>(.*?)</select>", chunk, re.S)
    if m:
        return [html_lib.unescape(v) for v in re.findall(r'<option selected value="([^"]*)"', m.group(1))
                + re.findall(r'<option value="([^"]*)" selected', m.group(1))]
    m = re.search(r"<textarea[^>]*>(.*?)</textarea>", chunk, re.S)
    if m:
        return html_lib.unescape(m.group(1)).strip("\r\n")
    m = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', chunk)
    v = re.search(r'value="([^"]*)"', m.group(0)) if m else None
    return html_lib.unescape(v.group(1)) if v else ""


def roster_names(page: str) -> list[str]:
    """Names linked in the roster table, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [html_lib.unescape(n) for n in re.findall(r'<a href="/volunteers/\d+">([^<]+)</a>', body)]


def link(page: str, label: str) -> str | None:
    """The href of the pager link with this label ('下一页'...), or None when disabled."""
    m = re.search(rf'<a class="page-link"(?: rel="\w+")? href="([^"]*)">{label}</a>', page)
    if not m or m.group(1) == "#":
        return None
    return html_lib.unescape(m.group(1))
