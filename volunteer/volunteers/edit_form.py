"""The volunteer form's rules that sit between the page and the services: canonical values
from the form, the teams a user may pick, and what an empty or masked ID-number box means.

Apart from routes.py because each step here guards the ID number and the birth date: a new
number typed by a leader is answered only through volunteers.lookup (budgeted and audited), and
no answer may tell a birth date or the digits behind a mask.
"""
from flask import render_template
from flask_login import current_user

from ..clock import today_local
from ..fields import FieldError
from ..privacy import age_text, id_for
from ..views import save
from . import lookup, validators
from .forms import VolunteerForm
from .models import Volunteer
from .validators import COLUMN_NAMES, ID18_TYPES

# ValidationFailed names canonical columns (姓名, 证件号码...); the form's fields are the keys.
FIELD_OF_COLUMN = {column: key for key, column in COLUMN_NAMES.items()}
# A look-up's refusal (a bad key, a spent budget) belongs under the ID-number box.
ID_NUMBER_ONLY = {"key": "id_number", "name": "id_number", "lookup": "id_number"}


def is_office() -> bool:
    return current_user.role == "office"


def form_fields(form: VolunteerForm, choices: dict[int, str]) -> dict:
    """Form -> the raw canonical values the shared rules expect (teams by name)."""
    values = {key: form[key].data for key in VolunteerForm.KEYS if key != "teams"}
    values["teams"] = [choices[t] for t in (form.teams.data or []) if t in choices]
    return values


def add_errors(form: VolunteerForm, pairs) -> None:
    """(column or field, message) pairs onto the form's fields; unknown ones onto 姓名."""
    for key, message in pairs:
        name = FIELD_OF_COLUMN.get(key, key)
        field = form[name] if name in form else form["name"]
        if message not in field.errors:
            field.errors = list(field.errors) + [message]


def check_teams(form: VolunteerForm, choices: dict[int, str], required: bool) -> bool:
    """The chosen teams must be ones this user may pick; a leader must pick one."""
    chosen = form.teams.data or []
    if any(t not in choices for t in chosen):
        add_errors(form, [("teams", "所选队伍不存在或无权选择，请重新选择。")])
        return False
    if required and not chosen:
        add_errors(form, [("teams", "请选择所属队伍（至少一个您负责的队伍）。")])
        return False
    return True


def _registered(id_type, number):
    """Whether the number is registered, and whether inside the asker's teams (read before the
    commit expires the row)."""
    existing = lookup.registered_identity(current_user, id_type, number, team_ids=current_user.led_team_ids)
    return existing, existing is not None and bool(existing.team_ids & current_user.led_team_ids)


def registered_already(form: VolunteerForm, fields: dict, choices: dict[int, str]):
    """A leader's new-person form, when the ID number is registered already: that answer is
    paid for from the look-up budget and audited (volunteers.lookup), and shows nothing of the
    person; for someone outside the leader's teams it offers an invitation instead (they join
    on consent). None when the number is new (or malformed: the shared rules report that)."""
    try:
        id_type = validators.normalize_id_type(fields.get("id_type"))
        number = validators.normalize_id_number(fields.get("id_number"), id_type, today=today_local())
    except FieldError:
        return None
    # The answer's cost and its audit entry are committed; a spent budget answers nothing.
    answer = save(form, lambda: _registered(id_type, number), default_field="id_number",
                  columns=ID_NUMBER_ONLY, duplicate=None)
    if not answer:
        return render_template("volunteers/form.html", form=form, volunteer=None)
    existing, inside = answer.value
    if existing is None:
        return None
    if inside:
        add_errors(form, [("id_number", "该证件号码已登记在您负责的队伍中，请搜索后编辑原有记录。")])
        return render_template("volunteers/form.html", form=form, volunteer=None)
    teams = [(tid, choices[tid]) for tid in (form.teams.data or []) if tid in choices] or list(choices.items())
    return render_template("teams/invite_offer.html", name=fields.get("name") or "", key=number, teams=teams)


