"""Tests for volunteer.volunteers.validators (CONTRACT section 4: Volunteers and Hours)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st
from stdnum.iso7064 import mod_11_2

from volunteer.fields import (
    FieldError, age_on, clean_text, minutes_between, normalize_name, normalize_phone, parse_date,
    parse_hours_to_minutes, parse_time,
)
from volunteer.volunteers.validators import (
    DEFAULT_ID_TYPE, ID_TYPES, birth_date_from_id, gender_from_id, normalize_gender, normalize_id_number,
    normalize_id_type, normalize_political_status, split_team_names, validate_volunteer,
)

TODAY = date(2025, 3, 15)
MALE_ID = "310104199001011233"       # born 1990-01-01, 17th digit 3 -> 男
FEMALE_X_ID = "11010519491231002X"   # born 1949-12-31, 17th digit 2 -> 女, X check digit
OLD_310112_ID = "31011219500315001X"  # born 1950 with an area code that has since changed


def make_id(body17: str) -> str:
    return body17 + mod_11_2.calc_check_digit(body17)


def message(excinfo) -> str:
    return excinfo.value.message


def errors_of(**fields):
    base = {"name": "张三", "id_number": MALE_ID, "phone": "13800138000"}
    base.update(fields)
    return validate_volunteer(base, today=TODAY)


# --- FieldError and plain text ---------------------------------------------------------------

def test_field_error_is_a_value_error_with_message():
    err = FieldError("校验位错误")
    assert isinstance(err, ValueError) and err.message == "校验位错误" and str(err) == "校验位错误"


def test_clean_text_strips_ends_and_keeps_formula_text_verbatim():
    assert clean_text(None) is None
    assert clean_text("  \u3000 ") is None
    assert clean_text("\u3000上海市  徐汇区 ") == "上海市  徐汇区"
    assert clean_text("=1+2") == "=1+2"
    assert clean_text(12.0) == "12"


# --- names, ID types ---------------------------------------------------------------------------

def test_name_spaces_removed_and_middle_dot_kept():
    assert normalize_name("张  三") == "张三"
    assert normalize_name("\u3000李\u3000四\n") == "李四"
    assert normalize_name("买买提·艾 力") == "买买提·艾力"


def test_name_blank_or_too_long_rejected():
    with pytest.raises(FieldError) as excinfo:
        normalize_name(" \u3000")
    assert message(excinfo) == "姓名不能为空"
    with pytest.raises(FieldError):
        normalize_name("张" * 51)


def test_id_type_default_and_unknown():
    assert normalize_id_type(None) == DEFAULT_ID_TYPE == "居民身份证"
    assert normalize_id_type(" 护照 ") == "护照"
    assert all(normalize_id_type(t) == t for t in ID_TYPES)
    with pytest.raises(FieldError) as excinfo:
        normalize_id_type("驾驶证")
    assert "护照" in message(excinfo)


# --- ID numbers --------------------------------------------------------------------------------

def test_valid_resident_ids_including_x_check_digit():
    assert normalize_id_number(MALE_ID) == MALE_ID
    assert normalize_id_number(FEMALE_X_ID) == FEMALE_X_ID
    assert normalize_id_number("11010519491231002x") == FEMALE_X_ID


def test_id_fullwidth_digits_and_spaces_normalised():
    fullwidth = "１１０１０５１９４９１２３１００２ｘ"
    assert normalize_id_number(fullwidth) == FEMALE_X_ID
    assert normalize_id_number(" 310104 19900101 1233\u3000") == MALE_ID


@pytest.mark.parametrize("cell", [3.10104199001011E+17, 310104199001011233, "3.10104199001011E+17"])
def test_id_stored_as_number_by_excel_rejected_with_advice(cell):
    with pytest.raises(FieldError) as excinfo:
        normalize_id_number(cell)
    assert "数字" in message(excinfo) and "文本" in message(excinfo)


def test_id_wrong_checksum():
    with pytest.raises(FieldError) as excinfo:
        normalize_id_number("310104199001011234")
    assert message(excinfo) == "校验位错误"


def test_id_wrong_length_and_characters():
    with pytest.raises(FieldError) as excinfo:
        normalize_id_number("31010419900101123")
    assert message(excinfo) == "证件号码应为18位"
    with pytest.raises(FieldError) as excinfo:
        normalize_id_number("3101041990010112A3")
    assert message(excinfo) != "证件号码应为18位"


def test_id_with_february_30_birth_date():
    with pytest.raises(FieldError) as excinfo:
        normalize_id_number(make_id("31010419900230001"))
    assert message(excinfo) == "出生日期无效"


def test_id_with_future_birth_date():
    with pytest.raises(FieldError) as excinfo:
        normalize_id_number(make_id("31010420990101001"), today=TODAY)
    assert message(excinfo) == "出生日期晚于今天"


def test_id_1950_birth_with_area_310112_accepted():
    assert normalize_id_number(OLD_310112_ID) == OLD_310112_ID


def test_id_area_code_not_checked_against_any_table():
    unknown_area = make_id("99010119800101001")
    assert normalize_id_number(unknown_area) == unknown_area


def test_residence_permit_follows_resident_id_rules():
    hk_permit = make_id("81000019900101002")
    assert normalize_id_number(hk_permit, "港澳台居民居住证") == hk_permit
    wrong_check = hk_permit[:17] + ("1" if hk_permit[17] == "0" else "0")
    with pytest.raises(FieldError) as excinfo:
        normalize_id_number(wrong_check, "港澳台居民居住证")
    assert message(excinfo) == "校验位错误"
    with pytest.raises(FieldError) as excinfo:
        normalize_id_number(3.10104199001011E+17, "港澳台居民居住证")
    assert "文本" in message(excinfo)


def test_passport_and_other_types_letters_and_digits():
    assert normalize_id_number(" e1234 5678 ", "护照") == "E12345678"
    assert normalize_id_number("H12345678", "港澳居民来往内地通行证") == "H12345678"
    assert normalize_id_number(12345678, "台湾居民来往大陆通行证") == "12345678"
    for bad in ("E123", "E" * 31, "E1234-5678"):
        with pytest.raises(FieldError) as excinfo:
            normalize_id_number(bad, "护照")
        assert message(excinfo) == "证件号码应为5至30位字母或数字"


def test_id_blank_rejected():
    with pytest.raises(FieldError) as excinfo:
        normalize_id_number("  ")
    assert message(excinfo) == "证件号码不能为空"


def test_birth_date_and_gender_from_id():
    assert birth_date_from_id(MALE_ID) == date(1990, 1, 1)
    assert gender_from_id(MALE_ID) == "男"
    assert birth_date_from_id(FEMALE_X_ID) == date(1949, 12, 31)
    assert gender_from_id(FEMALE_X_ID) == "女"


id_bodies = st.builds(
    lambda area, born, seq: f"{area:06d}{born:%Y%m%d}{seq:03d}",
    st.integers(100000, 999999), st.dates(date(1900, 1, 1), TODAY), st.integers(0, 999))


@given(id_bodies, st.sampled_from(["plain", "lower", "fullwidth", "spaces"]))
def test_property_valid_ids_round_trip_in_any_spelling(body, spelling):
    canonical = body + mod_11_2.calc_check_digit(body)
    typed = {
        "plain": canonical,
        "lower": canonical.lower(),
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in canonical),
        "spaces": f" {canonical[:6]} {canonical[6:14]}\u3000{canonical[14:]} ",
    }[spelling]
    assert normalize_id_number(typed, today=TODAY) == canonical
    assert birth_date_from_id(canonical).strftime("%Y%m%d") == body[6:14]


# --- phones ------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    "13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+86-13800138000",
    "8613800138000", "0086 13800138000", "１３８００１３８０００", 13800138000, 13800138000.0,
])
def test_phone_accepted_spellings(typed):
    assert normalize_phone(typed) == "13800138000"


@pytest.mark.parametrize("typed", [
    "138001380001", "1380013800", "12800138000", "021-64001234", "+1 13800138000", "138O0138000",
])
def test_phone_rejected(typed):
    with pytest.raises(FieldError) as excinfo:
        normalize_phone(typed)
    assert message(excinfo).startswith("手机号码")


def test_phone_message_names_the_field():
    with pytest.raises(FieldError) as excinfo:
        normalize_phone("", field="监护人电话")
    assert message(excinfo) == "监护人电话不能为空"


# --- dates and times ---------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    "1990-01-05", "1990/1/5", "1990.01.05", "1990年1月5日", "19900105", "1990-1-5",
    "1990-01-05 00:00:00", 19900105, 19900105.0, datetime(1990, 1, 5, 0, 0), date(1990, 1, 5),
    " １９９０－０１－０５ ",
])
def test_date_spellings(typed):
    assert parse_date(typed, field="出生日期") == date(1990, 1, 5)


@pytest.mark.parametrize("typed", ["1990-02-30", "1990-13-01", "19900230"])
def test_date_that_does_not_exist(typed):
    with pytest.raises(FieldError) as excinfo:
        parse_date(typed, field="出生日期")
    assert message(excinfo).startswith("出生日期")


@pytest.mark.parametrize("typed", [
    "", None, "去年", "1990-01", "05/01/1990", "1990-01/05", 32878, 1990.5, True,
])
def test_date_unrecognised(typed):
    with pytest.raises(FieldError) as excinfo:
        parse_date(typed, field="注册日期")
    assert message(excinfo).startswith("注册日期格式无法识别")


@pytest.mark.parametrize("typed, expected", [
    ("09:00", time(9, 0)), ("9:30", time(9, 30)), ("14:05:30", time(14, 5, 30)), ("１４：００", time(14)),
    (time(8, 15), time(8, 15)), (datetime(2024, 5, 1, 13, 45), time(13, 45)), (0.375, time(9, 0)),
    (0.5, time(12)), (0, time(0)), (timedelta(hours=10), time(10)),
    ("9点", time(9)), ("9点30", time(9, 30)), ("9.30", time(9, 30)),  # as people type them (CONTRACT 12)
])
def test_time_spellings(typed, expected):
    assert parse_time(typed, field="开始时间") == expected


@pytest.mark.parametrize("typed", ["25:00", "9点70", "12:60", "上午", 1.5, "", None])
def test_time_rejected(typed):
    with pytest.raises(FieldError) as excinfo:
        parse_time(typed, field="结束时间")
    assert message(excinfo).startswith("结束时间")


def test_minutes_between():
    assert minutes_between(time(9), time(11, 30)) == 150
    for start, end in ((time(11), time(9)), (time(9), time(9))):
        with pytest.raises(FieldError) as excinfo:
            minutes_between(start, end)
        assert message(excinfo) == "结束时间必须晚于开始时间"


# --- hours -------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, minutes", [
    (2, 120), ("2", 120), ("2.5", 150), (" 3 ", 180), (24, 1440), ("24.0", 1440), (0.1, 6),
    (1 / 3, 20), ("0.333", 20), (0.0084, 1), ("１.５", 90), (1.5, 90), (1e-2, 1), (Decimal("2.25"), 135),
])
def test_hours_to_minutes(typed, minutes):
    assert parse_hours_to_minutes(typed) == minutes


def test_hours_round_half_up():
    assert parse_hours_to_minutes("0.025") == 2       # 1.5 minutes
    assert parse_hours_to_minutes("0.0375") == 2      # 2.25 minutes


@pytest.mark.parametrize("typed, expected", [
    (0, "服务时长必须大于0"), ("0", "服务时长必须大于0"), (-1, "服务时长必须大于0"),
    (0.0083, "服务时长必须大于0"),  # 0.498 minutes rounds to 0
    (24.01, "服务时长不能超过24小时"), ("25", "服务时长不能超过24小时"),
    ("2小时", "服务时长必须是数字（小时）"), ("两", "服务时长必须是数字（小时）"),
    (float("nan"), "服务时长必须是数字（小时）"), (True, "服务时长必须是数字（小时）"),
    (None, "服务时长不能为空"),
])
def test_hours_rejected(typed, expected):
    with pytest.raises(FieldError) as excinfo:
        parse_hours_to_minutes(typed)
    assert message(excinfo) == expected


@given(st.integers(1, 1440))
def test_property_whole_minutes_survive_float_hours(minutes):
    assert parse_hours_to_minutes(minutes / 60) == minutes
    assert parse_hours_to_minutes(f"{minutes / 60:.4f}") == minutes


# --- small enumerations ------------------------------------------------------------------------

def test_gender_spellings():
    assert [normalize_gender(v) for v in ("男", "女", "男性", " 女性 ", "M", "f", "Ｍ")] == \
        ["男", "女", "男", "女", "男", "女", "男"]
    assert normalize_gender("  ") is None
    with pytest.raises(FieldError):
        normalize_gender("未知")


def test_political_status_and_aliases():
    assert normalize_political_status("党员") == "中共党员"
    assert normalize_political_status("预备党员") == "中共预备党员"
    assert normalize_political_status(" 团员 ") == "共青团员"
    assert normalize_political_status("群众") == "群众"
    assert normalize_political_status(None) is None
    with pytest.raises(FieldError):
        normalize_political_status("学生")


def test_team_splitting_with_mixed_separators():
    assert split_team_names("甲队、乙队,丙队，丁队;戊队；  甲队 ，") == ["甲队", "乙队", "丙队", "丁队", "戊队"]
    assert split_team_names(None) == []
    assert split_team_names(["甲队", "乙队、甲队"]) == ["甲队", "乙队"]


def test_age_in_completed_years():
    assert age_on(date(2010, 3, 15), TODAY) == 15
    assert age_on(date(2010, 3, 16), TODAY) == 14
    assert age_on(date(2008, 2, 29), date(2025, 2, 28)) == 16
    assert age_on(date(2008, 2, 29), date(2025, 3, 1)) == 17


# --- whole record --------------------------------------------------------------------------------

def test_valid_record_fills_gender_birth_and_registration_from_id_and_today():
    cleaned, errors, warnings = errors_of(
        name=" 张 三", phone="138-0013-8000", teams="甲队、乙队", note="=1+2", political_status="党员",
        employer="  徐汇区城运中心 ")
    assert errors == [] and warnings == []
    assert cleaned["name"] == "张三" and cleaned["id_type"] == "居民身份证"
    assert cleaned["gender"] == "男" and cleaned["birth_date"] == date(1990, 1, 1)
    assert cleaned["registered_on"] == TODAY and cleaned["teams"] == ["甲队", "乙队"]
    assert cleaned["note"] == "=1+2" and cleaned["employer"] == "徐汇区城运中心"
    assert cleaned["political_status"] == "中共党员" and cleaned["skills"] is None
    assert set(cleaned) == {
        "name", "gender", "id_type", "id_number", "phone", "birth_date", "political_status",
        "education", "employer", "community", "teams", "skills", "guardian_name", "guardian_phone",
        "registered_on", "note", "national_no"}


def test_required_fields_all_reported_at_once():
    _, errors, _ = validate_volunteer({"name": "", "id_number": None, "phone": " "}, today=TODAY)
    assert errors == [("姓名", "姓名不能为空"), ("证件号码", "证件号码不能为空"), ("手机号码", "手机号码不能为空")]


def test_id_error_reported_on_id_column():
    _, errors, _ = errors_of(id_number="310104199001011234")
    assert errors == [("证件号码", "校验位错误")]


def test_gender_mismatch_reported_on_gender_column():
    _, errors, _ = errors_of(gender="女")
    assert len(errors) == 1 and errors[0][0] == "性别"


def test_birth_date_mismatch_reported_on_birth_column():
    _, errors, _ = errors_of(birth_date="1990-01-02")
    assert len(errors) == 1 and errors[0][0] == "出生日期"
    cleaned, errors, _ = errors_of(birth_date=datetime(1990, 1, 1), gender="男")
    assert errors == [] and cleaned["birth_date"] == date(1990, 1, 1)


def test_other_id_types_require_gender_and_birth_date():
    _, errors, _ = errors_of(id_type="护照", id_number="E12345678")
    assert [column for column, _ in errors] == ["性别", "出生日期"]
    cleaned, errors, _ = errors_of(id_type="护照", id_number="e12345678", gender="F", birth_date="1985/6/1")
    assert errors == [] and cleaned["id_number"] == "E12345678" and cleaned["gender"] == "女"


def test_unknown_id_type_reported_once():
    _, errors, _ = errors_of(id_type="驾驶证")
    assert [column for column, _ in errors] == ["证件类型"]


def test_twelve_year_old_without_guardian_gets_two_errors():
    _, errors, warnings = errors_of(id_number=make_id("31010420120601002"))
    assert [column for column, _ in errors] == ["监护人姓名", "监护人电话"]
    assert [column for column, _ in warnings] == ["出生日期"]


def test_twelve_year_old_with_guardian_is_accepted_with_warning():
    cleaned, errors, warnings = errors_of(
        id_number=make_id("31010420120601002"), guardian_name="张 大山", guardian_phone="+86 139 1234 5678")
    assert errors == [] and len(warnings) == 1
    assert cleaned["guardian_name"] == "张大山" and cleaned["guardian_phone"] == "13912345678"


def test_guardian_phone_validated_as_phone():
    _, errors, _ = errors_of(
        id_number=make_id("31010420120601002"), guardian_name="张大山", guardian_phone="12345")
    assert [column for column, _ in errors] == ["监护人电话"]


def test_sixteen_year_old_gets_warning_not_error():
    _, errors, warnings = errors_of(id_number=make_id("31010420080601001"))
    assert errors == []
    assert warnings == [("出生日期", "未满18周岁（16岁）")]


def test_bad_values_each_reported_on_own_column():
    _, errors, _ = errors_of(
        gender="未知", political_status="学生", registered_on="去年", birth_date="1990-02-30", phone="12800138000")
    assert sorted(column for column, _ in errors) == sorted(
        ["手机号码", "性别", "出生日期", "政治面貌", "注册日期"])


def test_future_birth_date_for_passport_holder():
    _, errors, _ = errors_of(id_type="护照", id_number="E12345678", gender="男", birth_date="2030-01-01")
    assert errors == [("出生日期", "出生日期晚于今天")]


def test_overlong_free_text_is_rejected_on_its_column():
    from volunteer.volunteers.validators import validate_volunteer
    from datetime import date as _date

    fields = {"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000", "employer": "单" * 201}
    _, errors, _ = validate_volunteer(fields, today=_date(2026, 1, 1))
    assert ("工作单位", "工作单位不能超过200个字") in errors
