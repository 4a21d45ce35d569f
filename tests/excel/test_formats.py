"""The shapes offices really have (CONTRACT section 4): CSV in UTF-8 (BOM or not) and GBK read as
the same table as an .xlsx, header notes and ranks, two-row headers, footers, the column mapping."""

from __future__ import annotations

import pytest

from volunteer.excel.reader import read_table
from volunteer.excel.vetting import FatalImportError, Limits

HEADER = ["序号", "姓名", "证件号码", "手机号码", "备注"]
ROWS = [["1", "张三", "310104199001011234", "13800000000", "=1+2"],
        ["2", "李四", "31010419900101123X", "13900000000", ""]]


def csv_bytes(rows, encoding="utf-8", bom=False) -> bytes:
    text = "\r\n".join(",".join(r) for r in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def cells(table):
    return [[r.values[k] for k in ("name", "id_number", "phone", "note")] for r in table.rows]


@pytest.mark.parametrize("encoding, bom", [("utf-8", False), ("utf-8", True), ("gbk", False), ("gb18030", False)])
def test_csv_in_every_encoding_reads_like_the_xlsx(make_xlsx, encoding, bom):
    xlsx = read_table(make_xlsx({"S": [HEADER, *ROWS]}), "volunteers")
    csv = read_table(csv_bytes([HEADER, *ROWS], encoding, bom), "volunteers", file_name="名单.csv")
    assert cells(csv) == cells(xlsx) and csv.format == "csv" and csv.header_row == 1
    assert cells(csv)[1][1] == "31010419900101123X"  # all text: no number guessing


def test_csv_too_many_rows_refused_while_reading():
    data = csv_bytes([HEADER] + [ROWS[0]] * 30)
    with pytest.raises(FatalImportError, match="行的上限"):
        read_table(data, "volunteers", limits=Limits(max_rows=5))


def test_header_notes_marks_and_line_breaks(make_xlsx):
    table = read_table(make_xlsx({"S": [["姓名（必填）*", "证件号码\n(必填)", "手机号码＊", "备注（选填）"], ROWS[0][1:]]}),
                       "volunteers")
    assert table.rows[0].values["name"] == "张三" and table.rows[0].values["phone"] == "13800000000"


def test_canonical_header_wins_over_an_earlier_alias(make_xlsx):
    table = read_table(make_xlsx({"S": [["姓名", "联系电话", "手机号码", "证件号码"],
                                        ["张三", "021-6000000", "13800000000", "310104199001011234"]]}), "volunteers")
    assert table.rows[0].values["phone"] == "13800000000"
    assert table.mapping == {"姓名": "姓名", "联系电话": None, "手机号码": "手机号码", "证件号码": "证件号码"}


def test_equal_rank_is_ambiguous_naming_both(make_xlsx):
    with pytest.raises(FatalImportError) as info:
        read_table(make_xlsx({"S": [["姓名", "身份证号", "身份证号 ", "手机"], ["张三", "1", "2", "3"]]}), "volunteers")
    assert "表头不明确" in info.value.reason and info.value.reason.count("身份证号") >= 2


def test_two_row_header(make_xlsx):
    rows = [["姓名", "证件号码", "联系方式", None], [None, None, "手机", "固定电话"],
            ["张三", "310104199001011234", "13800000000", "021-6000000"]]
    table = read_table(make_xlsx({"S": rows}), "volunteers")
    assert [r.number for r in table.rows] == [3]
    assert table.rows[0].values["phone"] == "13800000000" and table.mapping["固定电话"] is None


def test_subtotal_skipped_and_footer_ends_data_with_warnings():
    rows = [HEADER, ROWS[0], ["", "小计 1人", "", "", ""], ROWS[1], ["合计 2人", "", "", "", ""],
            ["", "填表人：王五", "", "", ""], ["3", "赵六", "310104199001011234", "13700000000", ""]]
    table = read_table(csv_bytes(rows), "volunteers", file_name="a.csv")
    assert [r.number for r in table.rows] == [2, 4]
    assert [n["row"] for n in table.notices] == [3, 5]
    assert "小计" in table.notices[0]["message"] and "表尾" in table.notices[1]["message"]


def test_remap_overrides_the_guess(make_xlsx):
    path = make_xlsx({"S": [["姓名", "证件号码", "联系电话", "电话2"], ["张三", "310104199001011234", "021", "13800000000"]]})
    table = read_table(path, "volunteers", remap={"联系电话": None, "电话2": "手机号码"})
    assert table.rows[0].values["phone"] == "13800000000" and table.mapping["电话2"] == "手机号码"


def test_unknown_file_named_for_what_it_is():
    with pytest.raises(FatalImportError, match="PDF"):
        read_table(b"%PDF-1.4 xxx", "volunteers")


def test_hidden_rows_skipped_with_warning_unless_asked(make_xlsx):
    def setup(wb):
        wb["S"].row_dimensions[3].hidden = True

    path = make_xlsx({"S": [HEADER, *ROWS]}, setup)
    table = read_table(path, "volunteers")
    assert [r.number for r in table.rows] == [2] and "隐藏" in table.notices[0]["message"]
    assert [r.number for r in read_table(path, "volunteers", include_hidden=True).rows] == [2, 3]


def test_hidden_sheet_used_only_with_warning(make_xlsx):
    def setup(wb):
        wb["旧"].sheet_state = "hidden"

    table = read_table(make_xlsx({"说明": [["填写说明"]], "旧": [HEADER, ROWS[0]]}, setup), "volunteers")
    assert table.sheet == "旧" and "隐藏的工作表" in table.notices[0]["message"]


def test_cli_json_has_columns_and_include_hidden(app, tmp_path, make_xlsx):
    import json

    from volunteer.excel.commands import import_cli

    def setup(wb):
        wb["S"].row_dimensions[3].hidden = True

    path = make_xlsx({"S": [HEADER, *ROWS]}, setup)
    runner = app.test_cli_runner()
    out = runner.invoke(import_cli, ["volunteers", str(path), "--dry-run", "--json"])
    report = json.loads(out.stdout)
    assert report["columns"] == {"序号": None, "姓名": "姓名", "证件号码": "证件号码", "手机号码": "手机号码", "备注": "备注"}
    assert report["rows"] == 1 and any("隐藏" in w["message"] for w in report["warnings"])
    out = runner.invoke(import_cli, ["volunteers", str(path), "--dry-run", "--json", "--include-hidden"])
    assert json.loads(out.stdout)["rows"] == 2
