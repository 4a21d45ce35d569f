"""Every state-changing route refuses a POST without a valid CSRF token, whoever sends it."""
import pytest

from tests.conftest import PASSWORD
from tests.security.test_permissions_matrix import COMBOS, _url
from tests.security.world import build_world
from volunteer.audit.models import AuditLog
from volunteer.extensions import db

POSTS = [(e, r, o) for e, r, m, o in COMBOS if m == "POST" and e != "auth.login"]


@pytest.mark.parametrize("endpoint,rule,owner", POSTS, ids=[f"{e}-{o}" for e, _, o in POSTS])
def test_post_without_token_is_refused_and_changes_nothing(app, endpoint, rule, owner):
    world = build_world()
    client = app.test_client()
    client.post("/login", data={"username": "office", "password": PASSWORD})  # CSRF is off for this step
    before = db.session.scalar(db.select(db.func.count()).select_from(AuditLog))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(_url(rule, world, owner), data={"csrf_token": "forged"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditLog)) == before


def test_login_without_token_is_refused(csrf_app):
    response = csrf_app.test_client().post("/login", data={"username": "office", "password": PASSWORD})
    assert response.status_code == 400
