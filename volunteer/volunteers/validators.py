"""Volunteer rules (CONTRACT section 4): ID numbers, genders, political status, team lists,
and the one copy of their enumerations (excel/columns.py imports them).

The web forms and the Excel import both call `validate_volunteer`, so a record accepted in
one is accepted in the other. General parsing (text, names, phones, dates, hours) is
volunteer/fields.py; this module builds on it and raises the same ``FieldError``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from stdnum.iso7064 import mod_11_2

from ..fields import SPACES as _SPACES
from ..fields import FieldError, age_on, clean_text, compact as _compact, is_number as _is_number
from ..fields import normalize_name, normalize_phone, parse_date, year_months
from ..national import codes as _national_codes


ID_TYPES = ("居民身份证", "港澳台居民居住证", "港澳居民来往内地通行证",
            "台湾居民来往大陆通行证", "护照", "外国人永久居留身份证")
DEFAULT_ID_TYPE = "居民身份证"
# The national 证件类型 codes that name one of ours (the others have no type here).
_ID_TYPE_BY_CODE = {"01": "居民身份证", "05": "护照"}
# Both carry the GB 11643 layout (area, birth date, sequence, check digit).
ID18_TYPES = ("居民身份证", "港澳台居民居住证")
# 政治面貌: today's stored spellings plus each 民主党派 by its national name (CONTRACT section 10;
# volunteer/national/codes.py holds the national table).  民主党派成员 (no party named) and 其他 are
# reported as 20 其他; 无党派人士 as 12 无党派民主人士.
POLITICAL_STATUSES = ("中共党员", "中共预备党员", "共青团员", "中国国民党革命委员会会员", "中国民主同盟盟员",
                      "中国民主建国会会员", "中国民主促进会会员", "中国农工民主党党员", "中国致公党党员",
                      "九三学社社员", "台湾民主自治同盟盟员", "民主党派成员", "无党派人士", "群众", "其他")
# National code -> the stored spelling, so a national name, code or alias reads as one value.
_POLITICAL_BY_CODE = {"01": "中共党员", "02": "中共预备党员", "03": "共青团员", "12": "无党派人士", "13": "群众",
                      "20": "其他", **{c: n for c, n in _national_codes.POLITICAL_STATUSES if "04" <= c <= "11"}}
_POLITICAL_ALIASES = {"党员": "中共党员", "预备党员": "中共预备党员", "团员": "共青团员",
                      "民主党派": "民主党派成员", "无": "群众"}
GENDERS = ("男", "女")
_GENDER_ALIASES = {"男": "男", "男性": "男", "M": "男", "MALE": "男",
                   "女": "女", "女性": "女", "F": "女", "FEMALE": "女"}
TEAM_SEPARATORS = ("、", ",", "，", ";", "；")
_TEAM_SPLIT = re.compile("[" + "".join(TEAM_SEPARATORS) + "]")

# Canonical key -> canonical column name (template order), used to label errors and warnings.
COLUMN_NAMES = dict(zip(
    "name gender id_type id_number phone birth_date political_status education employer community"
    " teams skills guardian_name guardian_phone registered_on note national_no".split(),
    "姓名 性别 证件类型 证件号码 手机号码 出生日期 政治面貌 文化程度 工作单位 居住社区"
    " 所属队伍 服务特长 监护人姓名 监护人电话 注册日期 备注 全国志愿者编号".split()))

_NUMERIC_ID_MESSAGE = ("证件号码被Excel存成了数字，末几位已丢失；"
                       "请将该列设置为“文本”格式后重新输入完整号码")
_SCIENTIFIC = re.compile(r"\d+(\.\d+)?E[+-]?\d+")
_OTHER_ID = re.compile(r"[A-Z0-9]{5,30}")
_ID18 = re.compile(r"\d{17}[\dX]")
_ID18_TYPE_SET = frozenset(ID18_TYPES)
_ID_TYPE_SET = frozenset(ID_TYPES)
_POLITICAL_SET = frozenset(POLITICAL_STATUSES)
_GENDERS = frozenset(GENDERS)
_CHECK_CHARS = frozenset("0123456789Xx")

# Speed: an import runs these rules once per row, 20,000 times for a large roster.  Several
# functions below start with a fast path for the plain spelling that nearly every cell has (a
# clean 18-digit ID, an 11-digit mobile, a canonical 政治面貌); it returns exactly what the
# general rule after it returns (tests/volunteers/test_validators_fast_paths.py), and anything
# else takes the general rule.  Team lists repeat, so each spelling is split once (bounded memo).
_MEMO_LIMIT = 4096
_team_memo: dict[str, tuple[str, ...]] = {}


def normalize_id_type(value) -> str:
    """Blank -> 居民身份证; '身份证' is accepted for it; anything else must be listed."""
    if value is None:
        return DEFAULT_ID_TYPE
    if value.__class__ is str and value in _ID_TYPE_SET:
        return value
    text = _SPACES.sub("", clean_text(value) or "")
    if text in ("", "身份证"):
        return DEFAULT_ID_TYPE
    if text not in _ID_TYPE_SET:  # a national code or name (01, 内地居民身份证, 05 护照)
        text = _ID_TYPE_BY_CODE.get(_national_codes.find("id_type", text), text)
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
    return _id_number(value, normalize_id_type(id_type), today)[0]


def _id_number(value, id_type: str, today: date | None) -> tuple[str, date | None]:
    """normalize_id_number for a canonical ``id_type``: (number, birth date of an 18-character one)."""
    if id_type not in _ID18_TYPE_SET:
        return _id_number_text(value, False), None
    if (value.__class__ is str and len(value) == 18 and value.isascii() and value[:17].isdigit()
            and value[17] in _CHECK_CHARS):
        # 18 plain characters: nothing to normalise.  MOD 11-2 sums the digits weighted by powers
        # of 2; read in base 13 (13 = 2 mod 11, and "A" is 10, for the X) the number gives the
        # same remainder in one C call.
        number = value if value[17] != "x" else value.upper()
        if int(number if number[17] != "X" else number[:17] + "A", 13) % 11 != 1:
            raise FieldError("校验位错误")
        try:
            birth = date.fromisoformat(number[6:14])  # YYYYMMDD
        except ValueError:
            raise FieldError("出生日期无效") from None
    else:
        number = _id_number_text(value, True)
        # ISO 7064 MOD 11-2 over the whole number (the check digit included) leaves 1.
        if mod_11_2.checksum(number) != 1:
            raise FieldError("校验位错误")
        try:
            birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            raise FieldError("出生日期无效") from None
    if birth.year < 1900:
        raise FieldError("出生日期无效")
    if birth > (today or date.today()):
        raise FieldError("出生日期晚于今天")
    return number, birth


def _id_number_text(value, long_form: bool) -> str:
    """The general path of normalize_id_number up to (not including) the check digit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError("证件号码不能为空")
    if _is_number(value):
        # Excel keeps 15 significant digits, so an 18-digit number cell has lost its tail.
        if long_form or isinstance(value, float) and not (value.is_integer() and abs(value) < 1e15):
            raise FieldError(_NUMERIC_ID_MESSAGE)
    number = _compact(value).upper()
    if _SCIENTIFIC.fullmatch(number):
        # The same loss, seen as text after someone copied the displayed value.
        raise FieldError(_NUMERIC_ID_MESSAGE)
    if not long_form:
        if not _OTHER_ID.fullmatch(number):
            raise FieldError("证件号码应为5至30位字母或数字")
        return number
    if len(number) != 18:
        raise FieldError("证件号码应为18位")
    if not _ID18.fullmatch(number):
        raise FieldError("证件号码前17位应为数字，最后一位为数字或X")
    return number


