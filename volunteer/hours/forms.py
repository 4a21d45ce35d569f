"""Approval queue filters and the void / correction forms."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, NumberRange

from ..forms import FiniteDecimalField


class VoidForm(FlaskForm):
    reason = StringField("作废原因", validators=[DataRequired("作废必须填写原因。"), Length(max=200)])


class CorrectForm(FlaskForm):
    hours = FiniteDecimalField("更正后的时长（小时）", places=2,
                               validators=[DataRequired("请填写时长。"),
                                           NumberRange(0.01, 24, "时长应大于 0 且不超过 24 小时。")])
    reason = StringField("更正原因", validators=[DataRequired("更正必须填写原因。"), Length(max=200)])
