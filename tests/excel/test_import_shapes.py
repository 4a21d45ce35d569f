"""Roster rows offices really write (CONTRACT section 4): 15-digit IDs, 1990年1月, national
spellings of 政治面貌, a masked export refused whole, an unknown team with a suggestion."""

from __future__ import annotations

import pytest

from tests import factories
from tests.imports.helpers import TODAY, id_number, workbook_bytes
from volunteer.excel.importers import import_volunteers
from volunteer.excel.vetting import FatalImportError
from volunteer.extensions import db

HEADER = ["姓名", "证件号码", "手机号码", "出生日期", "政治面貌", "所属队伍"]


def run(rows):
    return import_volunteers(None, workbook_bytes({"S": [HEADER, *rows]}), file_name="a.xlsx", dry_run=True,
                             today=TODAY)


def test_fifteen_digit_id_converted_with_warning(app):
    report = run([["张三", "310104900105123", "13800000000", None, None, None],
                  ["李四", 310104900105124, "13800000001", None, None, None]])
    assert report["rejected"] == 0 and report["created"] == 2
    assert sum("由15位证件号码转换" in w["message"] for w in report["warnings"]) == 2


def test_year_month_birth_date_and_national_political_spellings(app):
    report = run([["张三", id_number(), "13800000000", "1990年1月", "中国共产党党员", None],
                  ["李四", id_number(serial=124), "13800000001", 1990.01, "九三学社社员", None],
                  ["王五", id_number(serial=125), "13800000002", "1990.01", "无", None],
                  ["赵六", id_number(serial=126), "13800000003", "1991年1月", "无党派民主人士", None]])
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(5, "出生日期")]


def test_masked_roster_refused_whole(app):
    with pytest.raises(FatalImportError, match="脱敏"):
        run([["张三", "310104********123X", "13800000000", None, None, None]])


def test_unknown_team_gets_did_you_mean(app):
    factories.make_team(name="虹桥居委志愿服务队")
    db.session.commit()
    report = run([["张三", id_number(), "13800000000", None, None, "虹桥居委"]])
    assert "虹桥居委志愿服务队" in report["errors"][0]["message"]
