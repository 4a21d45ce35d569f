"""Check-in forms: the typed code, the big sign-in button, 代签, 统一签退 and a missed sign-out."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from ..forms import TimeTextField


class CodeForm(FlaskForm):
    code = StringField(_l("签到码"), validators=[DataRequired(_l("请输入 6 位签到码。")),
                                          Regexp(r"^\s*\d{6}\s*$", message=_l("签到码是 6 位数字。"))],
                       render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 6,
                                  "pattern": "[0-9]*", "placeholder": "000000"},
                       description=_l("输入现场屏幕上显示的 6 位数字。"))


class LocatedForm(FlaskForm):
    """A button form whose hidden fields app.js fills with the browser's location, if any."""

    lat = HiddenField()
    lng = HiddenField()
    acc = HiddenField()


class SignInForm(LocatedForm):
    pass


class SignOutForm(FlaskForm):
    pass


class ProxyForm(LocatedForm):
    action = SelectField(_l("操作"), choices=[("in", _l("代签到")), ("out", _l("代签退"))], default="in")
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名。")), Length(max=50)])
    last4 = StringField(_l("手机号或证件号码后 4 位"), validators=[
        DataRequired(_l("请填写后 4 位。")), Regexp(r"^\s*[0-9Xx]{4}\s*$", message=_l("请填写 4 位数字（证件号码末位可为 X）。"))],
        render_kw={"maxlength": 4, "autocomplete": "off"})
    reason = StringField(_l("代签原因"), validators=[DataRequired(_l("代签必须填写原因。")), Length(max=200)],
                         description=_l("例如：老人没有智能手机。记入操作日志，签到列表标注“代签”。"))


class CloseAllForm(FlaskForm):
    at = TimeTextField(_l("签退时间"), validators=[DataRequired(_l("请填写签退时间。"))],
                     description=_l("活动当天的时间，例如 11:30；所有仍在签到中的人都按此时间签退。"))


class SettleForm(FlaskForm):
    checkin_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])  # fits an INTEGER
    end_at = TimeTextField(_l("签退时间"), validators=[DataRequired(_l("请填写签退时间。"))])

