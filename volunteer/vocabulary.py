"""Words of closed lists that the features store or compute in Chinese — statuses, ID types,
genders — listed here so `make messages` extracts them. A page shows one in its language with
the `term` filter (volunteer.i18n.term), while the stored value and the office's exports stay
Chinese. A word missing here shows in Chinese on an English page, and tests/i18n finds it."""
from flask_babel import lazy_gettext as _l

WORDS = (
    # volunteers/validators.py: ID_TYPES, GENDERS
    _l("居民身份证"), _l("港澳台居民居住证"), _l("港澳居民来往内地通行证"), _l("台湾居民来往大陆通行证"),
    _l("护照"), _l("外国人永久居留身份证"), _l("男"), _l("女"),
    # hours/models.py: RECORD_STATUS
    _l("待审核"), _l("已确认"), _l("已作废"),
    # activities/models.py: ACTIVITY_STATUS, SIGNUP_STATUS and a cancelled activity
    _l("草稿"), _l("已发布"), _l("已结束"), _l("已取消"), _l("已报名"), _l("候补"),
    # checkin/models.py: CHECKIN_STATE, LOCATION_LABELS
    _l("已签到"), _l("已签退"), _l("漏签退"), _l("未获取到位置"), _l("位置精度不足"), _l("位置在范围外"),
    # joining/models.py: APPLICATION_STATUS
    _l("待处理"), _l("已同意"), _l("已拒绝"), _l("已撤回"),
    # Flask-Login's login_message (localised by its localize_callback)
    _l("请先登录。"),
)
