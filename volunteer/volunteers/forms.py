"""Volunteer forms. Field names are the canonical keys of validators.COLUMN_NAMES, so the
(column, message) pairs of a ValidationFailed land on the right field. The rules themselves
live in validators.py: these fields only carry the text as typed (no coercion that could
lose it), apart from length limits of the columns that the rules leave free."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..forms import int_list_coerce
from .validators import GENDERS, ID_TYPES, POLITICAL_STATUSES


class Required:
    """Marks a field as required (the asterisk); the check itself is the shared rule's."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


def _max(limit: int, label: str):
    return Length(max=limit, message=f"{label}不能超过 {limit} 个字。")


class VolunteerForm(FlaskForm):
    name = StringField("姓名", validators=[Required()], render_kw={"maxlength": 50, "autocomplete": "off"})
    gender = SelectField("性别", choices=[SelectChoice("", "（按证件号码自动填写）")] + [SelectChoice(g) for g in GENDERS],
                         validate_choice=False)
    id_type = SelectField("证件类型", choices=[SelectChoice(t) for t in ID_TYPES], validate_choice=False)
    id_number = StringField("证件号码", validators=[Required()], render_kw={"maxlength": 40, "autocomplete": "off"},
                            description="居民身份证为18位，末位可为X。")
    phone = StringField("手机号码", validators=[Required()], render_kw={"inputmode": "tel", "maxlength": 20})
    birth_date = StringField("出生日期", render_kw={"placeholder": "例如 1990-01-05"},
                             description="居民身份证可不填，按证件号码自动填写。")
    political_status = SelectField("政治面貌", choices=[SelectChoice("", "（未填写）")] + [SelectChoice(p) for p in POLITICAL_STATUSES],
                                   validate_choice=False)
    education = StringField("文化程度", validators=[Optional(), _max(50, "文化程度")])
    employer = StringField("工作单位", validators=[Optional(), _max(200, "工作单位")])
    community = StringField("居住社区", validators=[Optional(), _max(100, "居住社区")])
    teams = SelectMultipleField("所属队伍", coerce=int_list_coerce, validate_choice=False, render_kw={"size": 6},
                                description="可多选（按住 Ctrl 或 ⌘ 点选）。")
    skills = StringField("服务特长", validators=[Optional(), _max(200, "服务特长")])
    guardian_name = StringField("监护人姓名", description="未满14周岁必填。")
    guardian_phone = StringField("监护人电话", render_kw={"inputmode": "tel"}, description="未满14周岁必填。")
    registered_on = StringField("注册日期", render_kw={"type": "date"}, description="不填则为今天。")
    note = TextAreaField("备注", validators=[Optional(), _max(2000, "备注")], render_kw={"rows": 3})
    national_no = StringField("全国志愿者编号", validators=[Optional(), _max(50, "全国志愿者编号")],
                              description="全国志愿服务信息系统中的志愿者编号（如有）。")
    version = HiddenField()

    # The canonical keys this form carries (all of COLUMN_NAMES).
    KEYS = ("name", "gender", "id_type", "id_number", "phone", "birth_date", "political_status", "education",
            "employer", "community", "teams", "skills", "guardian_name", "guardian_phone", "registered_on", "note",
            "national_no")


class IdNumberForm(FlaskForm):
    """The office's own form for a new ID number (the edit form leaves the stored one alone)."""
    id_type = SelectField("证件类型", choices=[SelectChoice(t) for t in ID_TYPES], validate_choice=False)
    id_number = StringField("新证件号码", validators=[Required()], render_kw={"maxlength": 40, "autocomplete": "off"},
                            description="居民身份证的性别和出生日期随新号码更新。本次修改记入操作日志。")
