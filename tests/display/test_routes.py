"""The 适老化 switch (issue 16): a POST that remembers larger text per browser, before and after login."""
import re

from tests import factories as f


def _page_class(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r"<html[^>]*>", html).group(0)


def test_the_switch_is_in_the_nav_and_turns_larger_text_on_and_off_without_javascript(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'action="/display"' in html and 'value="elder"' in html and 'aria-pressed="false"' in html
    assert "elder" not in _page_class(client)

    response = client.post("/display", data={"mode": "elder", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("display=elder") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert 'class="elder"' in _page_class(client)
    assert 'aria-pressed="true"' in client.get("/login").get_data(as_text=True)

    client.post("/display", data={"mode": "standard", "next": "/login"})
    assert "elder" not in _page_class(client)


def test_the_choice_stays_after_logging_in(client, login_as):
    client.post("/display", data={"mode": "elder"})
    volunteer = f.make_volunteer("王秀英")
    login_as(f.make_user("volunteer", username=volunteer.phone, volunteer=volunteer))
    assert 'class="elder"' in _page_class(client, "/me")


def test_it_goes_back_only_to_this_site_and_refuses_an_unknown_mode(client):
    response = client.post("/display", data={"mode": "elder", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    assert client.post("/display", data={"mode": "huge"}).status_code == 400
    assert client.get("/display").status_code == 405  # no state change on a GET


def test_the_switch_needs_its_csrf_token(csrf_app):
    client = csrf_app.test_client()
    assert client.post("/display", data={"mode": "elder"}).status_code == 400
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post("/display", data={"mode": "elder", "csrf_token": token})
    assert response.status_code == 302 and "display=elder" in response.headers["Set-Cookie"]
