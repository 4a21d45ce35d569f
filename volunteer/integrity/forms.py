"""The exception review form, the month lock form, the queue filter and the integrity settings."""
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp


class ReviewForm(FlaskForm):
    reason = StringField("处理原因", validators=[DataRequired("请填写处理原因。"), Length(max=200)],
                         description="确认无误或作废都要写明原因，记入操作日志。")


class LockMonthForm(FlaskForm):
    month = StringField("锁账月份", validators=[
        DataRequired("请填写月份。"), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message="月份格式应为 YYYY-MM，例如 2026-03。")],
        render_kw={"type": "month", "placeholder": "YYYY-MM"},
        description="锁账后，该月的时长只能由分中心办公室填写原因后更正或作废。")


class QueueFilterForm(FlaskForm):
    """The queue's period (GET, no CSRF token)."""

    class Meta:
        csrf = False

    rule = SelectField("异常类型", default="")
    date_from = DateField("活动日期（起）", validators=[Optional()])
    date_to = DateField("活动日期（止）", validators=[Optional()])


class IntegritySettingsForm(FlaskForm):
    daily_hours_limit = DecimalField("每日时长上限（小时）", places=1, validators=[
        DataRequired("请填写上限。"), NumberRange(0.5, 24, "上限应在 0.5 到 24 小时之间。")],
        description="同一志愿者一天内的时长合计超过此值时列入异常队列。")
