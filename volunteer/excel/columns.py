"""Column definitions of the Excel import/export files (CONTRACT section 4).

Each kind of file ("volunteers", "teams", "hours") is an ordered list of
:class:`Column` entries: the canonical Chinese header, an English key used in
code, whether the column is required, and the accepted aliases.  Hours files
need at least one of 证件号码 / 手机号码, expressed as a ``one_of`` group.

Also holds the fixed value lists offered as drop-downs in templates.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Column(NamedTuple):
    """One known column: canonical header, key, required flag, aliases."""

    header: str
    key: str
    required: bool = False
    aliases: tuple[str, ...] = ()


class KindSpec(NamedTuple):
    """All columns of one kind of file plus its header-row anchor."""

    name: str
    anchor: str
    columns: tuple[Column, ...]
    one_of: tuple[tuple[str, ...], ...] = ()

    def column(self, key: str) -> Column:
        """Return the column with this key (KeyError when unknown)."""
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        """Column keys in canonical order."""
        return tuple(col.key for col in self.columns)

    @property
    def headers(self) -> tuple[str, ...]:
        """Canonical headers in canonical order."""
        return tuple(col.header for col in self.columns)


ID_NUMBER_ALIASES = ("身份证号", "身份证号码", "证件号")
PHONE_ALIASES = ("手机", "手机号", "联系电话", "联系方式")
TEAM_ALIASES = ("队伍", "志愿服务队", "所属志愿服务队")

VOLUNTEER_COLUMNS = (
    Column("姓名", "name", True),
    Column("性别", "gender"),
    Column("证件类型", "id_type"),
    Column("证件号码", "id_number", True, ID_NUMBER_ALIASES),
    Column("手机号码", "phone", True, PHONE_ALIASES),
    Column("出生日期", "birth_date"),
    Column("政治面貌", "political_status"),
    Column("文化程度", "education", False, ("学历",)),
    Column("工作单位", "employer"),
    Column("居住社区", "community", False, ("所属居委", "社区")),
    Column("所属队伍", "teams", False, TEAM_ALIASES),
    Column("服务特长", "skills", False, ("特长",)),
    Column("监护人姓名", "guardian_name"),
    Column("监护人电话", "guardian_phone"),
    Column("注册日期", "registered_on"),
    Column("备注", "note"),
    # Its own column; a file's 志愿者编号 stays unused (anyone's numbering), so no alias.
    Column("全国志愿者编号", "national_no"),
)

TEAM_COLUMNS = (
    Column("队伍名称", "name", True),
    Column("队伍类型", "kind", True),
    Column("所属阵地", "position"),
    Column("队长姓名", "leader_name"),
    Column("队长手机", "leader_phone"),
    Column("服务类别", "category"),
    Column("成立日期", "founded_on"),
    Column("简介", "description"),
)

# Hours files reuse the volunteer aliases for the columns they share.
HOURS_COLUMNS = (
    Column("姓名", "name", True),
    Column("证件号码", "id_number", False, ID_NUMBER_ALIASES),
    Column("手机号码", "phone", False, PHONE_ALIASES),
    Column("所属队伍", "team", True, TEAM_ALIASES),
    Column("活动名称", "activity", True),
    Column("服务类别", "category"),
    Column("活动日期", "service_date", True),
    Column("开始时间", "start_time"),
    Column("结束时间", "end_time"),
    Column("服务时长", "hours", True),
    Column("备注", "note"),
)

KINDS: dict[str, KindSpec] = {
    "volunteers": KindSpec("volunteers", "姓名", VOLUNTEER_COLUMNS),
    "teams": KindSpec("teams", "队伍名称", TEAM_COLUMNS),
    "hours": KindSpec("hours", "姓名", HOURS_COLUMNS, (("id_number", "phone"),)),
}

# Training, commendations and evaluations (CONTRACT section 10): one row per person. The keys of
# the merit columns are merits.rules' field names where they share one (title, hours, note...).
_PERSON_COLUMNS = (
    Column("姓名", "name", True),
    Column("证件号码", "id_number", False, ID_NUMBER_ALIASES),
    Column("手机号码", "phone", False, PHONE_ALIASES),
)
TRAINING_COLUMNS = _PERSON_COLUMNS + (
    Column("培训主题", "title", True, ("培训名称", "培训内容")),
    Column("培训日期", "held_on", True),
    Column("学时", "hours", True, ("培训学时", "培训时长")),
    Column("培训类型", "training_kind"),
    Column("培训方式", "training_mode"),
    Column("组织者", "organiser", False, ("组织单位", "主办单位", "培训单位")),
    Column("所属队伍", "team", False, TEAM_ALIASES),
    Column("备注", "note"),
)
COMMENDATION_COLUMNS = _PERSON_COLUMNS + (
    Column("表彰名称", "title", True, ("荣誉名称", "奖项名称", "荣誉称号")),
    Column("表彰级别", "level", False, ("级别", "荣誉级别")),
    Column("表彰日期", "awarded_on", True, ("授予日期", "获奖日期")),
    Column("授予单位", "awarded_by", False, ("颁发单位", "表彰单位")),
    Column("备注", "note"),
)
EVALUATION_COLUMNS = _PERSON_COLUMNS + (
    Column("所属队伍", "team", True, TEAM_ALIASES),
    Column("活动名称", "activity", True),
    Column("活动日期", "service_date", True),
    Column("守时", "punctuality", True),
    Column("服务态度", "attitude", True),
    Column("专业水平", "skill", True),
    Column("评语", "comment", False, ("评价内容",)),
)
KINDS.update({
    "training": KindSpec("training", "姓名", TRAINING_COLUMNS, (("id_number", "phone"),)),
    "commendations": KindSpec("commendations", "姓名", COMMENDATION_COLUMNS, (("id_number", "phone"),)),
    "evaluations": KindSpec("evaluations", "姓名", EVALUATION_COLUMNS, (("id_number", "phone"),)),
})

# \s covers Unicode white space (U+3000, NBSP, line breaks); add zero-width marks.
_SPACE_RE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")


# A trailing bracketed note: （必填） (必填) （小时） (元) 【…】.
_NOTE_RE = re.compile(r"[（(【\[][^（）()【】\[\]]*[）)】\]]$")


def normalize_header(text: object) -> str:
    """Normalise a header cell for matching.

    Removes all white space (full-width spaces and line breaks included), trailing ``*`` /
    ``＊`` marks and trailing bracketed notes (``姓名（必填）*`` -> ``姓名``), so a header the
    user sees as 姓名 is 姓名.  Non-text values give ``""``.
    """
    if not isinstance(text, str):
        return ""
    text = _SPACE_RE.sub("", text)
    while True:
        stripped = _NOTE_RE.sub("", text.rstrip("*＊"))
        if stripped == text or not stripped:
            return stripped or text
        text = stripped


def get_kind(kind: str) -> KindSpec:
    """Return the :class:`KindSpec` for ``kind`` (ValueError when unknown)."""
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {sorted(KINDS)}") from None


def header_lookup(kind: str) -> dict[str, str]:
    """Map every accepted (normalised) header and alias of ``kind`` to its key."""
    return {name: key for name, (key, _rank) in header_ranks(kind).items()}


def header_ranks(kind: str) -> dict[str, tuple[str, int]]:
    """Map every accepted (normalised) header and alias of ``kind`` to (key, rank).

    Rank 0 is the canonical header, then each alias in its listed order: when several file
    columns could be one field, the lowest rank wins (CONTRACT section 4).
    """
    ranks: dict[str, tuple[str, int]] = {}
    for col in get_kind(kind).columns:
        for rank, name in enumerate((col.header, *col.aliases)):
            ranks.setdefault(normalize_header(name), (col.key, rank))
    return ranks


def kind_fit(header: list, kind: str) -> tuple[bool, int]:
    """How well a header row fits ``kind``: (every required column present, fields matched)."""
    spec, ranks = get_kind(kind), header_ranks(kind)
    keys = {ranks[name][0] for name in map(normalize_header, header) if name in ranks}
    complete = all(c.key in keys for c in spec.columns if c.required) and \
        all(any(k in keys for k in group) for group in spec.one_of)
    return complete, len(keys)


def better_kind(header: list, kind: str, allowed) -> str | None:
    """Another kind (of ``allowed``) whose columns the header has all of, and more of than ``kind``'s:
    a roster uploaded as 服务时长, say.  None when ``kind`` fits best."""
    mine, best = kind_fit(header, kind), None
    for other in allowed:
        fit = kind_fit(header, other) if other != kind else (False, 0)
        if fit[0] and fit > mine and (best is None or fit > best[1]):
            best = (other, fit)
    return best[0] if best else None
