"""Hidden rows and sheets in every format that records them (.xlsx, .xls/.et, .ods): skipped with
a 隐藏 warning naming the row, read with --include-hidden (CONTRACT section 4)."""

from __future__ import annotations

import io
import struct

import pytest
from click.testing import CliRunner

from tests.imports.helpers import FIXTURES, TODAY
from volunteer.excel.commands import import_cli
from volunteer.excel.hidden import ods_hidden_rows, xls_hidden_rows
from volunteer.excel.importers import import_volunteers
from volunteer.excel.reader import read_table
from volunteer.excel.vetting import FatalImportError

HIDDEN = {"roster-hidden.xls": (4, [7, 8]), "roster-hidden.ods": (6, [9, 10])}  # first data row, hidden rows


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_hidden_rows_are_skipped_and_named(app, name):
    first, hidden = HIDDEN[name]
    data = (FIXTURES / "formats" / name).read_bytes()
    report = import_volunteers(None, data, file_name=name, dry_run=True, today=TODAY)
    assert report["sheet"] == "登记表"  # the hidden sheet 旧名单 comes first but a visible one has the header
    assert (report["rows"], report["created"], report["rejected"]) == (3, 3, 0), report["errors"]
    named = sorted(w["row"] for w in report["warnings"] if "隐藏" in w["message"])
    assert named == hidden
    assert [r.number for r in read_table(data, "volunteers", file_name=name).rows] == [first, first + 1, first + 2]


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_include_hidden_reads_them(app, name):
    data = (FIXTURES / "formats" / name).read_bytes()
    report = import_volunteers(None, data, file_name=name, dry_run=True, today=TODAY, include_hidden=True)
    assert (report["rows"], report["created"], report["rejected"]) == (5, 5, 0), report["errors"]
    assert not any("隐藏" in w["message"] and w["row"] in HIDDEN[name][1] for w in report["warnings"])


def test_cli_include_hidden_on_an_ods(app, tmp_path):
    path = FIXTURES / "formats" / "roster-hidden.ods"
    runner = CliRunner()
    plain = runner.invoke(import_cli, ["volunteers", str(path), "--dry-run", "--json"], obj=None,
                          catch_exceptions=False)
    assert '"rows": 3' in plain.stdout and "隐藏" in plain.stdout
    wide = runner.invoke(import_cli, ["volunteers", str(path), "--dry-run", "--json", "--include-hidden"],
                         catch_exceptions=False)
    assert '"rows": 5' in wide.stdout


def test_the_same_file_as_et_is_read_alike(app):
    data = (FIXTURES / "formats" / "roster-hidden.xls").read_bytes()
    report = import_volunteers(None, data, file_name="登记表.et", dry_run=True, today=TODAY)
    assert sorted(w["row"] for w in report["warnings"] if "隐藏" in w["message"]) == [7, 8]


def test_ods_repeated_rows_are_counted(app):
    assert ods_hidden_rows((FIXTURES / "formats" / "roster-hidden.ods").read_bytes(), "登记表") == {9, 10}
    assert ods_hidden_rows((FIXTURES / "formats" / "roster-hidden.ods").read_bytes(), "旧名单") == set()
    assert xls_hidden_rows((FIXTURES / "formats" / "roster-hidden.xls").read_bytes(), "旧名单", 0) == set()


def test_damaged_row_records_are_a_damaged_file_not_a_crash(app, monkeypatch):
    from volunteer.excel import hidden

    def broken(*args):
        raise struct.error("truncated")

    monkeypatch.setattr(hidden, "xls_hidden_rows", broken)
    with pytest.raises(FatalImportError, match="文件已损坏"):
        read_table((FIXTURES / "formats" / "roster-hidden.xls").read_bytes(), "volunteers", file_name="r.xls")


def _xls_with_hidden_data_sheet() -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("说明").write(0, 0, "请在第二页填写")
    data = book.add_sheet("名单")
    for i, row in enumerate([["姓名", "证件号码", "手机号码"], ["张三", "31010419900105123X", "13900000001"]]):
        for j, value in enumerate(row):
            data.write(i, j, value)
    data.visibility = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ods_with_hidden_data_sheet() -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    hidden = Style(name="taHidden", family="table")
    hidden.addElement(TableProperties(display="false"))
    doc.automaticstyles.addElement(hidden)
    for name, rows, style in (("说明", [["请在第二页填写"]], None),
                              ("名单", [["姓名", "证件号码", "手机号码"], ["张三", "31010419900105123X", "13900000001"]],
                               hidden)):
        table = Table(name=name, stylename=style) if style else Table(name=name)
        for row in rows:
            tr = TableRow()
            for value in row:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


@pytest.mark.parametrize("name, build", [("r.xls", _xls_with_hidden_data_sheet), ("r.ods", _ods_with_hidden_data_sheet)])
def test_a_hidden_sheet_is_used_only_with_a_warning(app, name, build):
    table = read_table(build(), "volunteers", file_name=name)
    assert table.sheet == "名单" and [r.number for r in table.rows] == [2]
    assert any("隐藏的工作表“名单”" in n["message"] for n in table.notices)
