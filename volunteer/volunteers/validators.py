"""Field rules for volunteers and service hours (CONTRACT section 4).

This is the single place where these rules live: the web forms and the Excel
import both call it, so a value accepted in one is accepted in the other.
Everything here works on plain values (str, int, float, date, time, None, as
they come out of a form or a spreadsheet cell) and raises ``FieldError`` with a
Chinese message that can be shown to the user as is.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from stdnum.iso7064 import mod_11_2


class FieldError(ValueError):
    """A value the user must correct; ``message`` is shown to them verbatim."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


ID_TYPES = ("居民身份证", "港澳台居民居住证", "港澳居民来往内地通行证",
            "台湾居民来往大陆通行证", "护照", "外国人永久居留身份证")
DEFAULT_ID_TYPE = "居民身份证"
# Both carry the GB 11643 layout (area, birth date, sequence, check digit).
ID18_TYPES = ("居民身份证", "港澳台居民居住证")
POLITICAL_STATUSES = ("中共党员", "中共预备党员", "共青团员", "民主党派成员", "无党派人士", "群众")
_POLITICAL_ALIASES = {"党员": "中共党员", "预备党员": "中共预备党员", "团员": "共青团员"}
GENDERS = ("男", "女")
_GENDER_ALIASES = {"男": "男", "男性": "男", "M": "男", "MALE": "男",
                   "女": "女", "女性": "女", "F": "女", "FEMALE": "女"}
TEAM_SEPARATORS = ("、", ",", "，", ";", "；")
_TEAM_SPLIT = re.compile("[" + "".join(TEAM_SEPARATORS) + "]")
NAME_MAX_LENGTH = 50

# Canonical key -> canonical column name (template order), used to label errors and warnings.
COLUMN_NAMES = dict(zip(
    "name gender id_type id_number phone birth_date political_status education employer community"
    " teams skills guardian_name guardian_phone registered_on note".split(),
    "姓名 性别 证件类型 证件号码 手机号码 出生日期 政治面貌 文化程度 工作单位 居住社区"
    " 所属队伍 服务特长 监护人姓名 监护人电话 注册日期 备注".split()))

# \s covers U+3000 and line breaks; zero-width characters sneak in from copy-paste.
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_NUMERIC_ID_MESSAGE = ("证件号码被Excel存成了数字，末几位已丢失；"
                       "请将该列设置为“文本”格式后重新输入完整号码")


def _is_number(value) -> bool:
    # bool is an int subclass, but a True/False cell is never a valid number here.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value) -> str:
    """Text of a cell; a whole float loses its '.0' (13800138000.0 -> '13800138000')."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _compact(value) -> str:
    """Half-width (NFKC turns full-width digits, letters, '＋', '：' to ASCII), no spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", _text(value)))


def clean_text(value) -> str | None:
    """Strip spaces (also full-width) at the ends; blank -> None; otherwise verbatim.

    Text such as ``=1+2`` is kept as typed: protecting it is the writer's job.
    """
    text = None if value is None else _text(value).strip()
    return text or None


def normalize_name(value, *, field: str = "姓名") -> str:
    """Remove every space inside a name ('张  三' -> '张三'); '·' is kept."""
    name = _SPACES.sub("", clean_text(value) or "")
    if not name:
        raise FieldError(f"{field}不能为空")
    if len(name) > NAME_MAX_LENGTH:
        raise FieldError(f"{field}不能超过{NAME_MAX_LENGTH}个字")
    return name


def normalize_id_type(value) -> str:
    """Blank -> 居民身份证; '身份证' is accepted for it; anything else must be listed."""
    text = _SPACES.sub("", clean_text(value) or "")
    if text in ("", "身份证"):
        return DEFAULT_ID_TYPE
    if text not in ID_TYPES:
        raise FieldError("证件类型应为以下之一：" + "、".join(ID_TYPES))
    return text


