"""Every route, every method, every role, on objects of team A and team B: one exact status.

Generated from app.url_map, so a new route without an expected outcome fails here. Roles:
anonymous, a volunteer (member of team A, linked login), the leader of team B, the leader of
team A, the office. POSTs carry no form data (CSRF is checked separately), so a permitted POST
answers with its form error (200) or its redirect (302), a refused one with 302 to the login,
403, or 404 for objects outside the user's scope.
"""
import os

import pytest

from tests.conftest import PASSWORD
from tests.security.expected_matrix import EXPECTED
from tests.security.world import ROLES, build_world
from volunteer import create_app

SKIP_ENDPOINTS = {"static", "bootstrap.static"}


def _combos():
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    combos = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        owners = ("A", "B") if rule.arguments else (None,)
        for method in sorted(rule.methods & {"GET", "POST"}):
            for owner in owners:
                combos.append((rule.endpoint, rule.rule, method, owner))
    return sorted(combos)


COMBOS = _combos()


def test_every_route_has_an_expected_outcome():
    missing = [(e, m, o) for e, _, m, o in COMBOS if (e, m, o) not in EXPECTED]
    stale = sorted(set(EXPECTED) - {(e, m, o) for e, _, m, o in COMBOS})
    assert not missing, f"routes without an expected outcome in expected_matrix.py: {missing}"
    assert not stale, f"expected outcomes for routes that no longer exist: {stale}"


def _url(rule: str, world, owner):
    from werkzeug.routing import Map, Rule

    url_map = Map([Rule(rule, endpoint="x")])
    arguments = next(url_map.iter_rules()).arguments
    return url_map.bind("localhost").build("x", {a: world.arg(a, owner) for a in arguments})


@pytest.mark.parametrize("endpoint,rule,method,owner", COMBOS, ids=[f"{e}-{m}-{o}" for e, _, m, o in COMBOS])
def test_route_answers_exactly_as_expected(app, endpoint, rule, method, owner):
    world = build_world()
    url = _url(rule, world, owner)
    got = []
    for role in ROLES:
        client = app.test_client()
        if role != "anon":
            r = client.post("/login", data={"username": world.users[role].username, "password": PASSWORD})
            assert r.status_code == 302, f"login as {role} failed"
        response = client.open(url, method=method, data={} if method == "POST" else None)
        got.append(response.status_code)
        response.close()  # a streamed download keeps its request context until closed
    actual = " ".join(map(str, got))
    if os.environ.get("MATRIX_PRINT"):
        print(f"MATRIX {endpoint!r}, {method!r}, {owner!r}: {actual!r}")
    expected = EXPECTED.get((endpoint, method, owner))
    assert actual == expected, f"{method} {url} as {ROLES}: got {actual}, expected {expected}"
