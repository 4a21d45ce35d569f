"""An upload's used area (CONTRACT section 3): a sheet whose cells reach past 64 columns or
200,000 rows is refused from its XML, before calamine builds a grid, whatever its <dimension>
says; quickly and without the memory.  The workbooks are written by hand with zipfile, so
each attack is exactly what a hostile client could send.
"""
import io
import pathlib
import subprocess
import sys
import zipfile

import pytest

from volunteer.excel import reader
from volunteer.excel.reader import read_table
from volunteer.excel.used_area import Area, xlsx_used_area
from volunteer.excel.vetting import FatalImportError

ROOT = pathlib.Path(__file__).resolve().parents[2]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>队伍名称</t></is></c>'
          '<c r="B1" t="inlineStr"><is><t>队伍类型</t></is></c></row>')
COLUMNS_REFUSED = "超过 64 列的上限"
ROWS_REFUSED = "超过 200,000 行的上限"


def book(sheet_data: str | bytes, *, dimension: str | None = "A1:A2", prefix: str = "",
         extra_members: dict[str, bytes] | None = None, target: str = "worksheets/sheet1.xml") -> bytes:
    """A minimal .xlsx whose one sheet holds ``sheet_data`` inside <sheetData>."""
    data = sheet_data.encode() if isinstance(sheet_data, str) else sheet_data
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns{":" + prefix if prefix else ""}="{MAIN}"'
    dim = f'<{p}dimension ref="{dimension}"/>'.encode() if dimension else b""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns}>'.encode() + dim
             + f"<{p}sheetData>".encode() + data + f"</{p}sheetData></{p}worksheet>".encode())
    members = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets><sheet name="表1" sheetId="1" '
                           'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                                      f'Type="{DOC_RELS}/worksheet" Target="{target}"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    members.update(extra_members or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)
    return out.getvalue()


def value_cell(ref: str = "", value: str = "1") -> str:
    r = f' r="{ref}"' if ref else ""
    return f"<c{r}><v>{value}</v></c>"


@pytest.fixture
def no_calamine(monkeypatch):
    """Fail if the workbook reaches calamine: the check must come before any grid is built."""

    class Boom:
        @staticmethod
        def from_filelike(*_a, **_k):
            raise AssertionError("calamine must not be reached")

    monkeypatch.setattr(reader, "CalamineWorkbook", Boom)


def refused(data: bytes) -> str:
    """Refusal reason. That it comes before any grid is built is what `no_calamine` proves, and
    `test_refusal_takes_no_memory` measures the memory; the time is bench/excel.py's business
    (a wall-clock limit here failed on a loaded 2-core machine)."""
    with pytest.raises(FatalImportError) as info:
        read_table(data, "teams")
    return info.value.reason


FAR_COLUMN = HEADER + f'<row r="10000">{value_cell("XFD10000")}</row>'
FAR_ROW = HEADER + f'<row r="300000">{value_cell("A300000")}</row>'


@pytest.mark.parametrize("sheet_data, dimension, words", [
    (FAR_COLUMN, "A1:A2", COLUMNS_REFUSED),  # the red team's 1.7 KB file: 6.4 GB in calamine
    (FAR_COLUMN, None, COLUMNS_REFUSED),
    (HEADER + f'<row r="2">{value_cell("BM2")}</row>', "A1:A2", COLUMNS_REFUSED),  # column 65
    (FAR_ROW, "A1:A2", ROWS_REFUSED),  # a lying <dimension>
    (HEADER + f'<row r="2">{value_cell("A300000")}</row>', "A1:A2", ROWS_REFUSED),  # the cell's own r counts
    (HEADER + f'<row r="2">{value_cell("xfd2")}</row>', "A1:A2", COLUMNS_REFUSED),  # calamine reads lower case
    (HEADER + '<row r="2"><c r="A2"/>' + value_cell() * 70 + "</row>", "A1:A2", COLUMNS_REFUSED),  # cells without r
    (HEADER + '<row r="2" spans="1:1">' + value_cell("A2") + "</row>" + value_cell("XFD3"), "A1:A2", COLUMNS_REFUSED),
])
def test_far_cells_refused_before_parsing(no_calamine, sheet_data, dimension, words):
    assert words in refused(book(sheet_data, dimension=dimension))


def test_rows_without_r_attributes_refused(no_calamine):
    rows = ("<row>" + value_cell() + "</row>") * 300_000
    data = book(HEADER + rows, dimension="A1:A2")
    assert len(data) < 200_000
    assert ROWS_REFUSED in refused(data)


