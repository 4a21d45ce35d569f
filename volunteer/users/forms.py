"""Login management forms (office only)."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..auth.models import ROLE_LABELS
from ..forms import CheckboxListField, FilterForm, choices, int_list_coerce

PASSWORD_HELP = "至少 8 个字符，不能全是数字，不能与用户名相同。"
TEAMS_HELP = "勾选一个或多个队伍；可在上方输入队名筛选。"


class UserCreateForm(FlaskForm):
    role = SelectField("角色", choices=choices(list(ROLE_LABELS.items())), default="leader",
                       invalid_choice_message="角色无效。")
    volunteer_lookup = StringField("关联志愿者：证件号码或手机号",
                                   validators=[Optional(), Length(max=40, message="输入过长。")],
                                   description="志愿者账号必填；队长或办公室人员本人也是志愿者时可填。")
    volunteer_name = StringField("志愿者姓名", validators=[Optional(), Length(max=50, message="姓名不能超过 50 个字。")],
                                 description="按手机号关联时必填（家人可能共用一个手机号）。")
    username = StringField("用户名", validators=[Optional(), Length(max=50, message="用户名不能超过 50 个字符。")],
                           description="志愿者账号留空则使用其登记的手机号（已被家人的账号使用时为证件号码）。")
    display_name = StringField("显示名称", validators=[Optional(), Length(max=50, message="显示名称不能超过 50 个字。")],
                               description="如姓名或科室；留空则显示用户名（关联志愿者时为其姓名）。")
    password = PasswordField("初始密码", validators=[DataRequired("请设置初始密码。")], description=PASSWORD_HELP)
    confirm = PasswordField("确认密码", validators=[EqualTo("password", "两次输入的密码不一致。")])
    team_ids = CheckboxListField("负责的队伍（仅队长）", coerce=int_list_coerce, validate_choice=False,
                                 description=TEAMS_HELP)


class OneTimePasswordForm(FlaskForm):
    """Only the CSRF token: the office confirms, the system picks the one-time password."""


class LeaderTeamsForm(FlaskForm):
    team_ids = CheckboxListField("负责的队伍", coerce=int_list_coerce, validate_choice=False,
                                 description=TEAMS_HELP)


class UserFilterForm(FilterForm):
    q = StringField("用户名", render_kw={"placeholder": "用户名或显示名称"})
    role = SelectField("角色", choices=choices([("", "全部")] + list(ROLE_LABELS.items())), validate_choice=False)
    status = SelectField("状态", choices=choices([("", "全部"), ("enabled", "正常"), ("disabled", "已停用")]),
                         validate_choice=False)
