"""The rules of a training, a commendation and an evaluation, in one place for every door.

Web forms, the Excel importers and the CLI all clean values through here, so what one accepts
the others accept. Each function takes raw values (typed text, or cells: str, number, date)
keyed by field name and returns clean values, or raises ValidationFailed listing every
problem as (field, message); the importers map fields to their columns.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation, ROUND_HALF_UP

from ..errors import ValidationFailed
from ..fields import FieldError, clean_text, compact, is_number, parse_date
from .models import COMMENDATION_LEVELS, SCORES, TRAINING_KINDS, TRAINING_MODES

# A training can last days (a 40-学时 course); more than this is a typing slip.
MAX_TRAINING_HOURS = 500
TITLE_MAX = 100
COMMENT_MAX = 500

# What people type for each stored value (the stored value itself is accepted too).
KIND_ALIASES = {"通用培训": "通用", "岗位培训": "岗位", "专业培训": "专业", "通识": "通用", "通识培训": "通用"}
MODE_ALIASES = {"线下": "面授", "现场": "面授", "面授培训": "面授", "线上": "远程", "网络": "远程", "在线": "远程",
                "远程培训": "远程", "网络培训": "远程"}
LEVEL_ALIASES = {"国家": "国家级", "全国": "国家级", "省级": "省部级", "部级": "省部级", "省部": "省部级",
                 "市": "市级", "区": "区级", "县级": "区级", "区县级": "区级", "街道级": "街镇级", "镇级": "街镇级",
                 "街镇": "街镇级", "乡镇级": "街镇级", "社区级": "其他", "其它": "其他"}


def _text(values: dict, key: str, label: str, errors: list, *, required=False, limit=TITLE_MAX) -> str | None:
    text = clean_text(values.get(key))
    if text is None:
        if required:
            errors.append((key, f"请填写{label}"))
        return None
    if len(text) > limit:
        errors.append((key, f"{label}不能超过 {limit} 个字"))
    return text


def _date(values: dict, key: str, label: str, errors: list, today: date) -> date | None:
    if clean_text(values.get(key)) is None and not isinstance(values.get(key), date):
        errors.append((key, f"请填写{label}"))
        return None
    try:
        day = parse_date(values.get(key), field=label)
    except FieldError as exc:
        errors.append((key, exc.message))
        return None
    if day > today:
        errors.append((key, f"{label}不能晚于今天"))
    elif day.year < 1949:
        errors.append((key, f"{label}太早，请检查年份"))
    return day


def _choice(values: dict, key: str, label: str, errors: list, allowed, aliases: dict, default: str) -> str:
    text = compact(values.get(key)) if clean_text(values.get(key)) is not None else ""
    if not text:
        return default
    value = text if text in allowed else aliases.get(text)
    if value is None:
        errors.append((key, f"{label}“{text}”无法识别，应为{'、'.join(allowed)}之一"))
        return default
    return value


def training_minutes(value) -> int:
    """学时 in hours (a number > 0, at most MAX_TRAINING_HOURS) -> whole minutes, half up."""
    if clean_text(value) is None:
        raise FieldError("请填写学时")
    try:
        hours = Decimal(repr(value)) if is_number(value) else Decimal(compact(value))
    except InvalidOperation:
        raise FieldError("学时必须是数字（小时），如 2 或 1.5") from None
    if not hours.is_finite():
        raise FieldError("学时必须是数字（小时），如 2 或 1.5")
    if hours > MAX_TRAINING_HOURS:
        raise FieldError(f"学时不能超过 {MAX_TRAINING_HOURS} 小时")
    minutes = int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP)) if hours > 0 else 0
    if minutes <= 0:
        raise FieldError("学时必须大于 0")
    return minutes


def clean_training(values: dict, *, today: date) -> dict:
    """title, held_on, hours, kind, mode, organiser, note -> the Training's columns."""
    errors: list = []
    clean = {"title": _text(values, "title", "培训主题", errors, required=True),
             "held_on": _date(values, "held_on", "培训日期", errors, today),
             "kind": _choice(values, "kind", "培训类型", errors, TRAINING_KINDS, KIND_ALIASES, "通用"),
             "mode": _choice(values, "mode", "培训方式", errors, TRAINING_MODES, MODE_ALIASES, "面授"),
             "organiser": _text(values, "organiser", "组织者", errors),
             "note": _text(values, "note", "备注", errors, limit=COMMENT_MAX)}
    try:
        clean["minutes"] = training_minutes(values.get("hours"))
    except FieldError as exc:
        errors.append(("hours", exc.message))
    if errors:
        raise ValidationFailed(errors)
    return clean


def clean_commendation(values: dict, *, today: date) -> dict:
    """title, level, awarded_on, awarded_by, note -> the Commendation's columns."""
    errors: list = []
    clean = {"title": _text(values, "title", "表彰名称", errors, required=True),
             "level": _choice(values, "level", "表彰级别", errors, COMMENDATION_LEVELS, LEVEL_ALIASES, "其他"),
             "awarded_on": _date(values, "awarded_on", "表彰日期", errors, today),
             "awarded_by": _text(values, "awarded_by", "授予单位", errors),
             "note": _text(values, "note", "备注", errors, limit=COMMENT_MAX)}
    if errors:
        raise ValidationFailed(errors)
    return clean


def score(value, label: str) -> int:
    """One score: a whole number from 1 to 5 (a number cell 4.0 is 4)."""
    text = compact(value) if clean_text(value) is not None else ""
    if not text:
        raise FieldError(f"请为{label}打分（1–5）")
    if text.endswith("分"):
        text = text[:-1]
    if text.endswith(".0"):
        text = text[:-2]
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 5:
        raise FieldError(f"{label}应为 1 到 5 的整数")
    return int(text)


def clean_evaluation(values: dict) -> dict:
    """punctuality, attitude, skill (1–5) and comment -> the Evaluation's columns."""
    errors: list = []
    clean = {}
    for key, label in SCORES.items():
        try:
            clean[key] = score(values.get(key), label)
        except FieldError as exc:
            errors.append((key, exc.message))
    clean["comment"] = _text(values, "comment", "评语", errors, limit=COMMENT_MAX)
    if errors:
        raise ValidationFailed(errors)
    return clean
