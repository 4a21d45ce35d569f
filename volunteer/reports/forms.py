"""The reports page's filter: a year, a month of it, or any date range; one team or category."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from ..forms import in_date_range

MONTH_CHOICES = [(0, "全年")] + [(m, f"{m}月") for m in range(1, 13)]


class ReportFilterForm(FlaskForm):
    """Read from the query string (GET), so no CSRF token: it changes nothing."""

    class Meta:
        csrf = False

    year = SelectField("年度", coerce=int)
    month = SelectField("月份", coerce=int, default=0)  # choices: MONTH_CHOICES, set by the route
    date_from = DateField("自定义起始日期", validators=[Optional(), in_date_range])
    date_to = DateField("自定义截止日期", validators=[Optional(), in_date_range])
    team_id = SelectField("队伍", coerce=int, default=0)
    category_id = SelectField("服务类别", coerce=int, default=0)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if bool(self.date_from.data) != bool(self.date_to.data):
            (self.date_to if self.date_from.data else self.date_from).errors.append("请同时填写起始和截止日期。")
            ok = False
        elif self.date_from.data and self.date_from.data > self.date_to.data:
            self.date_to.errors.append("截止日期不能早于起始日期。")
            ok = False
        elif self.date_from.data and (self.date_to.data - self.date_from.data).days > 366 * 10:
            self.date_to.errors.append("日期范围不能超过十年。")
            ok = False
        return ok
