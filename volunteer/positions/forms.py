"""Position forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import FilterForm, choices, int_or_none
from .models import POSITION_KINDS

KIND_CHOICES = list(POSITION_KINDS.items())


class PositionForm(FlaskForm):
    name = StringField("阵地名称", validators=[DataRequired("请填写阵地名称。"),
                                            Length(max=100, message="阵地名称不能超过 100 个字。")])
    kind = SelectField("类型", choices=choices(KIND_CHOICES), default="station",
                       invalid_choice_message="类型无效。")
    parent_id = SelectField("上级阵地", coerce=int_or_none, validate_choice=False)
    address = StringField("地址", validators=[Optional(), Length(max=200, message="地址不能超过 200 个字。")])
    is_active = BooleanField("在用", default=True)


class PositionFilterForm(FilterForm):
    q = StringField("名称", render_kw={"placeholder": "名称关键字"})
    kind = SelectField("类型", choices=choices([("", "全部")] + KIND_CHOICES), validate_choice=False)