def normalize_id_number(value, id_type=DEFAULT_ID_TYPE, *, today: date | None = None) -> str:
    """Return the ID number in canonical form (half-width, no spaces, upper case).

    For 居民身份证 / 港澳台居民居住证: 18 characters, ISO 7064 MOD 11-2 check digit, a
    real birth date not after ``today`` (default: the current date). The area code
    is deliberately not checked: codes outlive districts. Other types: 5-30
    letters and digits.
    """
    id_type = normalize_id_type(id_type)
    long_form = id_type in ID18_TYPES
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError("证件号码不能为空")
    if _is_number(value):
        # Excel keeps 15 significant digits, so an 18-digit number cell has lost its tail.
        if long_form or isinstance(value, float) and not (value.is_integer() and abs(value) < 1e15):
            raise FieldError(_NUMERIC_ID_MESSAGE)
    number = _compact(value).upper()
    if re.fullmatch(r"\d+(\.\d+)?E[+-]?\d+", number):
        # The same loss, seen as text after someone copied the displayed value.
        raise FieldError(_NUMERIC_ID_MESSAGE)
    if not long_form:
        if not re.fullmatch(r"[A-Z0-9]{5,30}", number):
            raise FieldError("证件号码应为5至30位字母或数字")
        return number
    if len(number) != 18:
        raise FieldError("证件号码应为18位")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise FieldError("证件号码前17位应为数字，最后一位为数字或X")
    if not mod_11_2.is_valid(number):
        raise FieldError("校验位错误")
    try:
        birth = birth_date_from_id(number)
    except ValueError:
        raise FieldError("出生日期无效") from None
    if birth.year < 1900:
        raise FieldError("出生日期无效")
    if birth > (today or date.today()):
        raise FieldError("出生日期晚于今天")
    return number


def birth_date_from_id(id_number) -> date:
    """Birth date in characters 7-14 of an 18-character ID (ValueError if not a date)."""
    text = str(id_number)
    return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def gender_from_id(id_number) -> str:
    """The 17th digit of an 18-character ID: odd 男, even 女."""
    return "男" if int(str(id_number)[16]) % 2 else "女"


def normalize_phone(value, *, field: str = "手机号码") -> str:
    """Mainland mobile number: no spaces or dashes, no +86/0086; then ^1[3-9]\\d{9}$."""
    if clean_text(value) is None:
        raise FieldError(f"{field}不能为空")
    phone = re.sub(r"[-‐‑–—]", "", _compact(value))
    # A bare '86' is only a country code when 11 digits follow (no mobile starts with 8).
    phone = re.sub(r"^(\+86|0086|86(?=\d{11}$))", "", phone)
    if not re.fullmatch(r"1[3-9]\d{9}", phone):
        raise FieldError(f"{field}格式不正确，应为以13-19开头的11位手机号")
    return phone


_DATE_PATTERNS = (
    re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"),
    re.compile(r"(\d{4})(年)(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})()(\d{2})(\d{2})"),
)
# '1990-01-05 00:00:00' is what str() of a datetime cell looks like.
_TIME_SUFFIX = re.compile(r"(?<=\d)[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")


