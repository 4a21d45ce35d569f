"""Activity forms: create/edit, and the one-screen hours entry."""
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import FiniteDecimalField, TimeTextField, in_date_range


class ActivityForm(FlaskForm):
    team_id = SelectField("所属队伍", coerce=int, validators=[DataRequired("请选择队伍。")])
    title = StringField("活动名称", validators=[DataRequired("请填写活动名称。"), Length(max=200)])
    category_id = SelectField("服务类别", coerce=int, validators=[DataRequired("请选择服务类别。")])
    place = StringField("活动地点", validators=[Optional(), Length(max=200)])
    service_date = DateField("活动日期", validators=[DataRequired("请填写活动日期（例如 2026-03-15）。"), in_date_range])
    start_time = TimeTextField("开始时间", validators=[Optional()], description="例如 9:00、9点30")
    end_time = TimeTextField("结束时间", validators=[Optional()], description="例如 11:30")
    headcount = IntegerField("招募人数", validators=[Optional(), NumberRange(1, 10000, "人数应在 1 到 10000 之间。")])
    description = TextAreaField("活动简介", validators=[Optional(), Length(max=2000)])
    # Optional place check for on-site check-in: all three or none.
    latitude = FiniteDecimalField("签到位置纬度", places=6, validators=[Optional(), NumberRange(-90, 90, "纬度应在 -90 到 90 之间。")],
                            description="可选。填写后签到时核对位置，例如 31.194000")
    longitude = FiniteDecimalField("签到位置经度", places=6, validators=[Optional(), NumberRange(-180, 180, "经度应在 -180 到 180 之间。")],
                             description="例如 121.320000")
    radius_m = IntegerField("签到范围（米）", validators=[Optional(), NumberRange(50, 5000, "范围应在 50 到 5000 米之间。")],
                            description="例如 300；不在范围内不能自行签到，可由队长代签")
    version = HiddenField()

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        given = [f.data is not None for f in (self.latitude, self.longitude, self.radius_m)]
        if any(given) and not all(given):
            self.radius_m.errors = list(self.radius_m.errors) + ["签到位置的纬度、经度和范围要么都填，要么都不填。"]
            return False
        return ok


class FindPersonForm(FlaskForm):
    """Find a person outside the team for the hours screen: name together with mobile or full
    ID number (volunteers.lookup); `found` carries the people found before, signed."""

    name = StringField("姓名", validators=[Length(max=50, message="姓名不能超过 50 个字。")],
                       render_kw={"autocomplete": "off", "placeholder": "姓名", "data-enter-clicks": "#find-button"})
    key = StringField("手机号码或完整证件号码", validators=[Length(max=40, message="输入过长。")],
                      render_kw={"autocomplete": "off", "placeholder": "手机号码或完整证件号码",
                                 "data-enter-clicks": "#find-button"})
    action = HiddenField(default="find", id="find-action")
    found = HiddenField(id="find-found")


class CancelActivityForm(FlaskForm):
    """取消活动: the reason is shown to everyone signed up or waiting."""

    reason = StringField("取消原因", validators=[DataRequired("请填写取消原因，报名的志愿者会看到。"),
                                             Length(max=200, message="取消原因不能超过 200 字。")],
                         description="例如：天气原因，活动改期另行通知。报名和候补的志愿者会在“我的志愿服务”中看到。")
