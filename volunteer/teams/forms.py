"""Team, member look-up and service-category forms (the shared field helpers are volunteer/forms.py)."""
import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import ChineseIntegerField, DateTextField, FilterForm, choices, int_list_coerce, int_or_none
from .models import TEAM_KINDS


def _phone_like(form, field):
    if field.data and not re.fullmatch(r"[0-9+\-\s()（）转]{5,20}", field.data.strip()):
        raise ValidationError("电话只能包含数字、空格、“-”和“+”，最多 20 位。")


class TeamForm(FlaskForm):
    name = StringField("队伍名称", validators=[DataRequired("请填写队伍名称。"),
                                            Length(max=100, message="队伍名称不能超过 100 个字。")])
    kind = SelectField("队伍类型", choices=choices([("", "请选择")] + [(k, k) for k in TEAM_KINDS]),
                       validators=[DataRequired("请选择队伍类型。")],
                       invalid_choice_message="队伍类型无效。")
    position_id = SelectField("所属阵地", coerce=int_or_none, validate_choice=False)
    leader_name = StringField("队长姓名", validators=[Optional(), Length(max=50, message="队长姓名不能超过 50 个字。")])
    leader_phone = StringField("队长手机", validators=[Optional(), _phone_like])
    category = StringField("服务类别", validators=[Optional(), Length(max=100, message="服务类别不能超过 100 个字。")],
                           description="如：文明传播、为民服务；多个用“、”分隔。")
    founded_on = DateTextField("成立日期")
    description = TextAreaField("简介", render_kw={"rows": 3})
    leader_ids = SelectMultipleField("负责的队长账号", coerce=int_list_coerce, validate_choice=False,
                                     render_kw={"size": 6},
                                     description="可多选（按住 Ctrl 或 ⌘ 点选）；只列出队长角色的账号。")
    is_active = BooleanField("队伍在用", default=True)
    accepts_applications = BooleanField("接受志愿者申请入队", default=True,
                                        description="勾选后，志愿者可在注册时或“我的志愿服务”页面申请加入本队。")


class AddMemberForm(FlaskForm):
    """Find a person to add or invite: name together with mobile or full ID number (the rule
    and the messages are volunteers.lookup's)."""

    name = StringField("姓名", validators=[Length(max=50, message="姓名不能超过 50 个字。")],
                       render_kw={"autocomplete": "off"})
    key = StringField("手机号码或完整证件号码", validators=[Length(max=40, message="输入过长。")],
                      render_kw={"autocomplete": "off"}, description="须与姓名同时填写，两者都相符才能找到。")


class CategoryForm(FlaskForm):
    name = StringField("类别名称", validators=[DataRequired("请填写类别名称。"),
                                           Length(max=50, message="类别名称不能超过 50 个字。")])
    sort_order = ChineseIntegerField("排序号", validators=[Optional()],
                                     description="数字小的排在前面；留空则排在最后。")


class TeamFilterForm(FilterForm):
    q = StringField("队伍名称", render_kw={"placeholder": "名称关键字"})
    kind = SelectField("队伍类型", choices=choices([("", "全部")] + [(k, k) for k in TEAM_KINDS]), validate_choice=False)
    position_id = SelectField("所属阵地", coerce=int_or_none, validate_choice=False)
