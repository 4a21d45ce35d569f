"""Forms of correction and missing-record requests: the volunteer's two, the handler's two.

Hours are typed as text and parsed by the service (fields.parse_hours_to_minutes), so a bad
value comes back on its field with what was typed kept.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from ..forms import DateTextField, choices, int_or_none

HOURS_HELP = _l("以小时计，例如 2 或 2.5。")


class CorrectionRequestForm(FlaskForm):
    kind = SelectField(_l("哪里不对"), choices=choices([("correct", _l("时长不对")), ("void", _l("我没有参加这次服务（应作废）"))]),
                      default="correct")
    hours = StringField(_l("正确的时长（小时）"), description=HOURS_HELP, render_kw={"inputmode": "decimal"})
    reason = TextAreaField(_l("说明"), validators=[Length(max=500, message=_l("说明不能超过 500 字。"))],
                           description=_l("发生了什么，应当是怎样（例如：9:00 到 11:30 在场）。"), render_kw={"rows": 3})


class MissingRequestForm(FlaskForm):
    activity_id = SelectField(_l("活动"), coerce=int_or_none, validate_choice=False)
    team_id = SelectField(_l("所在队伍"), coerce=int_or_none, validate_choice=False,
                          description=_l("列表中没有该活动时填写这一项和下面两项。"))
    title = StringField(_l("活动名称"), validators=[Length(max=200, message=_l("活动名称不能超过 200 字。"))])
    service_date = DateTextField(_l("服务日期"))
    hours = StringField(_l("服务时长（小时）"), description=HOURS_HELP, render_kw={"inputmode": "decimal"})
    reason = TextAreaField(_l("说明"), validators=[Length(max=500, message=_l("说明不能超过 500 字。"))],
                           description=_l("发生了什么（例如：签到时手机没电，队长没有登记）。"), render_kw={"rows": 3})


class AcceptForm(FlaskForm):
    activity_id = SelectField("补录到活动", coerce=int_or_none, validate_choice=False)


class DeclineForm(FlaskForm):
    decline_reason = StringField("不采纳的原因", validators=[Length(max=200, message="原因不能超过 200 字。")],
                                 description="志愿者会在“我的志愿服务”中看到这条原因。")
