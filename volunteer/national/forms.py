"""The national pages' forms: a stored value (or a local category) and its national code; the
order for a national pack."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import InputRequired, ValidationError

from ..forms import DateTextField
from . import codes


class CodeForm(FlaskForm):
    """One row of the mapping page; ``table`` picks the national code list."""

    field = HiddenField()
    value = HiddenField()
    # The service checks the code against the table, with a message naming it.
    code = SelectField("国家代码", validators=[InputRequired(message="请选择国家代码")], validate_choice=False)

    def __init__(self, table: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.code.choices = codes.choices(table)


class PackForm(FlaskForm):
    """The office's order for a national pack: a period (activity dates, inclusive) and whether
    to take only what is new or changed since the last batch."""

    date_from = DateTextField("活动日期起", description="留空则不限")
    date_to = DateTextField("活动日期止", description="留空则不限")
    since_last = BooleanField("只导出上一批以来新确认或有变更的记录")

    def validate_date_to(self, field):
        if self.date_from.date and field.date and self.date_from.date > field.date:
            raise ValidationError("结束日期不能早于开始日期。")
