"""Form pieces every feature's forms share (no feature imported here).

`choices` (select options in the shape this WTForms version wants), `int_or_none` /
`int_list_coerce` (select coercion that never raises), `ChineseIntegerField`,
`FiniteDecimalField`, `DateTextField`, `TimeTextField`, the `in_date_range` validator, and `FilterForm`, the base of
every list's GET filter. They lived in teams/forms.py and hours/forms.py, which made other
features reach into those features' web layer for them.
"""
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import StopValidation, ValidationError

from .fields import FieldError, parse_date, time_text
from .views import MAX_INT, MAX_YEAR, MIN_YEAR

try:  # WTForms 3.3+ wants SelectChoice objects; older versions take (value, label) tuples.
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover
    SelectChoice = None


def choices(pairs) -> list:
    """(value, label) pairs in the form this WTForms version expects."""
    return [SelectChoice(value=v, label=label) if SelectChoice else (v, label) for v, label in pairs]


def data_choices(pairs) -> list:
    """Options named by people (teams, activities): kept as entered and marked lang="zh", so an
    English page says they are data, not untranslated text (CONTRACT.md section 11)."""
    mark = {"lang": "zh"}
    return [SelectChoice(value=v, label=label, render_kw=mark) if SelectChoice else (v, label, mark)
            for v, label in pairs]


def int_or_none(value):
    """Coerce for selects: '' (the "none" choice) and garbage become None, never an exception."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -MAX_INT <= number <= MAX_INT else None  # beyond any id: garbage, not a 500


def int_list_coerce(value):
    """Coerce for multi-selects: garbage becomes -1, which matches nothing and is reported."""
    result = int_or_none(value)
    return -1 if result is None else result


class ChineseIntegerField(IntegerField):
    """IntegerField whose parse error is in Chinese."""

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError as exc:
            self.data = None
            raise ValueError("请输入整数。") from exc
        if not -MAX_INT <= self.data <= MAX_INT:  # the database column cannot hold it (a 500)
            self.data = None
            raise ValueError("数字超出范围。")


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses "NaN", "sNaN" and "Infinity" as a form error: Decimal
    accepts them, and comparing them in NumberRange raised (a 500)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError("请输入有效的数字。")


class DateTextField(StringField):
    """A date typed as text (or picked with the browser's date input); kept as typed on errors.

    `.date` holds the parsed value after validation (None when blank)."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"type": "date", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.date = None

    def pre_validate(self, form):
        self.date = None
        text = (self.data or "").strip()
        if text:
            try:
                self.date = parse_date(text, field=str(self.label.text))
            except FieldError as exc:
                raise ValidationError(exc.message) from None
            if not MIN_YEAR <= self.date.year <= MAX_YEAR:  # 9999-12-31 + 1 day raised (a 500)
                self.date = None
                raise ValidationError(f"{self.label.text}超出范围。")


class TimeTextField(StringField):
    """A time typed as people type it (9:00, 9：00, 9点, 9点30, 9.30; fields.time_text).

    After validation `.data` is the stored form 'HH:MM' (None when blank); a value that is
    not a time keeps what was typed and gets the parser's message."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"autocomplete": "off", "inputmode": "text", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def pre_validate(self, form):
        try:
            self.data = time_text(self.data, field=str(self.label.text)) or ""
        except FieldError as exc:
            raise ValidationError(exc.message) from None


def in_date_range(form, field) -> None:
    """WTForms validator for a DateField: a year outside MIN_YEAR..MAX_YEAR is a form error
    (9999-12-31 and 0001-01-01 parse, then a day or a month more or less raised: a 500)."""
    if field.data is not None and not MIN_YEAR <= field.data.year <= MAX_YEAR:
        field.errors[:] = []
        raise StopValidation(f"{field.label.text}超出范围（{MIN_YEAR}–{MAX_YEAR} 年）。")


class FilterForm(FlaskForm):
    """A list's GET filter form: no CSRF token, read from request.args."""

    class Meta:
        csrf = False


class CheckboxListField(SelectMultipleField):
    """Many choices as a searchable list of checkboxes (render_field adds the search box):
    picking 3 teams of 50 without a Ctrl-click select that one slip clears."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, labels_are_data: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Options named by people (teams, categories): on an English page they stay as entered,
        # marked lang="zh" by render_field.
        self.labels_are_data = labels_are_data
