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
    # The shared field rules' messages that /register can show (fields.py, volunteers/validators.py;
    # views.put_error translates them): the ones naming a value stay Chinese.
    _l("姓名不能为空"), _l("姓名不能超过50个字"), _l("手机号码不能为空"),
    _l("手机号码格式不正确，应为以13-19开头的11位手机号"), _l("监护人姓名不能为空"), _l("监护人姓名不能超过50个字"),
    _l("监护人电话不能为空"), _l("监护人电话格式不正确，应为以13-19开头的11位手机号"),
    _l("出生日期格式无法识别，请填写如 1990-01-05 的日期"), _l("校验位错误"), _l("出生日期无效"),
    _l("出生日期晚于今天"), _l("证件号码不能为空"), _l("证件号码应为5至30位字母或数字"), _l("证件号码应为18位"),
    _l("证件号码前17位应为数字，最后一位为数字或X"), _l("性别应为“男”或“女”"),
    _l("性别与证件号码不符（证件号码显示为男）"), _l("性别与证件号码不符（证件号码显示为女）"),
    _l("未满14周岁，须填写监护人姓名"), _l("未满14周岁，须填写监护人电话"),
    _l("证件类型为护照时必须填写性别"), _l("证件类型为护照时必须填写出生日期"),
    _l("证件类型为外国人永久居留身份证时必须填写性别"), _l("证件类型为外国人永久居留身份证时必须填写出生日期"),
    _l("证件类型为港澳居民来往内地通行证时必须填写性别"), _l("证件类型为港澳居民来往内地通行证时必须填写出生日期"),
    _l("证件类型为台湾居民来往大陆通行证时必须填写性别"), _l("证件类型为台湾居民来往大陆通行证时必须填写出生日期"),
    # fields.parse_hours_to_minutes, as the correction and missing-record requests show them
    _l("服务时长不能为空。"), _l("服务时长必须是数字（小时）。"), _l("服务时长不能超过24小时。"), _l("服务时长必须大于0。"),
    # hours/models.py: REQUEST_KIND, REQUEST_STATUS
    _l("更正时长"), _l("作废记录"), _l("补录记录"), _l("已采纳"), _l("未采纳"),
    # Flask-Login's login_message (localised by its localize_callback)
    _l("请先登录。"),
)
