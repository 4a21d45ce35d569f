"""Malformed and out-of-range numbers and dates in URLs and forms answer 404 or a form error,
never 500, on SQLite and on PostgreSQL (which refuses integers beyond 64 bits with an error).

The walk covers every GET route of the app (from app.url_map, objects from the permission
world), every query parameter any route reads, as the office and as a leader; the path ids
are also tried out of range. POST forms with number and date fields get the same values.
"""
import pytest

from tests.conftest import PASSWORD
from tests.security.world import build_world
from volunteer import create_app

SKIP_ENDPOINTS = {"static", "bootstrap.static", "auth.logout"}

# Every query parameter a route reads (grep request.args and the GET filter forms).
PARAMS = (
    "page", "after", "before", "last", "older", "newer", "month", "year", "team_id", "category_id",
    "position_id", "volunteer_id", "date_from", "date_to", "status", "kind", "rule", "role", "q",
    "object_id", "object_type", "actor", "action", "political_status", "age_group", "full_id",
    "add", "lookup", "next", "period_from", "period_to", "scope",
)

HOSTILE = (
    "99999999999999999999999", "-99999999999999999999", "9223372036854775808", "2147483648", "-1", "0",
    "9999-12", "0000-00", "2026-13", "9999-12-31", "0001-01-01", "abc", "1e9", "２０２６", "NaN", "",
)
# Each parameter alone (one parameter can hide another's branch) with the values that broke pages.
SINGLE = ("9223372036854775808", "9999-12")


def _get_rules():
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted({(r.endpoint, r.rule) for r in app.url_map.iter_rules()
                   if "GET" in r.methods and r.endpoint not in SKIP_ENDPOINTS})


GET_RULES = _get_rules()


def _build(rule: str, values: dict) -> str:
    from werkzeug.routing import Map, Rule

    url_map = Map([Rule(rule, endpoint="x")])
    return url_map.bind("localhost").build("x", values)


