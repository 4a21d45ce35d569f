"""A wrong login costs the same password-hash work whether the username (a volunteer's mobile)
is unknown, known, or shared by a family: the answer time tells nobody who is registered."""
import pytest

import volunteer.auth.models as auth_models
from volunteer.extensions import db

from tests import factories as f
from tests.conftest import PASSWORD


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password-hash check as the method of the hash it was checked against."""
    calls = []
    real = auth_models.check_password_hash

    def counting(pwhash, password):
        calls.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(auth_models, "check_password_hash", counting)
    return calls


def _fail(client, username, hash_checks) -> list[str]:
    hash_checks.clear()
    html = client.post("/login", data={"username": username, "password": "wrong-pass-1"}).get_data(as_text=True)
    assert "用户名或密码不正确" in html
    return list(hash_checks)


def test_unknown_known_and_shared_usernames_cost_the_same_hashes(client, app, hash_checks):
    f.make_user("office", username="clerk")
    mother = f.make_volunteer("王芳", phone="13812345678")
    son = f.make_volunteer("李明", phone="13812345678")
    f.make_user("volunteer", username="13812345678", volunteer=mother)
    f.make_user("volunteer", username=son.id_number, volunteer=son)
    single = f.make_volunteer("赵一", phone="13900001111")
    f.make_user("volunteer", username="13900001111", volunteer=single)
    db.session.commit()
    unknown = _fail(client, "13700000000", hash_checks)
    assert unknown, "an unknown username must cost a password hash too"
    method = app.config["PASSWORD_HASH_METHOD"]
    assert set(unknown) == {method}  # a dummy hash of the method real hashes use
    for username in ("clerk", "13900001111", "13812345678", son.id_number, "nobody"):
        assert _fail(client, username, hash_checks) == unknown, username


def test_a_right_password_still_logs_in(client, app, hash_checks):
    f.make_user("office", username="clerk")
    db.session.commit()
    assert client.post("/login", data={"username": "clerk", "password": PASSWORD}).status_code == 302
