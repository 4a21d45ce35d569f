"""General parsing of typed or spreadsheet values: text, names, phones, dates, times, hours.

Web forms, the Excel importers and the CLI all parse through here, so a value accepted in
one is accepted in the others. Everything works on plain values (str, int, float, date,
time, None, as they come out of a form or a cell) and raises ``FieldError`` with a Chinese
message shown to the user as is. The volunteer-specific rules (ID numbers, genders, the
enumerations) live in volunteers/validators.py on top of this.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

NAME_MAX_LENGTH = 50
# C0 control characters but tab and line breaks, and DEL: never typed on purpose (they come
# with copy-paste from odd sources), invisible everywhere, and PostgreSQL refuses NUL in text.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# \s covers U+3000 and line breaks; zero-width characters sneak in from copy-paste.
SPACES = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_PHONE_DASHES = re.compile(r"[-‐‑–—]")
# A bare '86' is only a country code when 11 digits follow (no mobile starts with 8).
_PHONE_PREFIX = re.compile(r"^(\+86|0086|86(?=\d{11}$))")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# 9:00, 09:00, 9：00 (NFKC makes it ':'), 9.30, 09:00:00; 9点, 9点30, 9点30分, 9时, 9点半.
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?")
_TIME_CHINESE = re.compile(r"(\d{1,2})[点时](?:(\d{1,2})分?|(半))?")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_MOBILE_SECOND = frozenset("3456789")
_DATE_PATTERNS = (
    re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"),
    re.compile(r"(\d{4})(年)(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})()(\d{2})(\d{2})"),
)
# '1990-01-05 00:00:00' is what str() of a datetime cell looks like.
_TIME_SUFFIX = re.compile(r"(?<=\d)[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")


class FieldError(ValueError):
    """A value the user must correct; ``message`` is shown to them verbatim."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_number(value) -> bool:
    # bool is an int subclass, but a True/False cell is never a valid number here.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def cell_text(value) -> str:
    """Text of a cell; a whole float loses its '.0' (13800138000.0 -> '13800138000')."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def compact(value) -> str:
    """Half-width (NFKC turns full-width digits, letters, '＋', '：' to ASCII), no spaces."""
    return SPACES.sub("", unicodedata.normalize("NFKC", cell_text(value)))


def clean_text(value) -> str | None:
    """Strip spaces (also full-width) at the ends and control characters; blank -> None;
    otherwise verbatim.

    Text such as ``=1+2`` is kept as typed: protecting it is the writer's job. Control
    characters (NUL and the like; tab and line breaks stay) are never meant, show as nothing,
    and PostgreSQL refuses NUL in text.
    """
    text = value if value.__class__ is str else (None if value is None else cell_text(value))
    if text is None:
        return None
    if not text.isprintable():  # rare: line breaks, tabs, control characters
        text = CONTROL_CHARACTERS.sub("", text)
    return text.strip() or None


def normalize_name(value, *, field: str = "姓名") -> str:
    """Remove every space inside a name ('张  三' -> '张三'); '·' is kept."""
    if value.__class__ is str and value.isalnum():
        name = value  # letters and digits only: no space of any kind to remove
    else:
        name = SPACES.sub("", clean_text(value) or "")
    if not name:
        raise FieldError(f"{field}不能为空")
    if len(name) > NAME_MAX_LENGTH:
        raise FieldError(f"{field}不能超过{NAME_MAX_LENGTH}个字")
    return name


def normalize_phone(value, *, field: str = "手机号码") -> str:
    """Mainland mobile number: no spaces or dashes, no +86/0086; then ^1[3-9]\\d{9}$."""
    if value.__class__ is str:
        text = value
    elif value.__class__ is float and value.is_integer() or value.__class__ is int:
        text = str(int(value))  # a number cell: 13800138000.0 -> '13800138000'
    else:
        text = ""
    if len(text) == 11 and text.isascii() and text.isdigit() and text[0] == "1" and text[1] in _MOBILE_SECOND:
        return text  # already a plain mobile number
    if clean_text(value) is None:
        raise FieldError(f"{field}不能为空")
    phone = _PHONE_DASHES.sub("", compact(value))
    phone = _PHONE_PREFIX.sub("", phone)
    if not _MOBILE.fullmatch(phone):
        raise FieldError(f"{field}格式不正确，应为以13-19开头的11位手机号")
    return phone


def parse_date(value, *, field: str = "日期") -> date:
    """A date from a date/datetime cell or text; a number only as 8-digit yyyymmdd.

    Excel serial numbers are not accepted: a date-formatted cell already arrives
    as a datetime, and a bare 32878 is more likely a typo than a date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = "" if value is None or isinstance(value, bool) else unicodedata.normalize("NFKC", cell_text(value))
    text = SPACES.sub("", _TIME_SUFFIX.sub("", text.strip()))
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match[1]), int(match[3]), int(match[4]))
            except ValueError:
                raise FieldError(f"{field}无效：{clean_text(value)} 不是实际存在的日期") from None
    raise FieldError(f"{field}格式无法识别，请填写如 1990-01-05 的日期")


