"""Stored value -> national code and name, with the office's edits (CONTRACT section 10).

``code_for(field, value)`` is the one answer exports and pages use: the office's row in
``national_code_map`` if there is one, else ``default_code``.  ``set_code`` is the service
behind the mapping page (audited, never commits).  Local 服务类别 carry their national code in
``service_categories.national_code``; ``CATEGORY_DEFAULTS`` maps the seed's names.
"""
from __future__ import annotations

from sqlalchemy import func, select

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from . import codes
from .models import NationalCodeMap

# Volunteer field -> (column label, national table).
MAPPED_FIELDS = {
    "id_type": ("证件类型", "id_type"),
    "gender": ("性别", "gender"),
    "political_status": ("政治面貌", "political_status"),
    "education": ("文化程度", "education"),
}

# The seed's categories (and names like them) -> national 服务类别.
CATEGORY_DEFAULTS = {
    "助力创全": "0010", "疫情防控": "0004", "文明传播": "0010", "文明交通": "0011", "垃圾分类": "0006",
    "为民服务": "0001", "扶老助残": "0017", "平安守护": "0009", "社区服务": "0001", "环境保护": "0006",
    "关爱特殊群体": "0017", "应急救援": "0013", "卫生健康": "0004", "文化艺术": "0008", "支教助学": "0003",
    "交通引导": "0011", "法律服务": "0005", "科技科普": "0007", "禁毒宣传": "0014", "体育健身": "0015",
    "大型活动": "0018", "平安综治": "0009", "文明风尚": "0010", "志愿消防": "0012", "扶贫减贫": "0002",
}


def default_code(field: str, value: str | None) -> str | None:
    """The national code a stored value stands for without an edit: its name/alias, else 其他."""
    if value is None or value == "":
        return None
    table = MAPPED_FIELDS[field][1]
    return codes.find(table, value) or codes.OTHER.get(table)


def category_default(name: str) -> str:
    """The national 服务类别 of a local category name (0099 其他 when unknown)."""
    return CATEGORY_DEFAULTS.get(name) or codes.find("service_category", name) or "0099"


def overrides(field: str) -> dict[str, str]:
    """The office's rows of one field: stored value -> code."""
    rows = db.session.execute(select(NationalCodeMap.value, NationalCodeMap.code)
                              .where(NationalCodeMap.field == field))
    return dict(rows.all())


def code_for(field: str, value: str | None, table: dict[str, str] | None = None) -> str | None:
    """The national code of a stored value; pass ``overrides(field)`` as ``table`` in a loop."""
    if value is None or value == "":
        return None
    edits = overrides(field) if table is None else table
    return edits.get(value) or default_code(field, value)


def name_for(field: str, value: str | None, table: dict[str, str] | None = None) -> str | None:
    """The national name of a stored value (what exports write)."""
    return codes.name_of(MAPPED_FIELDS[field][1], code_for(field, value, table))


def mapping_rows(field: str) -> list[dict]:
    """Every value stored in ``field`` today (with its count) and its code, for the page."""
    from ..volunteers.models import Volunteer

    column = getattr(Volunteer, field)
    stored = db.session.execute(select(column, func.count()).where(column.is_not(None), column != "")
                                .group_by(column).order_by(func.count().desc(), column)).all()
    edits = overrides(field)
    rows = []
    for value, count in stored:
        code = edits.get(value) or default_code(field, value)
        rows.append({"value": value, "count": count, "code": code, "edited": value in edits,
                     "name": codes.name_of(MAPPED_FIELDS[field][1], code)})
    return rows


def set_code(actor, field: str, value: str, code: str) -> None:
    """Record that stored ``value`` of ``field`` stands for national ``code`` (audited)."""
    if field not in MAPPED_FIELDS:
        raise ServiceError("未知的字段")
    label, table = MAPPED_FIELDS[field]
    if code not in codes.NAMES[table]:
        raise ServiceError(f"“{code}”不是{codes.TABLES[table][0]}的国家代码")
    row = db.session.execute(select(NationalCodeMap).where(
        NationalCodeMap.field == field, NationalCodeMap.value == value)).scalar_one_or_none()
    before = row.code if row else default_code(field, value)
    if row is None:
        row = NationalCodeMap(field=field, value=value, code=code)
        db.session.add(row)
    else:
        row.code = code
    db.session.flush()
    record(actor, "national.map", "national_code_map", row.id,
           f"{label}“{value}”对应国家代码 {code} {codes.name_of(table, code)}",
           before={"code": before}, after={"code": code})


def set_category_code(actor, category, code: str) -> None:
    """Give a local 服务类别 its national code (audited)."""
    if code not in codes.NAMES["service_category"]:
        raise ServiceError(f"“{code}”不是国家服务类别代码")
    before = category.national_code
    category.national_code = code
    db.session.flush()
    record(actor, "national.map_category", "service_category", category.id,
           f"服务类别“{category.name}”对应国家服务类别 {code} {codes.name_of('service_category', code)}",
           before={"national_code": before}, after={"national_code": code})
