"""Download templates for the imports (volunteers, teams, hours; training, commendations, evaluations).

Sheet 1 is the data sheet: canonical headers on row 1 (required ones marked
``*``, which the reader accepts), ID/phone/date columns formatted as text,
and drop-down lists.  Sheet 2 ``填写说明`` holds one rule per row.  Drop-down
lists too long to be written inline (Excel caps an inline list at 255
characters) refer to a range on the hidden sheet ``_lists``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from ..merits.models import COMMENDATION_LEVELS, TRAINING_KINDS, TRAINING_MODES
from ..teams.models import TEAM_KINDS
from ..volunteers.validators import GENDERS, ID_TYPES, POLITICAL_STATUSES
from .columns import get_kind

DATA_SHEETS = {"volunteers": "志愿者花名册", "teams": "队伍", "hours": "服务时长", "training": "培训记录",
               "commendations": "表彰记录", "evaluations": "服务评价"}
INSTRUCTIONS_SHEET = "填写说明"
LISTS_SHEET = "_lists"
TEMPLATE_ROWS = 2000  # data rows pre-formatted cell by cell (the column default covers the rest)
LAST_ROW = 1_048_575  # drop-downs cover the whole column (0-based last row)
INLINE_LIST_MAX = 255
SCORES = ["5", "4", "3", "2", "1"]

TEXT_KEYS = {"id_number", "phone", "guardian_phone", "leader_phone", "national_no",
             "birth_date", "registered_on", "founded_on", "service_date", "held_on", "awarded_on"}
WIDE_KEYS = {"id_number": 22, "teams": 28, "team": 26, "activity": 26, "employer": 20,
             "description": 30, "note": 24, "name": 12, "title": 24, "comment": 30}

COMMON_RULES = [
    "表头在第1行，请勿修改、删除表头；带 * 的列为必填列，其余列可留空。",
    "每行填写一条记录，中间可以有空行（导入时忽略）；不要合并单元格。",
    "日期可写为 1990-01-05、1990/1/5、1990.01.05、1990年1月5日 或 19900105。",
    "所有文字按原样保存；以 = + - @ 开头的内容不会被当作公式。",
    "文件须为 .xlsx 格式，不超过 20 MB，每个工作表不超过 200,000 行数据。",
]
RULES = {
    "volunteers": [
        "姓名*：填写真实姓名，姓名中的空格会被去掉，“·”保留。",
        "证件类型：默认为居民身份证；可选 " + "、".join(ID_TYPES) + "。",
        "证件号码*：居民身份证为18位，末位可为 X，须通过校验位检查；请把该列设为“文本”格式，"
        "否则 Excel 会把长数字变成 3.10104E+17 而丢失末几位。",
        "其他证件（护照等）：5–30 位字母或数字，此时性别和出生日期必填。",
        "性别、出生日期：可留空，由身份证号码自动得出；填写时须与身份证号码一致。",
        "手机号码*：11位大陆手机号（以1开头），可带空格、短横线或 +86；家庭成员可共用一个号码。",
        "政治面貌：" + "、".join(POLITICAL_STATUSES) + "。",
        "所属队伍：填写系统中已有的队伍名称，加入多个队伍时用“、”分隔。",
        "未满14周岁的志愿者须填写监护人姓名和监护人电话（监护人同意）；未满18周岁会给出提示。",
        "注册日期：留空则为导入当天。",
        "同一证件号码在文件中出现两次时，后一行会被拒绝；已登记的志愿者按文件中非空的内容更新。",
    ],
    "teams": [
        "队伍名称*：每支队伍一行，名称不可重复。",
        "队伍类型*：" + "、".join(TEAM_KINDS) + "，三选一。",
        "所属阵地：填写站点名称，系统中没有的站点会自动新建。",
        "队长手机：11位大陆手机号。",
        "成立日期：按上面的日期格式填写。",
    ],
    "hours": [
        "每行是一名志愿者参加一次活动的服务时长。",
        "姓名*：须与系统中登记的姓名一致。",
        "证件号码、手机号码：至少填写一项，用于找到志愿者；只填手机号码时按手机号码和姓名一起查找。",
        "所属队伍*：组织该活动的队伍，须为系统中已有的队伍；志愿者不必是该队伍成员。",
        "活动名称*、活动日期*：同一队伍、同一名称、同一日期视为同一次活动，系统中没有时自动新建。",
        "服务类别：可从下拉列表中选择，也可填写新的类别。",
        "开始时间、结束时间：如 09:00、11:30，可留空。",
        "服务时长*：以小时为单位的数字（如 2 或 1.5），大于0且不超过24；"
        "同时填写开始和结束时间时，不能超过两者之差。不要写“2小时”。",
        "同一志愿者在同一活动中只能有一行；已锁定月份的记录不能导入。",
    ],
    "training": [
        "每行是一名志愿者参加一次培训。",
        "姓名*：须与系统中登记的姓名一致。",
        "证件号码、手机号码：至少填写一项，用于找到志愿者；只填手机号码时按手机号码和姓名一起查找。",
        "培训主题*、培训日期*：同一队伍（或都不填队伍）、同一主题、同一日期视为同一次培训，系统中没有时自动新建。",
        "学时*：以小时为单位的数字（如 2 或 1.5），大于0。同一次培训以第一行的学时、类型、方式、组织者为准。",
        "培训类型：" + "、".join(TRAINING_KINDS) + "（默认通用）；培训方式：" + "、".join(TRAINING_MODES) + "（默认面授）。",
        "所属队伍：组织培训的队伍，须为系统中已有的队伍；分中心组织的培训留空。",
        "已登记参加该培训的人员不会重复登记。",
    ],
    "commendations": [
        "每行是一名志愿者获得的一项表彰。",
        "姓名*：须与系统中登记的姓名一致。",
        "证件号码、手机号码：至少填写一项，用于找到志愿者；只填手机号码时按手机号码和姓名一起查找。",
        "表彰级别：" + "、".join(COMMENDATION_LEVELS) + "（默认其他）。",
        "同一人、同一表彰名称、同一日期已登记时不重复登记；级别或授予单位不同时该行被拒绝，请在系统中作废后重新登记。",
    ],
    "evaluations": [
        "每行评价一名志愿者在一次活动中的服务（须已有该服务记录）。",
        "姓名*：须与系统中登记的姓名一致。",
        "证件号码、手机号码：至少填写一项，用于找到志愿者；只填手机号码时按手机号码和姓名一起查找。",
        "所属队伍*、活动名称*、活动日期*：与服务记录中的活动一致。",
        "守时*、服务态度*、专业水平*：1 到 5 的整数（5 为最好）。",
        "已评价的服务记录再次导入时，新的评价取代原评价（原评价作废并保留）。",
    ],
}


def build_template(kind: str, target: str | Path | BinaryIO, *,
                   team_names: list[str] | None = None, categories: list[str] | None = None) -> None:
    """Write the import template of ``kind`` to ``target`` (path or binary file).

    ``team_names`` feed the 所属队伍 drop-down and ``categories`` the 服务类别
    drop-down (both also allow other values: several teams, new categories).
    """
    spec = get_kind(kind)
    book = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    try:
        head_fmt = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        req_fmt = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "font_color": "#C00000"})
        text_fmt = book.add_format({"num_format": "@"})
        data = book.add_worksheet(DATA_SHEETS[kind])
        notes = book.add_worksheet(INSTRUCTIONS_SHEET)
        lists = _ListSheet(book)
        choices = {
            "gender": (list(GENDERS), True), "id_type": (list(ID_TYPES), True),
            "political_status": (list(POLITICAL_STATUSES), True), "kind": (list(TEAM_KINDS), True),
            "teams": (list(team_names or []), False), "team": (list(team_names or []), False),
            "category": (list(categories or []), False),
            "training_kind": (list(TRAINING_KINDS), True), "training_mode": (list(TRAINING_MODES), True),
            "level": (list(COMMENDATION_LEVELS), True), "punctuality": (SCORES, True), "attitude": (SCORES, True),
            "skill": (SCORES, True),
        }
        for col, column in enumerate(spec.columns):
            header = column.header + ("*" if column.required else "")
            width = WIDE_KEYS.get(column.key, max(10, 2 * len(column.header) + 4))
            data.set_column(col, col, width, text_fmt if column.key in TEXT_KEYS else None)
            data.write_string(0, col, header, req_fmt if column.required else head_fmt)
            if column.key in TEXT_KEYS:
                for row in range(1, TEMPLATE_ROWS + 1):
                    data.write_blank(row, col, None, text_fmt)
            if column.key in choices and choices[column.key][0]:
                items, strict = choices[column.key]
                _add_dropdown(data, col, column.header, items, strict, lists)
        data.freeze_panes(1, 0)
        data.activate()
        notes.set_column(0, 0, 110)
        notes.write_string(0, 0, "填写说明", head_fmt)
        for row, rule in enumerate(COMMON_RULES + RULES[kind], start=1):
            notes.write_string(row, 0, f"{row}. {rule}")
        lists.finish()
    finally:
        book.close()


class _ListSheet:
    """The hidden sheet holding long drop-down lists, one column per list."""

    def __init__(self, book: Any):
        self.book, self.sheet, self.next_col = book, None, 0

    def range_for(self, items: list[str]) -> str:
        """Write ``items`` into the next column and return an absolute range reference."""
        if self.sheet is None:
            self.sheet = self.book.add_worksheet(LISTS_SHEET)
        col = self.next_col
        self.next_col += 1
        for row, item in enumerate(items):
            self.sheet.write_string(row, col, item)
        first = xl_rowcol_to_cell(0, col, row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(len(items) - 1, col, row_abs=True, col_abs=True)
        return f"='{LISTS_SHEET}'!{first}:{last}"

    def finish(self) -> None:
        """Hide the sheet (when any list needed it)."""
        if self.sheet is not None:
            self.sheet.hide()


def _add_dropdown(ws: Any, col: int, title: str, items: list[str], strict: bool, lists: _ListSheet) -> None:
    """List validation on the column's data rows; inline when short, else a _lists range.

    ``strict`` lists reject other values; the others (teams, categories) only
    suggest, since several teams or a new category are allowed.
    """
    items = list(dict.fromkeys(str(i) for i in items if str(i).strip()))
    inline = ",".join(items)
    options: dict[str, Any] = {"validate": "list", "ignore_blank": True}
    if len(inline) <= INLINE_LIST_MAX and not any("," in i or '"' in i for i in items):
        options["source"] = items
    else:
        options["source"] = lists.range_for(items)
    if strict:
        options.update(error_title=title, error_message=f"请从下拉列表中选择{title}")
    else:
        options["show_error"] = False
    ws.data_validation(1, col, LAST_ROW, col, options)