def edit_form_data(volunteer: Volunteer) -> dict:
    """The edit form's values. The ID number and the birth date stay empty: either would let
    the full number be read off the page (the office's mask hides exactly the birth date)."""
    data = {key: getattr(volunteer, key) for key in VolunteerForm.KEYS if key not in ("teams", "birth_date")}
    data["registered_on"] = data["registered_on"].isoformat() if data["registered_on"] else ""
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["id_number"] = data["birth_date"] = ""
    data["version"] = volunteer.version
    return data


def prepare_edit_form(form: VolunteerForm, volunteer: Volunteer) -> None:
    """Empty ID and birth-date boxes mean "unchanged"; the placeholders say what is stored."""
    form.id_number.flags.required = False
    form.id_number.render_kw = dict(form.id_number.render_kw or {}, placeholder=id_for(current_user, volunteer.id_number))
    form.id_number.description = "不修改请留空；填写新号码即修改证件号码（记入操作日志）。"
    form.birth_date.render_kw = dict(form.birth_date.render_kw or {}, placeholder=f"当前年龄：{age_text(volunteer.birth_date)}")
    form.birth_date.description = "不修改请留空。居民身份证按证件号码自动填写。"


def edited_fields(form: VolunteerForm, fields: dict, volunteer: Volunteer) -> tuple[dict, bool] | None:
    """The form's values with the stored ID number and birth date filled in where the boxes
    were left empty (or hold a mask of the stored number), and whether the ID changes.
    None (with the error on the form) when the boxes cannot be read that way.

    With the stored number kept, a birth date typed for a resident ID is refused whatever it
    is: comparing it with the stored one would tell anyone the birth date, one guess at a time."""
    typed = "".join((fields.get("id_number") or "").split()).upper()
    # Only the mask this user is shown means "unchanged": were a leader's guess at the office's
    # mask accepted, the answer would confirm the area code behind it.
    if typed in ("", id_for(current_user, volunteer.id_number)):
        if fields.get("id_type") != volunteer.id_type:
            add_errors(form, [("id_number", "修改证件类型时请填写完整的新证件号码。")])
            return None
        fields["id_number"] = volunteer.id_number
        if _blank(fields.get("birth_date")):
            fields["birth_date"] = volunteer.birth_date
        elif volunteer.id_type in ID18_TYPES:
            add_errors(form, [("birth_date", "居民身份证的出生日期按证件号码确定，请留空。")])
            return None
        return fields, False
    if "*" in typed:
        add_errors(form, [("id_number", "请填写完整的新证件号码；不修改请留空。")])
        return None
    return fields, True


def _blank(value) -> bool:
    return value is None or not str(value).strip()


def id_change_answered(form: VolunteerForm, fields: dict, volunteer: Volunteer) -> bool:
    """A new ID number in the edit form answers "is it registered already?". For anyone but
    the office that answer goes through volunteers.lookup (audited; paid for from the look-up
    budget unless it is one of the asker's own members) and is committed at once, so that a
    refused save still pays for it. False, with the error on the form, when the save must stop."""
    if is_office():
        return True  # the office may know; the service refuses a number in use
    try:
        id_type = validators.normalize_id_type(fields.get("id_type"))
        number = validators.normalize_id_number(fields.get("id_number"), id_type, today=today_local())
    except FieldError:
        return True  # malformed: the shared rules report it, nothing is looked up
    answer = save(form, lambda: lookup.registered_identity(current_user, id_type, number,
                                                           team_ids=current_user.led_team_ids, purpose="edit"),
                  default_field="id_number", columns=ID_NUMBER_ONLY, duplicate=None)
    if not answer:  # the budget is spent: nothing answered
        return False
    if answer.value is not None and answer.value.id != volunteer.id:
        add_errors(form, [("id_number", "该证件号码已属于另一名志愿者。")])
        return False
    return True
