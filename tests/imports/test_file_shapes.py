"""The upload page reads the shapes offices have: a GBK CSV, the column mapping on the preview,
an empty template told as such (CONTRACT section 4)."""

from __future__ import annotations

from tests.imports.helpers import id_number, workbook_bytes
from tests.imports.test_routes import text, token_of, upload


def preview(client, kind, data, name):
    return text(client.get(f"/imports/{token_of(upload(client, kind, data, name))}"))


def test_gbk_csv_preview_shows_column_mapping(client, login_as):
    login_as("office")
    rows = [["序号", "姓名", "身份证号码", "手机号码"], ["1", "张三", id_number(), "13800000000"]]
    data = "\r\n".join(",".join(r) for r in rows).encode("gbk")
    body = preview(client, "volunteers", data, "花名册.csv")
    assert "共 1 行数据" in body and "文件中的列与系统字段的对应" in body
    assert "身份证号码" in body and "证件号码" in body and "不导入" in body


def test_empty_template_says_there_are_no_data_rows(client, login_as):
    login_as("office")
    data = workbook_bytes({"志愿者": [["姓名", "证件号码", "手机号码"]]})
    body = preview(client, "volunteers", data, "模板.xlsx")
    assert "文件中没有数据行" in body and "逐行填写" in body


def test_file_picker_accepts_the_new_formats(client, login_as):
    login_as("office")
    body = client.get("/imports/").get_data(as_text=True)
    assert 'accept=".xlsx,.xlsm,.xls,.et,.ods,.csv"' in body
