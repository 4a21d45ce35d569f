"""The mapping page's one form: a stored value (or a local category) and its national code."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired

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
