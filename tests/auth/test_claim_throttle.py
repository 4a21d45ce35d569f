"""/claim is no oracle: failures are throttled per (record, address) and per address, every
failure reads the same, failures spend the address's look-up budget, and a family member whose
mobile an earlier claim already uses can still claim (CONTRACT.md section 3)."""
import re

from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.throttle import ANONYMOUS, THROTTLED, budget_left

from tests import factories as f
from tests.conftest import PASSWORD

MISMATCH = "姓名、证件号码和手机号码与登记信息不一致"
ATTACKER = {"REMOTE_ADDR": "198.51.100.66"}


def _claim(client, volunteer, env=None, **overrides):
    data = {"name": volunteer.name, "id_number": volunteer.id_number, "phone": volunteer.phone,
            "password": "abc12345", "confirm": "abc12345"} | overrides
    return client.post("/claim", data=data, environ_base=env or ATTACKER)


def _wrong_ids(volunteer, n):
    """Valid ID numbers that are not the volunteer's (what a brute force of the masked digits tries)."""
    guesses = (f.make_id_number(serial=900 + k) for k in range(n + 1))
    return [g for g in guesses if g != volunteer.id_number][:n]


def _errors(html: str) -> list[str]:
    return re.findall(r'<div class="invalid-feedback">(.*?)</div>', html)


def _users() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(User))


def test_guessing_the_masked_id_is_cut_off_after_a_few_tries(client, app):
    v = f.make_volunteer("陈静", phone="13812345678")
    db.session.commit()
    for guess in _wrong_ids(v, 5):
        assert MISMATCH in _claim(client, v, id_number=guess).get_data(as_text=True)
    # The sixth try is the right ID: refused without an answer, and nothing is taken over.
    html = _claim(client, v).get_data(as_text=True)
    assert THROTTLED in html and MISMATCH not in html
    assert _users() == 0


def test_one_address_guessing_does_not_lock_the_record_for_its_owner(client, app):
    v = f.make_volunteer("陈静", phone="13812345678")
    db.session.commit()
    for guess in _wrong_ids(v, 6):
        _claim(client, v, id_number=guess)
    owner = app.test_client()
    assert _claim(owner, v, env={"REMOTE_ADDR": "203.0.113.9"}).status_code == 302
    assert _users() == 1


def test_guessing_across_many_records_is_cut_off_per_address(client, app):
    app.config["LOOKUP_BUDGET"] = 1000  # the per-address failure limit alone
    try:
        people = [f.make_volunteer(f"人{k}") for k in range(25)]
        target = f.make_volunteer("陈静", phone="13812345678")
        db.session.commit()
        refused = 0
        for k, person in enumerate(people):
            html = _claim(client, person, phone=f"137{k:08d}").get_data(as_text=True)
            refused += THROTTLED in html
        assert refused > 0
        assert THROTTLED in _claim(client, target).get_data(as_text=True)
        assert _users() == 0
    finally:
        app.config.pop("LOOKUP_BUDGET")


def test_already_claimed_reads_exactly_like_a_mismatch(client, app):
    v = f.make_volunteer("陈静", phone="13812345678")
    db.session.commit()
    assert _claim(app.test_client(), v, env={"REMOTE_ADDR": "203.0.113.9"}).status_code == 302
    again = _claim(client, v, password="other-pass-9", confirm="other-pass-9").get_data(as_text=True)
    wrong = _claim(client, v, phone="13700000000").get_data(as_text=True)
    assert MISMATCH in again
    assert _errors(again) == _errors(wrong)
    assert _users() == 1


def test_failed_claims_spend_the_address_budget_and_successes_do_not(client, app):
    app.config["LOOKUP_BUDGET"] = 3
    try:
        v = f.make_volunteer("陈静", phone="13812345678")
        others = [f.make_volunteer(f"人{k}") for k in range(3)]
        db.session.commit()
        assert _claim(client, others[0]).status_code == 302  # a success costs nothing
        assert budget_left(ANONYMOUS, ATTACKER["REMOTE_ADDR"]) == 3
        for person in others[1:]:
            _claim(app.test_client(), person, phone="13700000000")
        _claim(app.test_client(), v, phone="13700000001")
        assert budget_left(ANONYMOUS, ATTACKER["REMOTE_ADDR"]) == 0
        html = _claim(app.test_client(), v).get_data(as_text=True)
        assert THROTTLED in html and _users() == 1
        # Another address keeps its own budget.
        assert _claim(app.test_client(), v, env={"REMOTE_ADDR": "203.0.113.9"}).status_code == 302
    finally:
        app.config.pop("LOOKUP_BUDGET")


def test_password_rules_answer_before_the_record_is_looked_up(client, app):
    """A password-rule message only for matching data would tell a guesser they got it right."""
    v = f.make_volunteer("陈静", phone="13812345678")
    db.session.commit()
    for phone in ("13812345678", "13700000000"):
        html = _claim(client, v, phone=phone, password="short", confirm="short").get_data(as_text=True)
        assert "至少需要 8 个字符" in html and MISMATCH not in html


def test_family_members_sharing_a_mobile_each_claim_and_log_in(app):
    mother = f.make_volunteer("王芳", phone="13812345678")
    son = f.make_volunteer("李明", phone="13812345678")
    db.session.commit()
    assert _claim(app.test_client(), mother, password="mother-pass-1", confirm="mother-pass-1").status_code == 302
    assert _claim(app.test_client(), son, password="son-pass-22", confirm="son-pass-22").status_code == 302
    assert _users() == 2
    for person, password in ((mother, "mother-pass-1"), (son, "son-pass-22")):
        for username in ("13812345678", person.id_number.lower()):
            client = app.test_client()
            r = client.post("/login", data={"username": username, "password": password})
            assert r.status_code == 302, (person.name, username)
            assert person.name in client.get("/me").get_data(as_text=True)
    client = app.test_client()
    html = client.post("/login", data={"username": "13812345678", "password": PASSWORD}).get_data(as_text=True)
    assert "用户名或密码不正确" in html


def test_an_ipv6_client_cannot_dodge_the_limits_by_changing_address(app):
    v = f.make_volunteer("陈静", phone="13812345678")
    db.session.commit()
    for k, guess in enumerate(_wrong_ids(v, 5)):
        _claim(app.test_client(), v, env={"REMOTE_ADDR": f"2001:db8:1:2::{k + 1:x}"}, id_number=guess)
    html = _claim(app.test_client(), v, env={"REMOTE_ADDR": "2001:db8:1:2:ffff::9"}).get_data(as_text=True)
    assert THROTTLED in html and _users() == 0
    # Another subscriber's network is not affected.
    assert _claim(app.test_client(), v, env={"REMOTE_ADDR": "2001:db8:1:3::1"}).status_code == 302
