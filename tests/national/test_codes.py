"""National code tables, the widened 政治面貌 and the office's mapping (CONTRACT section 10)."""
from sqlalchemy import select

from tests.factories import make_category, make_volunteer
from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.fields import FieldError
from volunteer.national import codes, mapping
from volunteer.volunteers.validators import normalize_id_type, normalize_political_status

import pytest


def test_tables_have_the_national_codes():
    assert codes.name_of("id_type", "08") == "其他有效国籍旅行证件"
    assert [c for c, _ in codes.POLITICAL_STATUSES] == [f"{i:02d}" for i in range(1, 14)] + ["20"]
    assert codes.name_of("ethnicity", "56") == "基诺族" and codes.name_of("ethnicity", "98") == "外国血统中国籍人士"
    assert codes.name_of("education", "30") == "大学专科和专科学校"
    assert codes.name_of("service_category", "0099") == "其他"


@pytest.mark.parametrize("table,text,code", [
    ("political_status", "民盟", "05"), ("political_status", " 中国共产党党员 ", "01"),
    ("education", "大专", "30"), ("education", 20, "20"), ("ethnicity", "撤拉族", "35"),
    ("id_type", "身份证", "01"), ("service_category", "0017", "0017"), ("skill", "心理咨询", "18"),
])
def test_find_reads_names_aliases_and_codes(table, text, code):
    assert codes.find(table, text) == code


@pytest.mark.parametrize("typed,stored", [
    ("民革", "中国国民党革命委员会会员"), ("09", "中国致公党党员"), ("中国共产党党员", "中共党员"),
    ("无党派民主人士", "无党派人士"), ("13", "群众"), ("党员", "中共党员"), ("民主党派成员", "民主党派成员"),
])
def test_political_status_accepts_the_national_list(typed, stored):
    assert normalize_political_status(typed) == stored


def test_political_status_refuses_the_unknown_with_the_list():
    with pytest.raises(FieldError) as exc:
        normalize_political_status("火星人")
    assert "九三学社社员" in exc.value.message


def test_id_type_accepts_a_national_code_or_name():
    assert normalize_id_type("01") == "居民身份证"
    assert normalize_id_type("内地居民身份证") == "居民身份证"
    assert normalize_id_type("05") == "护照"
    with pytest.raises(FieldError):
        normalize_id_type("军官证")


def test_defaults_map_every_stored_value(app):
    assert mapping.name_for("political_status", "中共党员") == "中国共产党党员"
    assert mapping.code_for("political_status", "民主党派成员") == "20"
    assert mapping.code_for("political_status", "无党派人士") == "12"
    assert mapping.name_for("id_type", "居民身份证") == "内地居民身份证"
    assert mapping.code_for("id_type", "港澳居民来往内地通行证") == "08"
    assert mapping.code_for("education", "本科") == "20"
    assert mapping.code_for("education", "随便写的") == "99"
    assert mapping.code_for("gender", "女") == "2"
    assert mapping.code_for("education", None) is None


def test_office_edit_overrides_the_default_and_is_audited(app):
    make_volunteer(education="中技")
    mapping.set_code(None, "education", "中技", "50")
    db.session.commit()
    assert mapping.code_for("education", "中技") == "50"
    rows = mapping.mapping_rows("education")
    assert rows == [{"value": "中技", "count": 1, "code": "50", "edited": True, "name": "技工学校"}]
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "national.map")).one()
    assert "技工学校" in log.summary
    with pytest.raises(Exception) as exc:
        mapping.set_code(None, "education", "中技", "77")
    assert "不是学历的国家代码" in exc.value.message


def test_seed_names_come_mapped_and_new_categories_default_to_other(app):
    assert mapping.category_default("扶老助残") == "0017"
    assert mapping.category_default("垃圾分类") == "0006"
    assert mapping.category_default("我们自己起的名字") == "0099"
    assert make_category("新类别").national_code == "0099"