def _login(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def _path_values(rule, world):
    from werkzeug.routing import Map, Rule

    arguments = next(Map([Rule(rule, endpoint="x")]).iter_rules()).arguments
    return {a: world.arg(a, "A") for a in arguments}


@pytest.fixture
def errors(app):
    """Answer a crash with the 500 page (as in production) and keep what raised, for the report."""
    from flask import got_request_exception

    seen = []

    def remember(sender, exception, **extra):
        seen.append(f"{type(exception).__name__}: {str(exception)[:120]}")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    got_request_exception.connect(remember, app)
    yield seen
    got_request_exception.disconnect(remember, app)
    app.config["PROPAGATE_EXCEPTIONS"] = None


@pytest.mark.parametrize("endpoint,rule", GET_RULES, ids=[e for e, _ in GET_RULES])
def test_hostile_query_values_never_answer_500(app, errors, endpoint, rule):
    world = build_world()
    path = _build(rule, _path_values(rule, world))
    failures = []
    for username in ("office", "leader_a"):
        client = _login(app, username)
        trials = [{p: value for p in PARAMS} for value in HOSTILE]
        # Each parameter alone too (one parameter can hide another's branch), as the office; not
        # for downloads, which build a whole workbook per request (≈1 s each) and read few.
        if username == "office" and not endpoint.startswith("exports."):
            trials += [{p: value} for value in SINGLE for p in PARAMS]
        elif username != "office":
            trials = trials[::4]  # the leader's scope branches: a sample of the values
        for query in trials:
            response = client.get(path, query_string=query)
            try:  # a streamed download (exports.hours) fails, if at all, while its body is read
                response.get_data()
                failed = response.status_code >= 500
            except Exception as exc:  # noqa: BLE001 - any error while streaming is a 500 to the user
                failed = True
                errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                response.close()  # ends the streamed body's request context and transaction
            if failed:
                failures.append((username, path, query if len(query) == 1 else f"all={query['page']!r}",
                                 errors[-1] if errors else ""))
    assert not failures, "\n".join(map(str, failures[:10]))


INT_PATH_VALUES = ("99999999999999999999999", "9223372036854775808", "2147483648")


@pytest.mark.parametrize("endpoint,rule", [(e, r) for e, r in GET_RULES if "<int:" in r],
                         ids=[e for e, r in GET_RULES if "<int:" in r])
def test_out_of_range_ids_in_the_path_answer_404(app, endpoint, rule):
    world = build_world()
    client = _login(app, "office")
    for huge in INT_PATH_VALUES:
        values = _path_values(rule, world)
        values.update({k: huge for k in values if f"<int:{k}>" in rule})
        url = _build(rule.replace("<int:", "<"), values)
        assert client.get(url).status_code == 404, url


def test_out_of_range_ids_in_a_post_path_answer_404(app):
    build_world()
    client = _login(app, "office")
    for url in ("/hours/records/99999999999999999999/void", "/activities/9223372036854775808/status"):
        assert client.post(url, data={"reason": "x", "status": "draft"}).status_code == 404, url


# ---------------------------------------------------------------------- POST forms

def test_activity_form_numbers_and_dates_give_form_errors(app, errors):
    world = build_world()
    client = _login(app, "office")
    base = {"team_id": world.arg("team_id", "A"), "title": "新活动", "category_id": world.arg("category_id", "A"),
            "service_date": "2026-03-15", "start_time": "09:00", "end_time": "10:00"}
    for field, value in [("headcount", "99999999999999999999999"), ("headcount", "-1"), ("headcount", "1e9"),
                         ("team_id", "99999999999999999999999"), ("category_id", "9223372036854775808"),
                         ("service_date", "9999-12-32"), ("service_date", "0000-00-00"),
                         ("service_date", "9999-12-31"), ("service_date", "0001-01-01"),
                         ("latitude", "NaN"), ("longitude", "sNaN"), ("radius_m", "99999999999999999999999"),
                         ("version", "99999999999999999999999"), ("version", "abc")]:
        for url in ("/activities/new", f"/activities/{world.arg('activity_id', 'A')}/edit"):
            response = client.post(url, data=base | {field: value})
            assert response.status_code < 500, (url, field, value, errors[-1:])


def test_hours_forms_with_hostile_numbers_give_form_errors(app, errors):
    world = build_world()
    client = _login(app, "office")
    record_id = world.arg("record_id", "A")
    for value in ("NaN", "Infinity", "-Infinity", "sNaN", "1e999999", "99999999999999999999999"):
        response = client.post(f"/hours/records/{record_id}/correct", data={"hours": value, "reason": "核对"})
        assert response.status_code == 200, value
        assert "时长" in response.get_data(as_text=True)
    for value in ("99999999999999999999999", "9223372036854775808", "-1", "abc"):
        response = client.post("/hours/approvals", data={"record_id": value, "team_id": value, "month": "9999-12"})
        assert response.status_code < 500, value
        response = client.post("/hours/approvals", data={"scope": "all", "team_id": value, "month": "9999-12"})
        assert response.status_code < 500, value
    activity_id = world.arg("activity_id", "A")
    for value in ("99999999999999999999999", "9223372036854775808"):
        response = client.post(f"/activities/{activity_id}/hours", data={"add": value, f"hours-{value}": "2"})
        assert response.status_code < 500, value


def test_other_post_forms_with_hostile_numbers_never_answer_500(app, errors):
    world = build_world()
    client = _login(app, "office")
    huge = "99999999999999999999999"
    posts = [
        ("/integrity/settings", {"daily_hours_limit": "NaN"}),
        ("/integrity/settings", {"daily_hours_limit": "Infinity"}),
        ("/integrity/settings", {"daily_hours_limit": huge}),
        ("/integrity/months", {"month": "9999-12"}),
        ("/integrity/months", {"month": "0000-00"}),
        ("/certificates/issue", {"volunteer_id": huge, "period_from": "9999-12-31", "period_to": "0001-01-01"}),
        ("/certificates/issue", {"volunteer_id": "9223372036854775808", "period_from": "2026-01-01",
                                 "period_to": "2026-06-30"}),
        ("/teams/new", {"name": "新队", "kind": "居委", "position_id": huge, "leader_ids": huge}),
        ("/users/new", {"username": "u1", "role": "leader", "team_ids": huge, "password": "a-long-pass-1"}),
        ("/volunteers/new", {"name": "某人", "teams": huge}),
        ("/positions/new", {"name": "站", "kind": "station", "parent_id": huge}),
        ("/teams/categories", {"name": "新类别", "sort_order": huge}),
        (f"/teams/categories/{world.arg('category_id', 'A')}/edit", {"name": "新类别", "sort_order": huge}),
        (f"/users/{world.arg('user_id', 'A')}/teams", {"team_ids": huge}),
        (f"/integrity/review/overlap/{world.arg('record_id', 'A')}", {"decision": "void", "reason": "x",
                                                                     "next": "//evil.example"}),
    ]
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, data, errors[-1:])