def id15_to_18(value) -> str | None:
    """A first-generation 15-digit ID number (text or number) in its 18-digit form, else None:
    ``19`` goes before the two-digit year and the check digit is computed (GB 11643)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    if not isinstance(value, str):
        return None
    text = _compact(value) if not (len(value) == 15 and value.isdigit()) else value
    if len(text) != 15 or not text.isdigit():
        return None
    body = text[:6] + "19" + text[6:]
    return body + mod_11_2.calc_check_digit(body)


def birth_date_from_id(id_number) -> date:
    """Birth date in characters 7-14 of an 18-character ID (ValueError if not a date)."""
    text = str(id_number)
    return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def gender_from_id(id_number) -> str:
    """The 17th digit of an 18-character ID: odd 男, even 女."""
    return "男" if int(str(id_number)[16]) % 2 else "女"


def normalize_gender(value) -> str | None:
    """男/女 (also 男性/女性, M/F in any case); blank -> None."""
    if value is None:
        return None
    if value.__class__ is str and value in _GENDERS:
        return value
    text = _compact(value).upper() if clean_text(value) is not None else ""
    if not text:
        return None
    if text not in _GENDER_ALIASES:
        raise FieldError("性别应为“男”或“女”")
    return _GENDER_ALIASES[text]


def normalize_political_status(value) -> str | None:
    """One of POLITICAL_STATUSES, an alias (党员, 民盟…), a national name or code; blank -> None."""
    if value is None:
        return None
    if value.__class__ is str and value in _POLITICAL_SET:
        return value
    text = _SPACES.sub("", clean_text(value) or "")
    if not text:
        return None
    text = _POLITICAL_ALIASES.get(text, text)
    if text not in _POLITICAL_SET:
        code = _national_codes.find("political_status", value)
        text = _POLITICAL_BY_CODE.get(code, text)
    if text not in _POLITICAL_SET:
        raise FieldError("政治面貌应为以下之一：" + "、".join(POLITICAL_STATUSES))
    return text


def split_team_names(value) -> list[str]:
    """Team names from '甲队、乙队,丙队' (or a list from a multi-select), de-duplicated in order."""
    if value.__class__ is str:
        # A roster names the same few teams over and over: split each spelling once.
        names = _team_memo.get(value)
        if names is None:
            names = tuple(_split_team_names([value]))
            if len(_team_memo) >= _MEMO_LIMIT:
                _team_memo.clear()
            _team_memo[value] = names
        return list(names)
    return _split_team_names(value if isinstance(value, (list, tuple)) else [value])


def _split_team_names(parts) -> list[str]:
    names: list[str] = []
    for part in parts:
        for piece in _TEAM_SPLIT.split(clean_text(part) or ""):
            name = clean_text(piece)
            if name and name not in names:
                names.append(name)
    return names


Issues = list[tuple[str, str]]  # (canonical column name, message)


# Free-text columns and the longest text each may hold (the database columns' sizes).
TEXT_LIMITS = {"education": 50, "employer": 200, "community": 100, "skills": 200, "note": 2000,
               "national_no": 50}


# The usual empty cells: None from a form or the database, '' from a spreadsheet.
_EMPTY = (None, "")
# Cells whose text is never blank (a date, a number): no need to print them to find out.
_NEVER_BLANK = frozenset((date, datetime, time, int, float, bool))


def _blank(value) -> bool:
    """``clean_text(value) is None``, without the call for the usual cells (None, text, dates)."""
    if value is None:
        return True
    if value.__class__ is str:
        return not value.strip()
    if value.__class__ in _NEVER_BLANK:
        return False
    return clean_text(value) is None


_TEXT_FIELDS = tuple((key, limit, COLUMN_NAMES[key]) for key, limit in TEXT_LIMITS.items())


def validate_volunteer(fields: dict, *, today: date) -> tuple[dict, Issues, Issues]:
    """Check one volunteer record as a whole (web form and Excel import alike).

    ``fields`` uses the canonical keys of COLUMN_NAMES with raw values; a missing
    key counts as empty. Returns ``(cleaned, errors, warnings)``: ``cleaned`` has
    every canonical key with its normalized value (None when empty or invalid);
    errors and warnings are ``(column name, message)`` pairs, all of them, not just
    the first. Whether the teams exist is for the caller to check.
    """
    # Written out field by field in local variables (no helper closure per check, the result
    # dict built once at the end): an import runs this once per row.
    get = fields.get
    errors: Issues = []
    warnings: Issues = []
    name = id_type = number = phone = gender = birth_date = political_status = None
    guardian_name = guardian_phone = None

    try:
        name = normalize_name(get("name"))
    except FieldError as exc:
        errors.append(("姓名", exc.message))
    try:
        id_type = normalize_id_type(get("id_type"))
    except FieldError as exc:
        errors.append(("证件类型", exc.message))
    raw_number = get("id_number")
    id_birth = None  # the birth date an 18-character number carries
    if (id_type or DEFAULT_ID_TYPE) in _ID18_TYPE_SET and (upgraded := id15_to_18(raw_number)):
        warnings.append(("证件号码", f"由15位证件号码转换为18位：{upgraded}"))
        raw_number = upgraded
    if id_type or raw_number in _EMPTY or _blank(raw_number):  # an unknown type: no rule to check the number by
        try:
            number, id_birth = _id_number(raw_number, id_type or DEFAULT_ID_TYPE, today)
        except FieldError as exc:
            errors.append(("证件号码", exc.message))
    try:
        phone = normalize_phone(get("phone"))
    except FieldError as exc:
        errors.append(("手机号码", exc.message))
    raw_gender = get("gender")
    try:
        gender = normalize_gender(raw_gender)
    except FieldError as exc:
        errors.append(("性别", exc.message))
    raw_birth = get("birth_date")
    birth_blank = raw_birth.__class__ is not date and (raw_birth in _EMPTY or _blank(raw_birth))
    if not birth_blank:
        try:
            birth_date = raw_birth if raw_birth.__class__ is date else parse_date(raw_birth, field="出生日期")
        except FieldError as exc:
            months = year_months(raw_birth)
            if months and id_birth and (id_birth.year, id_birth.month) in months:
                birth_blank = True  # a year and month that agree with the ID: the ID gives the day
            else:
                errors.append(("出生日期", exc.message))
        if birth_date and birth_date > today:
            errors.append(("出生日期", "出生日期晚于今天"))
            birth_date = None
    birth = birth_date
    if id_type in _ID18_TYPE_SET and number:
        # The ID is authoritative: fill in what is missing, report what disagrees.
        id_gender, birth = gender_from_id(number), id_birth
        if raw_gender in _EMPTY or _blank(raw_gender):
            gender = id_gender
        elif gender and gender != id_gender:
            errors.append(("性别", f"性别与证件号码不符（证件号码显示为{id_gender}）"))
        if birth_blank:
            birth_date = birth
        elif birth_date and birth_date != birth:
            errors.append(("出生日期", f"出生日期与证件号码不符（证件号码显示为{birth.isoformat()}）"))
    elif id_type and id_type not in _ID18_TYPE_SET:
        # These numbers carry neither, so the record itself must state them.
        for column, missing in (("性别", _blank(raw_gender)), ("出生日期", birth_blank)):
            if missing:
                errors.append((column, f"证件类型为{id_type}时必须填写{column}"))

    raw_guardian, raw_guardian_phone = get("guardian_name"), get("guardian_phone")
    guardian_blank = raw_guardian in _EMPTY or _blank(raw_guardian)
    guardian_phone_blank = raw_guardian_phone in _EMPTY or _blank(raw_guardian_phone)
    if not guardian_blank:
        try:
            guardian_name = normalize_name(raw_guardian, field="监护人姓名")
        except FieldError as exc:
            errors.append(("监护人姓名", exc.message))
    if not guardian_phone_blank:
        try:
            guardian_phone = normalize_phone(raw_guardian_phone, field="监护人电话")
        except FieldError as exc:
            errors.append(("监护人电话", exc.message))
    if birth and birth.year > today.year - 19:  # born earlier, 18 or older whatever the day
        age = age_on(birth, today)
        if age < 14:  # guardian consent; a bad value was reported above
            for column, missing in (("监护人姓名", guardian_blank), ("监护人电话", guardian_phone_blank)):
                if missing:
                    errors.append((column, f"未满14周岁，须填写{column}"))
        if age < 18:
            warnings.append(("出生日期", f"未满18周岁（{age}岁）"))

    try:
        political_status = normalize_political_status(get("political_status"))
    except FieldError as exc:
        errors.append(("政治面貌", exc.message))
    teams = split_team_names(get("teams"))
    texts = {}
    for key, limit, column in _TEXT_FIELDS:
        value = get(key)
        if value is not None:
            value = (value.strip() or None) if value.__class__ is str and value.isprintable() else clean_text(value)
            if value is not None and len(value) > limit:
                errors.append((column, f"{column}不能超过{limit}个字"))
                value = None
        texts[key] = value
    registered_on = today
    raw_registered = get("registered_on")
    if raw_registered.__class__ is date or (raw_registered not in _EMPTY and not _blank(raw_registered)):
        try:
            registered_on = (raw_registered if raw_registered.__class__ is date
                             else parse_date(raw_registered, field="注册日期"))
        except FieldError as exc:
            errors.append(("注册日期", exc.message))
    cleaned = {"name": name, "gender": gender, "id_type": id_type, "id_number": number, "phone": phone,
               "birth_date": birth_date, "political_status": political_status, "education": texts["education"],
               "employer": texts["employer"], "community": texts["community"], "teams": teams,
               "skills": texts["skills"], "guardian_name": guardian_name, "guardian_phone": guardian_phone,
               "registered_on": registered_on, "note": texts["note"],
               "national_no": texts["national_no"]}
    return cleaned, errors, warnings
