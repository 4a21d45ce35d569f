"""The one matcher for typed text (volunteers/lookup.py): what a box may mean, and that the
office's search, linking a login, the login field and the certificate search all find a person
the same way, however the number was typed (full-width digits from a phone keyboard, +86, spaces)."""
from datetime import date

import pytest
from sqlalchemy import or_, select

from volunteer.errors import ServiceError
from volunteer.extensions import db
from volunteer.volunteers import lookup
from volunteer.volunteers.models import Volunteer

from tests import factories as f


def test_read_typed_says_what_a_box_may_mean():
    resident = f.make_id_number(date(1990, 1, 5), serial=7)
    assert lookup.read_typed(" 138 0013 8000 ").phone == "13800138000"
    assert lookup.read_typed("+86 13800138000").phone == "13800138000"
    assert lookup.read_typed("１３８００１３８０００").phone == "13800138000"  # full-width, from a phone keyboard
    typed = lookup.read_typed(resident.lower())
    assert (typed.phone, typed.id_number) == (None, resident)
    assert lookup.read_typed("e12345678").id_number == "E12345678"  # a passport number
    assert lookup.read_typed("123x").last4 == "123X" and lookup.read_typed("123x").id_number is None
    assert lookup.read_typed("张三") == lookup.Typed("张三", None, None, None)


def test_pick_one_never_guesses_between_two(app):
    a, b = f.make_volunteer(name="王芳"), f.make_volunteer(name="王芳")
    c = f.make_volunteer(name="李雷")
    assert lookup.pick_one([a, b]) is None and lookup.pick_one([a, b], "王芳") is None
    assert lookup.pick_one([a, c], "李雷") is c and lookup.pick_one([a]) is a and lookup.pick_one([]) is None


def _search(text):
    return set(db.session.scalars(select(Volunteer.id).where(
        or_(*lookup.search_conditions(lookup.read_typed(text))))))


def test_search_finds_a_person_however_the_number_was_typed(app):
    person = f.make_volunteer(name="赵敏", phone="13912345678", national_no="31011200012345")
    f.make_volunteer(name="赵一", phone="13700000000")
    for typed in ("13912345678", "+86 139 1234 5678", "１３９１２３４５６７８", "1391234",
                  person.id_number, person.id_number[-4:], "31011200012345"):
        assert _search(typed) == {person.id}, typed
    assert _search("赵") == {person.id, person.id + 1}
    assert _search("100%") == set()  # a typed wildcard never widens the search


def test_find_one_the_office_link_rules(app):
    person = f.make_volunteer(name="钱多", phone="13911112222")
    assert lookup.find_one("13911112222", "钱多", phone_needs_name=True) is person
    assert lookup.find_one(person.id_number) is person
    assert lookup.find_one(person.id_number[-4:], "钱多") is person
    with pytest.raises(ServiceError, match="同时填写姓名") as err:
        lookup.find_one("13911112222", phone_needs_name=True)
    assert err.value.field == "name"
    with pytest.raises(ServiceError, match="后4位加姓名"):
        lookup.find_one("12")
    with pytest.raises(ServiceError, match="未找到"):
        lookup.find_one("13911112222", "别人")


def test_the_office_list_search_accepts_a_mobile_with_country_code(client, login_as):
    person = f.make_volunteer(name="孙悟", phone="13955556666")
    db.session.commit()
    login_as("office")
    page = client.get("/volunteers/", query_string={"q": "+86 139-5555-6666"}).text
    assert "孙悟" in page