def parse_date(value, *, field: str = "日期") -> date:
    """A date from a date/datetime cell or text; a number only as 8-digit yyyymmdd.

    Excel serial numbers are not accepted: a date-formatted cell already arrives
    as a datetime, and a bare 32878 is more likely a typo than a date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = "" if value is None or isinstance(value, bool) else unicodedata.normalize("NFKC", _text(value))
    text = _SPACES.sub("", _TIME_SUFFIX.sub("", text.strip()))
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match[1]), int(match[3]), int(match[4]))
            except ValueError:
                raise FieldError(f"{field}无效：{clean_text(value)} 不是实际存在的日期") from None
    raise FieldError(f"{field}格式无法识别，请填写如 1990-01-05 的日期")


def parse_time(value, *, field: str) -> time:
    """'HH:MM', 'H:MM', 'HH:MM:SS', time/datetime cells, or Excel's fraction of a day."""
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, time):
        return value.replace(microsecond=0)
    seconds = None
    if isinstance(value, timedelta):
        seconds = round(value.total_seconds())
    elif _is_number(value) and 0 <= value < 1:
        seconds = round(value * 86400)  # 0.375 -> 32400 s -> 09:00
    if seconds is not None and 0 <= seconds < 86400:
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    text = _compact(value) if isinstance(value, str) else ""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if match and int(match[1]) < 24 and int(match[2]) < 60 and int(match[3] or 0) < 60:
        return time(int(match[1]), int(match[2]), int(match[3] or 0))
    raise FieldError(f"{field}格式无法识别，请填写如 09:00 的时间")


def normalize_gender(value) -> str | None:
    """男/女 (also 男性/女性, M/F in any case); blank -> None."""
    text = _compact(value).upper() if clean_text(value) is not None else ""
    if not text:
        return None
    if text not in _GENDER_ALIASES:
        raise FieldError("性别应为“男”或“女”")
    return _GENDER_ALIASES[text]


def normalize_political_status(value) -> str | None:
    """One of POLITICAL_STATUSES, or the aliases 党员/预备党员/团员; blank -> None."""
    text = _SPACES.sub("", clean_text(value) or "")
    if not text:
        return None
    text = _POLITICAL_ALIASES.get(text, text)
    if text not in POLITICAL_STATUSES:
        raise FieldError("政治面貌应为以下之一：" + "、".join(POLITICAL_STATUSES))
    return text


def split_team_names(value) -> list[str]:
    """Team names from '甲队、乙队,丙队' (or a list from a multi-select), de-duplicated in order."""
    parts = value if isinstance(value, (list, tuple)) else [value]
    names: list[str] = []
    for part in parts:
        for piece in _TEAM_SPLIT.split(clean_text(part) or ""):
            name = clean_text(piece)
            if name and name not in names:
                names.append(name)
    return names