def parse_time(value, *, field: str) -> time:
    """'HH:MM', 'H:MM', 'HH:MM:SS', '9.30', '9点', '9点30', '9点半' (full-width too), time/datetime
    cells, or Excel's fraction of a day."""
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, time):
        return value.replace(microsecond=0)
    seconds = None
    if isinstance(value, timedelta):
        seconds = round(value.total_seconds())
    elif is_number(value) and 0 <= value < 1:
        seconds = round(value * 86400)  # 0.375 -> 32400 s -> 09:00
    if seconds is not None and 0 <= seconds < 86400:
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    text = compact(value) if isinstance(value, str) else ""
    match = _TIME.fullmatch(text)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    elif match := _TIME_CHINESE.fullmatch(text):
        hour, minute, second = int(match[1]), 30 if match[3] else int(match[2] or 0), 0
    if match and hour < 24 and minute < 60 and second < 60:
        return time(hour, minute, second)
    raise FieldError(f"{field}格式无法识别，请填写如 9:00、09:30 或 9点30 的时间")


def time_text(value, *, field: str) -> str | None:
    """A time as people type it (9:00, 9：00, 9点, 9点30, 9.30 ...) -> 'HH:MM' as stored; blank -> None.

    Stored times are always zero-padded 'HH:MM', so they sort and compare as times, in
    Python and in SQL alike (text '9:00' would come after '11:00').
    """
    if not isinstance(value, (time, datetime, timedelta)) and not is_number(value) and clean_text(value) is None:
        return None
    return parse_time(value, field=field).strftime("%H:%M")


def age_on(birth: date, today: date) -> int:
    """Completed years on ``today`` (a 29 February birthday completes on 1 March)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def parse_hours_to_minutes(value) -> int:
    """服务时长 in hours (0 < h <= 24) -> whole minutes, rounded half up.

    Decimal arithmetic avoids float artefacts (0.1 h must give exactly 6 minutes).
    """
    if clean_text(value) is None:
        raise FieldError("服务时长不能为空")
    if is_number(value):
        # repr() is the shortest text that round-trips: 0.1 -> '0.1', not 0.1000000000000000055.
        hours = Decimal(repr(value))
        if not hours.is_finite():
            raise FieldError("服务时长必须是数字（小时）")
    else:
        text = "" if isinstance(value, bool) else compact(value)  # str, or a form's Decimal
        if not _DECIMAL.fullmatch(text):
            raise FieldError("服务时长必须是数字（小时）")
        hours = Decimal(text)
    if hours > 24:
        raise FieldError("服务时长不能超过24小时")
    if hours <= 0:  # checked before rounding: a huge negative value overflows quantize()
        raise FieldError("服务时长必须大于0")
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


def hours_of(minutes) -> float:
    """Minutes -> hours to two decimals: the one conversion every page, sheet and report shows."""
    return round((minutes or 0) / 60, 2)


# A 出生日期 given as a year and month only (the ID number supplies the day).
_YEAR_MONTH = re.compile(r"(\d{4})\s*(?:年|[./-])\s*(\d{1,2})\s*月?")


def year_months(value) -> set[tuple[int, int]]:
    """(year, month) a 出生日期 such as ``1990年1月`` / ``1990.01`` may mean; a number cell 1990.1
    may have lost a trailing zero (1990.10), so it means October as well.  Empty when not one."""
    if isinstance(value, float):
        year, _, tail = repr(value).partition(".")
        months = {int(tail)} | ({int(tail) * 10} if len(tail) == 1 else set()) if tail.isdigit() else set()
        return {(int(year), m) for m in months if 1 <= m <= 12}
    match = _YEAR_MONTH.fullmatch(value.strip()) if isinstance(value, str) else None
    return {(int(match[1]), int(match[2]))} if match and 1 <= int(match[2]) <= 12 else set()
