"""The kept roster in every format gives the same import (tests/fixtures/formats, CONTRACT section 4)."""

from __future__ import annotations

import pytest

from tests.imports.helpers import FIXTURES, TODAY
from volunteer.excel.importers import import_volunteers

FILES = ["roster.xls", "roster.et", "roster.ods", "roster-utf8-bom.csv", "roster-gbk.csv"]


def outcome(name):
    path = FIXTURES / "formats" / name
    report = import_volunteers(None, path.read_bytes(), file_name=name, dry_run=True, today=TODAY)
    return report


@pytest.mark.parametrize("name", FILES)
def test_every_format_reads_the_same_roster(app, name):
    report = outcome(name)
    assert (report["header_row"], report["rows"], report["created"], report["rejected"]) == (3, 3, 3, 0), report["errors"]
    assert report["columns"] == {"序号": None, "姓名（必填）": "姓名", "身份证号码": "证件号码", "联系电话": None,
                                 "手机号码*": "手机号码", "政治面貌": "政治面貌"}
    messages = [w["message"] for w in report["warnings"]]
    assert any("由15位证件号码转换" in m for m in messages) and any("表尾" in m for m in messages)