def age_on(birth: date, today: date) -> int:
    """Completed years on ``today`` (a 29 February birthday completes on 1 March)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def parse_hours_to_minutes(value) -> int:
    """服务时长 in hours (0 < h <= 24) -> whole minutes, rounded half up.

    Decimal arithmetic avoids float artefacts (0.1 h must give exactly 6 minutes).
    """
    if clean_text(value) is None:
        raise FieldError("服务时长不能为空")
    if _is_number(value):
        # repr() is the shortest text that round-trips: 0.1 -> '0.1', not 0.1000000000000000055.
        hours = Decimal(repr(value))
        if not hours.is_finite():
            raise FieldError("服务时长必须是数字（小时）")
    else:
        text = "" if isinstance(value, bool) else _compact(value)  # str, or a form's Decimal
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise FieldError("服务时长必须是数字（小时）")
        hours = Decimal(text)
    if hours > 24:
        raise FieldError("服务时长不能超过24小时")
    minutes = int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if minutes <= 0:
        # Under half a minute rounds to 0, which would be a record of nothing.
        raise FieldError("服务时长必须大于0")
    return minutes


def minutes_between(start: time, end: time) -> int:
    """Whole minutes (rounded half up) from ``start`` to ``end`` on the same day."""
    span = (end.hour * 3600 + end.minute * 60 + end.second) - (
        start.hour * 3600 + start.minute * 60 + start.second)
    if span <= 0:
        raise FieldError("结束时间必须晚于开始时间")
    return (span + 30) // 60


Issues = list[tuple[str, str]]  # (canonical column name, message)


# Free-text columns and the longest text each may hold (the database columns' sizes).
TEXT_LIMITS = {"education": 50, "employer": 200, "community": 100, "skills": 200, "note": 2000}


def validate_volunteer(fields: dict, *, today: date) -> tuple[dict, Issues, Issues]:
    """Check one volunteer record as a whole (web form and Excel import alike).

    ``fields`` uses the canonical keys of COLUMN_NAMES with raw values; a missing
    key counts as empty. Returns ``(cleaned, errors, warnings)``: ``cleaned`` has
    every canonical key with its normalized value (None when empty or invalid);
    errors and warnings are ``(column name, message)`` pairs, all of them, not just
    the first. Whether the teams exist is for the caller to check.
    """
    raw = {key: fields.get(key) for key in COLUMN_NAMES}
    blank = {key for key, value in raw.items() if clean_text(value) is None}
    cleaned: dict = dict.fromkeys(COLUMN_NAMES)
    errors: Issues = []
    warnings: Issues = []

    def check(key, func, *args, **kwargs):
        try:
            cleaned[key] = func(raw[key], *args, **kwargs)
        except FieldError as exc:
            errors.append((COLUMN_NAMES[key], exc.message))

    check("name", normalize_name)
    check("id_type", normalize_id_type)
    id_type = cleaned["id_type"]
    if id_type or "id_number" in blank:  # an unknown type gives no rule to check the number by
        check("id_number", normalize_id_number, id_type or DEFAULT_ID_TYPE, today=today)
    check("phone", normalize_phone)
    check("gender", normalize_gender)
    if "birth_date" not in blank:
        check("birth_date", parse_date, field="出生日期")
        if cleaned["birth_date"] and cleaned["birth_date"] > today:
            errors.append(("出生日期", "出生日期晚于今天"))
            cleaned["birth_date"] = None
    birth = cleaned["birth_date"]
    if id_type in ID18_TYPES and cleaned["id_number"]:
        # The ID is authoritative: fill in what is missing, report what disagrees.
        id_gender, birth = gender_from_id(cleaned["id_number"]), birth_date_from_id(cleaned["id_number"])
        if "gender" in blank:
            cleaned["gender"] = id_gender
        elif cleaned["gender"] and cleaned["gender"] != id_gender:
            errors.append(("性别", f"性别与证件号码不符（证件号码显示为{id_gender}）"))
        if "birth_date" in blank:
            cleaned["birth_date"] = birth
        elif cleaned["birth_date"] and cleaned["birth_date"] != birth:
            errors.append(("出生日期", f"出生日期与证件号码不符（证件号码显示为{birth.isoformat()}）"))
    elif id_type and id_type not in ID18_TYPES:
        # These numbers carry neither, so the record itself must state them.
        for key in ("gender", "birth_date"):
            if key in blank:
                errors.append((COLUMN_NAMES[key], f"证件类型为{id_type}时必须填写{COLUMN_NAMES[key]}"))

    if "guardian_name" not in blank:
        check("guardian_name", normalize_name, field="监护人姓名")
    if "guardian_phone" not in blank:
        check("guardian_phone", normalize_phone, field="监护人电话")
    if birth:
        age = age_on(birth, today)
        for key in ("guardian_name", "guardian_phone"):
            if age < 14 and key in blank:  # guardian consent; a bad value was reported above
                errors.append((COLUMN_NAMES[key], f"未满14周岁，须填写{COLUMN_NAMES[key]}"))
        if age < 18:
            warnings.append(("出生日期", f"未满18周岁（{age}岁）"))

    check("political_status", normalize_political_status)
    cleaned["teams"] = split_team_names(raw["teams"])
    for key, limit in TEXT_LIMITS.items():
        cleaned[key] = clean_text(raw[key])
        if cleaned[key] is not None and len(cleaned[key]) > limit:
            errors.append((COLUMN_NAMES[key], f"{COLUMN_NAMES[key]}不能超过{limit}个字"))
            cleaned[key] = None
    cleaned["registered_on"] = today
    if "registered_on" not in blank:
        check("registered_on", parse_date, field="注册日期")
    return cleaned, errors, warnings
