"""Issuing and revoking certificates, and the issuer settings."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp

from ..forms import in_date_range


class IssueForm(FlaskForm):
    period_from = DateField(_l("证明期间（起）"), validators=[DataRequired(_l("请填写起始日期。")), in_date_range])
    period_to = DateField(_l("证明期间（止）"), validators=[DataRequired(_l("请填写截止日期。")), in_date_range])
    # Optional sections (merits.certificate.SECTIONS): the person chooses what the paper carries.
    with_training = BooleanField(_l("附培训记录"))
    with_commendations = BooleanField(_l("附表彰奖励"))
    with_evaluations = BooleanField(_l("附服务评价"))

    def sections(self) -> list[str]:
        return [name for name, field in (("training", self.with_training), ("commendations", self.with_commendations),
                                         ("evaluations", self.with_evaluations)) if field.data]


class RevokeForm(FlaskForm):
    reason = StringField(_l("撤销原因"), validators=[DataRequired(_l("撤销必须填写原因。")), Length(max=200)])


class VolunteerSearchForm(FlaskForm):
    """Find the volunteer to issue for (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("查找志愿者"), validators=[Optional(), Length(max=50)],
                    description=_l("姓名、手机号码、证件号码或其后四位"))


class IssuerSettingsForm(FlaskForm):
    issuer = StringField(_l("出具单位"), validators=[DataRequired(_l("出具单位不能为空。")), Length(max=100)])
    person_in_charge = StringField(_l("负责人"), validators=[Optional(), Length(max=50)])
    handler = StringField(_l("经办人"), validators=[Optional(), Length(max=50)],
                          description=_l("留空时使用开具证明的办公室账号姓名。"))
    contact = StringField(_l("联系电话"), validators=[Optional(), Length(max=50)])
    number_prefix = StringField(_l("证明编号前缀"), validators=[
        DataRequired(_l("请填写编号前缀。")), Regexp(r"^[A-Za-z0-9]{1,10}$", message=_l("只能是 1–10 位字母或数字。"))],
        description=_l("证明编号形如 HQ-2026-000123。"))
    verify_base_url = StringField(_l("核验网址前缀（可选）"), validators=[
        Optional(), URL(require_tld=False, message=_l("请填写完整网址，例如 https://zyfw.example.cn。")), Length(max=200)],
        description=_l("二维码指向的网站地址；留空时使用当前访问的地址。"))

    FIELDS = {"issuer": "certificate.issuer", "person_in_charge": "certificate.person_in_charge",
              "handler": "certificate.handler", "contact": "certificate.contact",
              "number_prefix": "certificate.number_prefix", "verify_base_url": "certificate.verify_base_url"}
