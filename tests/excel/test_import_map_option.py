"""`flask import … --map "文件列=字段"`: the command line's column choices, as the preview's."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.imports.helpers import id_number, write_xlsx
from volunteer.extensions import db
from volunteer.volunteers.models import Volunteer

ROWS = [["姓名", "证件号码", "联系方式", "电话"], ["张三", id_number(serial=81), "021-64001234", "13912345678"]]


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["import", *map(str, args)])


def test_map_moves_the_mobile_to_the_right_column(cli, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", {"s": ROWS})
    guessed = cli("volunteers", path, "--dry-run", "--json")
    assert guessed.exit_code == 1 and json.loads(guessed.stdout)["rejected"] == 1
    mapped = cli("volunteers", path, "--json", "--map", "电话=手机号码", "--map", "联系方式=不导入")
    report = json.loads(mapped.stdout)
    assert mapped.exit_code == 0, mapped.output
    assert report["columns"] == {"姓名": "姓名", "证件号码": "证件号码", "联系方式": None, "电话": "手机号码"}
    assert db.session.scalar(select(Volunteer.phone)) == "13912345678"
    # One --map is enough: the column it names wins the field over the guessed one.
    single = cli("volunteers", path, "--dry-run", "--json", "--map", "电话=手机号码")
    assert json.loads(single.stdout)["columns"]["联系方式"] is None


@pytest.mark.parametrize("option, message", [("电话=工资", "“工资”不是志愿者的字段"), ("电话", "格式应为“文件列=字段”"),
                                             ("手机=手机号码", "文件中没有这一列：“手机”")])
def test_bad_map_exits_2_with_the_reason(cli, tmp_path, option, message):
    path = write_xlsx(tmp_path / "r.xlsx", {"s": ROWS})
    result = cli("volunteers", path, "--dry-run", "--map", option)
    assert result.exit_code == 2 and message in result.output


def test_help_documents_map(cli):
    assert "文件列=字段" in cli("volunteers", "--help").output
