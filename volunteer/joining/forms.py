"""Forms of joining: self-registration (/register), applying to teams, declining an
application, closing one's account."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import CheckboxListField, int_list_coerce
from ..volunteers.validators import DEFAULT_ID_TYPE, GENDERS, ID_TYPES


class RegisterForm(FlaskForm):
    """Field names as CONTRACT section 9 fixes them; the rules are the import's (validators)."""

    name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=50)])
    id_type = SelectField(_l("证件类型"), choices=[(t, _l(t)) for t in ID_TYPES], default=DEFAULT_ID_TYPE,
                          validate_choice=False)  # the validator says what is wrong
    id_number = StringField(_l("证件号码"), validators=[DataRequired(_l("请输入证件号码。")), Length(max=40)])
    gender = SelectField(_l("性别"), choices=[("", _l("请选择"))] + [(g, _l(g)) for g in GENDERS],
                         validate_choice=False, description=_l("证件类型不是居民身份证时必填。"))
    birth_date = StringField(_l("出生日期"), render_kw={"type": "date"}, description=_l("证件类型不是居民身份证时必填。"))
    phone = StringField(_l("手机号码"), validators=[DataRequired(_l("请输入手机号码。")), Length(max=20)],
                        render_kw={"inputmode": "tel", "autocomplete": "tel"})
    guardian_name = StringField(_l("监护人姓名"), validators=[Length(max=50)], description=_l("未满14周岁须填写。"))
    guardian_phone = StringField(_l("监护人电话"), validators=[Length(max=20)], description=_l("未满14周岁须填写。"))
    password = PasswordField(_l("设置密码"), validators=[DataRequired(_l("请设置密码。"))],
                             description=_l("至少 8 个字符，不能全是数字。"))
    confirm = PasswordField(_l("确认密码"), validators=[EqualTo("password", _l("两次输入的密码不一致。"))])
    consent = BooleanField(_l("我已阅读并同意上述个人信息收集和使用说明"),
                           validators=[DataRequired(_l("请阅读个人信息说明并勾选同意后再注册。"))])
    # Checked against the teams open to applications by the service (joining.applications).
    team_ids = CheckboxListField(_l("申请加入的队伍（可不选，以后在“我的志愿服务”页面申请）"), coerce=int_list_coerce, labels_are_data=True,
                                 validate_choice=False)


class ApplyForm(FlaskForm):
    team_ids = CheckboxListField(_l("申请加入的队伍"), coerce=int_list_coerce, labels_are_data=True, validate_choice=False,
                                 description=_l("队长同意后即加入该队；处理前可以撤回。"))


class DeclineForm(FlaskForm):
    """拒绝 one application: each row of the list has its own prefix, so errors land on it."""

    reason = StringField(_l("拒绝理由"), validators=[DataRequired(_l("请填写拒绝的理由，申请人会看到它。")),
                                             Length(max=200, message=_l("理由不能超过 200 个字。"))])


class CloseAccountForm(FlaskForm):
    password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码以确认注销。"))])
    erase_request = BooleanField(_l("同时请分中心清除我的其他个人信息（服务记录依法保留）"))
    confirm = BooleanField(_l("我确认注销账号：注销后不能再登录"), validators=[DataRequired(_l("请勾选确认后再注销。"))])
