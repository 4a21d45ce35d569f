"""Login, claim and password forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("用户名（志愿者用手机号或证件号码）"), validators=[DataRequired(_l("请输入用户名。")), Length(max=50)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码。"))])


class ClaimForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=50)])
    id_number = StringField(_l("证件号码"), validators=[DataRequired(_l("请输入证件号码。")), Length(max=40)])
    phone = StringField(_l("手机号码"), validators=[DataRequired(_l("请输入手机号码。")), Length(max=20)])
    password = PasswordField(_l("设置密码"), validators=[DataRequired(_l("请设置密码。"))],
                             description=_l("至少 8 个字符，不能全是数字。"))
    confirm = PasswordField(_l("确认密码"), validators=[EqualTo("password", _l("两次输入的密码不一致。"))])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码。"))])
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码。"))],
                             description=_l("至少 8 个字符，不能全是数字。"))
    confirm = PasswordField(_l("确认新密码"), validators=[EqualTo("password", _l("两次输入的密码不一致。"))])
