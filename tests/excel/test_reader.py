"""Tests for volunteer.excel.reader: samples, messy layouts and unusable files."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl.styles import Font, PatternFill

from volunteer.excel import reader
from volunteer.excel.columns import KINDS, header_lookup, normalize_header
from volunteer.excel.reader import read_table
from volunteer.excel.vetting import FatalImportError, Limits

VOLUNTEER_HEADER = ["姓名", "证件号码", "手机号码", "所属队伍", "备注"]


def fatal(source, kind="volunteers", **kw) -> str:
    with pytest.raises(FatalImportError) as info:
        read_table(source, kind, **kw)
    assert str(info.value) == info.value.reason
    return info.value.reason


@pytest.fixture
def no_calamine(monkeypatch):
    """Fail the test if the workbook reaches calamine (checks must come first)."""

    class Boom:
        @staticmethod
        def from_filelike(*_a, **_k):
            raise AssertionError("calamine must not be reached")

    monkeypatch.setattr(reader, "CalamineWorkbook", Boom)


# --- the shared samples ---------------------------------------------------------------

def test_volunteers_sample(fixtures_dir, expected):
    exp = expected["volunteers"]
    table = read_table(fixtures_dir / exp["file"], "volunteers")
    assert (table.sheet, table.header_row) == (exp["sheet"], exp["header_row"])
    numbers = [row.number for row in table.rows]
    assert numbers == sorted(exp["good_rows"] + [int(n) for n in exp["bad_rows"]])
    assert table.rows_count == len(numbers) == 37
    by_number = {row.number: row.values for row in table.rows}
    assert by_number[2]["name"] == "陶超怡"
    assert by_number[2]["id_number"] == "310104196708230743"
    assert by_number[2]["birth_date"] == dt.date(1967, 8, 23)
    assert by_number[33]["name"] is None  # the missing-name row is still a data row
    assert by_number[2]["skills"] is None and "skills" in table.missing
    notes = {row.values["note"]: row for row in table.rows if row.values["note"]}
    assert exp["formula_text"]["备注"] in notes
    row = notes[exp["formula_text"]["备注"]]
    assert row.values["employer"] == exp["formula_text"]["工作单位"]
    people = {(r.values["name"], r.values["id_number"]) for r in table.rows}
    for person in exp["people"]:
        assert any(name == person["name"] and str(idn).upper() == person["id"] for name, idn in people)


def test_hours_sample(fixtures_dir, expected):
    exp = expected["hours"]
    table = read_table(fixtures_dir / exp["file"], "hours")
    assert (table.sheet, table.header_row) == ("服务时长", 1)
    assert [r.number for r in table.rows] == sorted(exp["good_rows"] + [int(n) for n in exp["bad_rows"]])
    first = table.rows[0].values
    assert first["name"] == "何洋伟" and first["team"] == "乙锦绣居委志愿服务队"
    assert first["service_date"] == dt.date(2026, 1, 3)
    assert (first["start_time"], first["end_time"]) == (dt.time(9), dt.time(12))
    assert first["hours"] == 2.0 and first["phone"] is None


def test_teams_sample(fixtures_dir, expected):
    exp = expected["teams"]
    table = read_table((fixtures_dir / exp["file"]).read_bytes(), "teams")
    assert table.header_row == 1
    assert {r.values["name"]: r.values["kind"] for r in table.rows} == exp["kinds"]


def test_sources_path_str_bytes_and_file_object(fixtures_dir):
    path = fixtures_dir / "teams.xlsx"
    results = [read_table(src, "teams") for src in (path, str(path), path.read_bytes(), io.BytesIO(path.read_bytes()))]
    assert len({tuple(r.values["name"] for r in t.rows) for t in results}) == 1


# --- headers ---------------------------------------------------------------------------

def test_normalize_header():
    assert normalize_header(" 姓\u3000名 \n") == "姓名"
    assert normalize_header("证件\r\n号码＊") == "证件号码"
    assert normalize_header("手机号码 *") == "手机号码"
    assert normalize_header("姓名**") == "姓名"
    assert normalize_header("姓名（必填）*") == "姓名" and normalize_header("服务时长\n（小时）") == "服务时长"
    assert normalize_header("金额(元)") == "金额" and normalize_header("队长姓名") == "队长姓名"
    assert normalize_header(12) == ""
    assert header_lookup("volunteers")["学历"] == "education"
    assert [c.key for c in KINDS["hours"].columns if c.required] == ["name", "team", "activity", "service_date", "hours"]


def test_messy_layout_title_merged_instructions_aliases(make_xlsx):
    def setup(wb):
        ws = wb["花名册"]
        ws.merge_cells("A1:G1")
        bold = Font(bold=True)
        for col in "ABCDEFG":  # formatted-but-empty rows: 6 and 20
            ws[f"{col}6"].font = bold
            ws[f"{col}20"].fill = PatternFill("solid", fgColor="FFFF00")

    path = make_xlsx({
        "填写说明": [["填写说明"], ["姓名：必填"], ["队长姓名"]],
        "花名册": [
            ["某某社区志愿者花名册"],
            ["填报单位：乙锦绣居委", None, "填报日期：2024-05-01"],
            ["序号", " 姓 名 ", "身份证号", "联系\n电话", "所属居委＊", "学历", "队长姓名"],
            [1, "张三", "310104199001011234", "13800138000", "锦绣居委", "本科", "李四"],
            [2],  # only an unknown column filled: blank
            [None] * 7,  # row 6: formatted only
            [None, "  ", "\u3000", " ", None, None, None],  # whitespace only
            [4, "王五", 310104199001011234, 13900139000, None, None, None],
        ],
    }, setup)
    table = read_table(path, "volunteers")
    assert (table.sheet, table.header_row) == ("花名册", 3)
    assert [r.number for r in table.rows] == [4, 8]
    assert table.columns == {"name": "姓 名", "id_number": "身份证号", "phone": "联系\n电话",
                             "community": "所属居委＊", "education": "学历"}
    assert table.header_for("phone") == "联系\n电话" and table.header_for("teams") == "所属队伍"
    assert table.header[0] == "序号" and table.rows[0].cells[0] == 1
    first, second = (r.values for r in table.rows)
    assert first["name"] == "张三" and first["community"] == "锦绣居委" and first["education"] == "本科"
    assert first["teams"] is None
    assert isinstance(second["id_number"], float)  # digits lost by Excel: left for the validator
    assert second["id_number"] == pytest.approx(3.101041990010112e17)


def test_leader_name_is_not_name(make_xlsx):
    path = make_xlsx({
        "队伍": [["队长姓名", "证件号码", "手机号码"], ["李四", "x", "y"]],
        "名单": [["队长姓名"], ["姓名", "证件号码", "手机号码"], ["张三", "1", "2"]],
    })
    table = read_table(path, "volunteers")
    assert (table.sheet, table.header_row, [r.number for r in table.rows]) == ("名单", 2, [3])


def test_data_starting_in_column_c_keeps_row_and_column(make_xlsx):
    path = make_xlsx({"S": [[], [], [None, None, *VOLUNTEER_HEADER], [], [None, None, "张三", "1", "2"]]})
    table = read_table(path, "volunteers")
    assert table.header_row == 3 and [r.number for r in table.rows] == [5]
    assert dict(table.rows[0].values)["name"] == "张三" and table.rows[0].values["phone"] == "2"


def test_equal_headers_are_ambiguous_and_formula_text_kept(make_xlsx):
    path = make_xlsx({"S": [VOLUNTEER_HEADER + ["姓名"], ["甲", "1", "2", None, "=1+2", "乙"]]})
    assert "表头不明确" in fatal(path)
    path = make_xlsx({"S": [VOLUNTEER_HEADER, ["甲", "1", "2", None, "=1+2"]]})
    assert read_table(path, "volunteers").rows[0].values["note"] == "=1+2"


def test_hidden_sheet_is_not_preferred(make_xlsx):
    def setup(wb):
        wb["旧"].sheet_state = "hidden"

    path = make_xlsx({"旧": [VOLUNTEER_HEADER, ["旧人", "1", "2"]], "新": [VOLUNTEER_HEADER, ["新人", "1", "2"]]}, setup)
    assert read_table(path, "volunteers").rows[0].values["name"] == "新人"


def test_hours_needs_id_or_phone(make_xlsx):
    base = ["姓名", "所属队伍", "活动名称", "活动日期", "服务时长"]
    ok = read_table(make_xlsx({"S": [base + ["手机号码"], ["张三", "队", "活动", "2024-01-01", 2]]}), "hours")
    assert ok.rows[0].values["phone"] is None and ok.rows[0].values["hours"] == 2
    assert "id_number" in ok.missing
    reason = fatal(make_xlsx({"S": [base, ["张三", "队", "活动", "2024-01-01", 2]]}), "hours")
    assert reason.startswith("缺少必填列：") and "证件号码或手机号码" in reason


def test_missing_required_column(make_xlsx):
    assert fatal(make_xlsx({"S": [["姓名", "身份证号"], ["张三", "1"]]})) == "缺少必填列：手机号码"
    assert fatal(make_xlsx({"S": [["队伍名称"], ["甲队"]]}), "teams") == "缺少必填列：队伍类型"


def test_no_anchor_in_first_ten_rows(make_xlsx):
    rows = [["标题"]] * 10 + [VOLUNTEER_HEADER, ["张三", "1", "2"]]
    assert fatal(make_xlsx({"S": rows})) == "没有找到表头：前10行中没有“姓名”列"
    assert fatal(make_xlsx({"S": [["名称"]]}), "teams") == "没有找到表头：前10行中没有“队伍名称”列"


# --- unusable files: checked before calamine ---------------------------------------------

def test_random_bytes_and_empty(no_calamine):
    assert "不是有效的 Excel (.xlsx) 文件" in fatal(b"\x00\x93 not a workbook" * 10, file_name="a.xlsx")
    assert "无法识别" in fatal(b"\x00\x93 not a workbook" * 10)
    assert "不是有效的 Excel (.xlsx) 文件" in fatal(b"")


def test_damaged_xls_names_its_format():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)
    assert "旧版 .xls" in fatal(ole) and "文件已损坏" in fatal(ole)
    assert "WPS" in fatal(ole, file_name="名单.et")


def test_old_xls_and_encrypted(no_calamine):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)
    encrypted = ole + "EncryptionInfo".encode("utf-16-le") + bytes(64)
    assert fatal(encrypted) == "文件设有密码保护，请取消密码后再上传"


def test_truncated_zip(fixtures_dir, no_calamine):
    data = (fixtures_dir / "volunteers.xlsx").read_bytes()
    assert fatal(data[: len(data) // 2]).startswith("文件已损坏")


def test_zip_without_workbook_is_not_xlsx(no_calamine):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("content.xml", "<x/>")
    assert "不是有效的 Excel (.xlsx) 文件" in fatal(buf.getvalue())


def test_corrupted_sheet_data(fixtures_dir, replace_member):
    data = (fixtures_dir / "volunteers.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    stored = replace_member(data, {"xl/worksheets/sheet1.xml": sheet}, zipfile.ZIP_STORED)
    pos = stored.index(b"<sheetData")
    broken = stored[:pos] + b"<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>" + stored[pos + 40:]
    assert fatal(broken).startswith("文件已损坏")


def test_zip_bomb_declared_size(fixtures_dir, no_calamine):
    buf = io.BytesIO((fixtures_dir / "teams.xlsx").read_bytes())
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/media/padding.bin", "w", force_zip64=True) as fh:
            chunk = bytes(1 << 20)
            for _ in range(201):  # 201 MB of zeros, under 1 MB compressed
                fh.write(chunk)
    assert len(buf.getvalue()) < 2 * 1024 * 1024
    assert "200 MB" in fatal(buf.getvalue(), "teams")


def test_zip_bomb_compression_ratio(fixtures_dir, replace_member, no_calamine):
    data = replace_member((fixtures_dir / "teams.xlsx").read_bytes(), {"xl/media/x.bin": bytes(30 << 20)})
    assert "压缩比异常" in fatal(data, "teams")


def test_file_over_size_limit(fixtures_dir, no_calamine):
    path = fixtures_dir / "teams.xlsx"
    small = Limits(max_bytes=1000)
    for source in (path, path.read_bytes(), io.BytesIO(path.read_bytes())):
        assert "MB 的上限" in fatal(source, "teams", limits=small)


def test_declared_dimension_is_not_the_used_area(make_xlsx, replace_member):
    """A <dimension> can lie either way: one claiming 250,000 rows over two real ones is read,
    one claiming A1:E2 over a cell at Q250000 is refused before calamine."""
    data = make_xlsx({"大表": [VOLUNTEER_HEADER, ["张三", "1", "2"]]}).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:E2"' in sheet
    claims_more = sheet.replace(b'<dimension ref="A1:E2"', b'<dimension ref="A1:Q250000"')
    assert read_table(replace_member(data, {"xl/worksheets/sheet1.xml": claims_more}), "volunteers").rows_count == 1
    far = sheet.replace(b"</sheetData>", b'<row r="250000"><c r="Q250000"><v>1</v></c></row></sheetData>')
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reader, "CalamineWorkbook", None)  # never reached
        reason = fatal(replace_member(data, {"xl/worksheets/sheet1.xml": far}))
    assert reason == "工作表“大表”超过 200,000 行的上限，请拆分后分批导入"


def test_rows_counted_when_dimension_missing(make_xlsx, replace_member, no_calamine):
    data = make_xlsx({"S": [VOLUNTEER_HEADER] + [["张三", "1", "2"]] * 30}).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb"<dimension[^>]*>", b"", sheet)
    assert b"<dimension" not in sheet
    data = replace_member(data, {"xl/worksheets/sheet1.xml": sheet})
    assert "超过 5 行" in fatal(data, limits=Limits(max_rows=5))


def test_data_rows_over_limit_after_parse(make_xlsx):
    path = make_xlsx({"S": [VOLUNTEER_HEADER] + [["张三", "1", "2"]] * 4})
    assert read_table(path, "volunteers", limits=Limits(max_rows=4)).rows_count == 4
    assert "超过 3 行" in fatal(path, limits=Limits(max_rows=3))


def test_unknown_kind():
    with pytest.raises(ValueError):
        read_table(b"PK", "activities")
