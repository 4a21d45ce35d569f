"""Forms for trainings, attendance, commendations, evaluations and voiding.

The forms check only shape (lengths, a choice from the list); the rules (dates not in the
future, 学时 as a number, scores 1–5) live once in merits.rules and reach the fields through
views.save, so the web, the importers and the CLI accept the same values.
"""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import CheckboxListField, DateTextField, FilterForm, choices, int_list_coerce, int_or_none
from ..clock import today_local
from ..errors import ValidationFailed
from . import rules
from .models import COMMENDATION_LEVELS, TRAINING_KINDS, TRAINING_MODES

SCORE_CHOICES = [("", "请选择"), ("5", "5 优秀"), ("4", "4 良好"), ("3", "3 合格"), ("2", "2 需改进"), ("1", "1 差")]



class _RulesForm(FlaskForm):
    """Runs the feature's rules on every field even when one field already failed its own
    check, so a bad date does not hide a bad 学时: each bad input gets its message at once."""

    def check_rules(self) -> None:
        raise NotImplementedError

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        try:
            self.check_rules()
        except ValidationFailed as exc:
            for key, message in exc.errors:
                if key in self and not self[key].errors:
                    self[key].errors = [message]
            return False
        return ok


class TrainingForm(_RulesForm):
    title = StringField("培训主题", validators=[Length(max=100, message="培训主题不能超过 100 个字。")])
    held_on = DateTextField("培训日期")
    hours = StringField("学时（小时）", render_kw={"inputmode": "decimal", "autocomplete": "off"},
                        description="可填小数，如 1.5")
    kind = SelectField("培训类型", choices=choices([(k, f"{k}培训") for k in TRAINING_KINDS]))
    mode = SelectField("培训方式", choices=choices([(m, m) for m in TRAINING_MODES]))
    organiser = StringField("组织者", validators=[Length(max=100, message="组织者不能超过 100 个字。")])
    team_id = SelectField("所属队伍", coerce=int_or_none)
    note = TextAreaField("备注", validators=[Optional(), Length(max=500, message="备注不能超过 500 个字。")])

    def values(self) -> dict:
        return {k: self[k].data for k in ("title", "held_on", "hours", "kind", "mode", "organiser", "note")}

    def check_rules(self) -> None:
        rules.clean_training(self.values(), today=today_local())


class AttendeesForm(FlaskForm):
    """Tick the team's members who attended (the list comes from the route, never the request)."""

    people = CheckboxListField("参训人员", coerce=int_list_coerce)


class TeamPickForm(FilterForm):
    """Whose members to list for ticking, on a training of the office's own (GET)."""

    team_id = SelectField("列出队员的队伍", coerce=int_or_none)


class FindPersonForm(FlaskForm):
    """Add someone outside one's teams: name together with mobile or full ID number (volunteers.lookup)."""

    name = StringField("姓名", validators=[Length(max=50, message="姓名不能超过 50 个字。")],
                       render_kw={"autocomplete": "off"})
    key = StringField("手机号码或完整证件号码", validators=[Length(max=40, message="输入过长。")],
                      render_kw={"autocomplete": "off"})
    action = HiddenField(default="find")


class AttendForm(FlaskForm):
    """Add this volunteer to one of the trainings the user manages (on the volunteer's page)."""

    training_id = SelectField("培训", coerce=int_or_none, validators=[DataRequired("请选择培训。")])


class CommendationForm(_RulesForm):
    title = StringField("表彰名称", validators=[Length(max=100, message="表彰名称不能超过 100 个字。")],
                        description="如：优秀志愿者、最美志愿者")
    level = SelectField("级别", choices=choices([(lv, lv) for lv in COMMENDATION_LEVELS]), default="区级")
    awarded_on = DateTextField("表彰日期")
    awarded_by = StringField("授予单位", validators=[Length(max=100, message="授予单位不能超过 100 个字。")])
    note = TextAreaField("备注", validators=[Optional(), Length(max=500, message="备注不能超过 500 个字。")])

    def values(self) -> dict:
        return {k: self[k].data for k in ("title", "level", "awarded_on", "awarded_by", "note")}

    def check_rules(self) -> None:
        rules.clean_commendation(self.values(), today=today_local())


class EvaluationForm(_RulesForm):
    record_id = SelectField("服务记录", coerce=int_or_none, validators=[DataRequired("请选择要评价的服务记录。")])
    punctuality = SelectField("守时", choices=choices(SCORE_CHOICES))
    attitude = SelectField("服务态度", choices=choices(SCORE_CHOICES))
    skill = SelectField("专业水平", choices=choices(SCORE_CHOICES))
    comment = TextAreaField("评语", validators=[Optional(), Length(max=500, message="评语不能超过 500 个字。")])

    def values(self) -> dict:
        return {k: self[k].data for k in ("punctuality", "attitude", "skill", "comment")}

    def check_rules(self) -> None:
        rules.clean_evaluation(self.values())


class VoidForm(FlaskForm):
    reason = StringField("作废原因", validators=[DataRequired("作废必须填写原因。"),
                                             Length(max=200, message="原因不能超过 200 个字。")])