def test_empty_rows_without_r_count_too(no_calamine):
    assert ROWS_REFUSED in refused(book(HEADER + "<row/>" * 250_000))


def test_prefixed_cells_are_cells(no_calamine):
    # calamine matches names on their local part: <x:c r="XFD9"> is a cell.
    data = book(f'<x:row r="1"><x:c r="XFD9"><x:v>1</x:v></x:c></x:row>', prefix="x")
    assert COLUMNS_REFUSED in refused(data)


def test_odd_cell_after_a_long_text(no_calamine):
    # A tag start far before a piece's end, and a reference written with an entity-free
    # attribute order calamine accepts (r not first).
    long_text = "字" * 400_000
    data = book(HEADER + f'<row r="2"><c r="A2" t="inlineStr"><is><t>{long_text}</t></is></c>'
                f'<c t="n" r="XFD2"><v>1</v></c></row>')
    assert COLUMNS_REFUSED in refused(data)


def test_sheet_only_calamine_would_find_is_checked(no_calamine):
    # Our relationship reading takes a typed target; calamine takes any relationship whose
    # path lies in xl/worksheets and matches member names ignoring case.
    huge = (f'<worksheet xmlns="{MAIN}"><sheetData>' + HEADER + f'<row r="9">{value_cell("XFD9")}</row>'
            "</sheetData></worksheet>").encode()
    data = book(HEADER, target="worksheets/Sheet1.xml",
                extra_members={"xl/worksheets/Sheet1.xml": huge,
                               "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                               f'Type="{DOC_RELS}/other" Target="worksheets/SHEET1.xml"/></Relationships>'.encode()})
    assert COLUMNS_REFUSED in refused(data)


def test_doctype_refused_as_damaged(no_calamine):
    evil = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet xmlns="' + MAIN.encode()
            + b'"><sheetData><row><c><v>&a;</v></c></row></sheetData></worksheet>')
    data = book("", extra_members={"xl/worksheets/sheet1.xml": evil})
    assert "已损坏" in refused(data)


def test_refusal_takes_no_memory():
    """The far cell, in a fresh interpreter: the peak memory stays far from calamine's 6.4 GB."""
    code = (
        "import resource, sys\n"
        "from tests.hostile.test_upload_area import book, FAR_COLUMN\n"
        "from volunteer.excel.reader import read_table\nfrom volunteer.excel.vetting import FatalImportError\n"
        "data = book(FAR_COLUMN)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n    read_table(data, 'teams')\nexcept FatalImportError as e:\n    print(e.reason)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True,
                         cwd=ROOT)
    reason, grown_kib = out.stdout.strip().splitlines()
    assert COLUMNS_REFUSED in reason
    assert int(grown_kib) < 50 * 1024, f"peak memory grew by {int(grown_kib) // 1024} MB"


@pytest.mark.parametrize("sheet_data", [
    HEADER + "".join(f'<row r="{i}">{value_cell(f"A{i}")}{value_cell(f"BL{i}")}</row>' for i in range(2, 5)),
    HEADER + ("<row>" + value_cell() * 64 + "</row>") * 3,  # no r at all: 64 columns, within
    HEADER + '<row r="200010">' + value_cell("A200010") + "</row>",  # the last row allowed (10 above the data)
])
def test_within_the_limits_is_read(sheet_data):
    table = read_table(book(sheet_data, dimension="A1:XFD1048576"), "teams")  # a lying dimension changes nothing
    assert table.header_row == 1 and table.rows_count >= 1


def test_area_figures():
    def area(sheet_data, **kw):
        data = book(sheet_data)
        with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("xl/worksheets/sheet1.xml") as fh:
            return xlsx_used_area(fh, max_rows=kw.get("rows", 200_010), max_columns=kw.get("columns", 64))

    assert area(HEADER + f'<row r="150000">{value_cell("AZ150000")}</row>') == Area(150_000, 52)
    assert area(HEADER + ("<row>" + value_cell() * 3 + "</row>") * 2, rows=2).rows > 2
    assert area('<row><c r="B5"/><c/><c/></row><row><c/></row>') == Area(5, 4)  # after B5: C, D
    assert area('<row r="7"><c/></row><row><c/></row>') == Area(8, 1)


def test_sheet_in_utf16_is_parsed_not_skimmed(no_calamine):
    # Every other byte a NUL: the byte patterns see no tag, so the parser reads it.
    sheet = (f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{MAIN}"><sheetData>{FAR_COLUMN}'
             "</sheetData></worksheet>").encode("utf-16")
    data = book("", extra_members={"xl/worksheets/sheet1.xml": sheet})
    assert COLUMNS_REFUSED in refused(data)
