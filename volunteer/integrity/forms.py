"""The exception review form, the month lock form, the queue filter and the integrity settings."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..forms import FiniteDecimalField, in_date_range


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
    date_from = DateField("活动日期（起）", validators=[Optional(), in_date_range])
    date_to = DateField("活动日期（止）", validators=[Optional(), in_date_range])


class IntegritySettingsForm(FlaskForm):
    daily_hours_limit = FiniteDecimalField("每日时长上限（小时）", places=1, validators=[
        DataRequired("请填写上限。"), NumberRange(0.5, 24, "上限应在 0.5 到 24 小时之间。")],
        description="同一志愿者一天内的时长合计超过此值时列入异常队列。")
    # On-site check-in (volunteer/checkin/services.py SETTING_*).
    checkin_unit = SelectField("签到时长取整单位", choices=[("1", "1 分钟"), ("15", "15 分钟"), ("30", "30 分钟")],
                               default="1", description="签到到签退的时长按此单位向下取整。")
    checkin_minutes_before = IntegerField("活动开始前多少分钟可以签到", default=60, validators=[
        NumberRange(0, 720, "应在 0 到 720 分钟之间。")])
    checkin_auto_approve = BooleanField("签到产生的时长自动确认", description="不勾选时为“待审核”，由分中心办公室审核。")
    # Sign-ups (volunteer/activities/signups.py CANCEL_HOURS_KEY).
    signup_cancel_hours = IntegerField("活动开始前多少小时截止取消报名", default=2, validators=[
        Optional(), NumberRange(0, 168, "应在 0 到 168 小时（7 天）之间。")],
        description="此后志愿者不能自行取消报名，如不能参加请联系队长请假；0 表示活动开始前都可以取消。")
