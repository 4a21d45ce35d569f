"""The validators' fast paths (plain spellings, taken by nearly every cell of a large roster) give
exactly what the general rules give: the same value spelled with an extra space takes the
general path, so the two must agree, value or message."""
from datetime import date

import pytest
from hypothesis import given, settings, strategies as st
from stdnum.iso7064 import mod_11_2

from volunteer.fields import FieldError, normalize_name, normalize_phone
from volunteer.volunteers.validators import (
    GENDERS, ID_TYPES, POLITICAL_STATUSES, normalize_gender, normalize_id_number, normalize_id_type,
    normalize_political_status, split_team_names, validate_volunteer,
)

TODAY = date(2025, 3, 15)


def outcome(func, *args, **kwargs):
    try:
        return "ok", func(*args, **kwargs)
    except FieldError as exc:
        return "error", exc.message


digits = st.text("0123456789", min_size=17, max_size=17)


@settings(max_examples=3000)
@given(digits, st.sampled_from("0123456789Xx"), st.sampled_from(["居民身份证", "港澳台居民居住证"]))
def test_plain_18_character_numbers_agree_with_the_general_path_and_stdnum(body, check, id_type):
    number = body + check
    fast = outcome(normalize_id_number, number, id_type, today=TODAY)
    assert fast == outcome(normalize_id_number, f" {number} ", id_type, today=TODAY)
    assert (fast == ("error", "校验位错误")) == (not mod_11_2.is_valid(number.upper()))


@given(st.dates(date(1900, 1, 1), date(2030, 12, 31)), st.integers(0, 999))
def test_valid_numbers_round_trip_on_the_fast_path(born, serial):
    body = f"310104{born:%Y%m%d}{serial:03d}"
    number = body + mod_11_2.calc_check_digit(body)
    expected = ("ok", number) if born <= TODAY else ("error", "出生日期晚于今天")
    assert outcome(normalize_id_number, number, today=TODAY) == expected
    assert outcome(normalize_id_number, number.lower(), today=TODAY) == expected


@given(st.one_of(st.text("0123456789", min_size=11, max_size=11),
                 st.integers(10 ** 10, 2 * 10 ** 10), st.integers(10 ** 10, 2 * 10 ** 10).map(float)))
def test_plain_mobile_numbers_agree_with_the_general_path(phone):
    spaced = f" {phone if isinstance(phone, str) else int(phone)} "
    assert outcome(normalize_phone, phone) == outcome(normalize_phone, spaced)


@given(st.text(min_size=1, max_size=60))
def test_names_agree_with_the_general_path(name):
    assert outcome(normalize_name, name) == outcome(normalize_name, f"\u3000{name} ")


@pytest.mark.parametrize("func, values", [
    (normalize_id_type, ID_TYPES), (normalize_gender, GENDERS), (normalize_political_status, POLITICAL_STATUSES)])
def test_canonical_choices_agree_with_the_general_path(func, values):
    for value in values:
        assert outcome(func, value) == outcome(func, f" {value} ") == ("ok", value)


def test_team_names_are_split_once_per_spelling_and_handed_out_as_copies():
    first = split_team_names("甲队、乙队,甲队")
    first.append("被调用者改动")
    assert split_team_names("甲队、乙队,甲队") == ["甲队", "乙队"]
    assert split_team_names(" 甲队、乙队,甲队 ") == ["甲队", "乙队"]


@given(st.dates(date(1940, 1, 1), date(2020, 12, 31)), st.integers(0, 999), st.sampled_from(["男", "女", None]),
       st.booleans(), st.sampled_from([None, "群众", "中共党员"]), st.sampled_from([None, "甲队", "甲队、乙队"]))
def test_whole_records_agree_with_the_general_path(born, serial, gender, with_birth, political, teams):
    body = f"310104{born:%Y%m%d}{serial:03d}"
    record = {"name": "张三", "id_number": body + mod_11_2.calc_check_digit(body), "phone": "13800138000",
              "gender": gender, "birth_date": born if with_birth else None, "political_status": political,
              "teams": teams, "education": "本科", "employer": "某公司", "guardian_name": None,
              "guardian_phone": None, "registered_on": date(2024, 5, 1), "note": "=1+2"}
    spaced = {k: (f" {v} " if isinstance(v, str) else v) for k, v in record.items()}
    assert validate_volunteer(record, today=TODAY) == validate_volunteer(spaced, today=TODAY)
