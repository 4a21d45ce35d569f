"""Every integrity page is the office's: anonymous -> login, volunteer and leader -> 403."""
import pytest

from tests import factories as f

URLS = ["/integrity/", "/integrity/months", "/integrity/settings", "/integrity/reviews", "/integrity/review/future/1"]


@pytest.mark.parametrize("url", URLS)
def test_anonymous(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", URLS)
def test_volunteer_and_leader_are_refused(client, login_as, url):
    login_as("leader", teams=[f.make_team()])
    assert client.get(url).status_code == 403
    assert client.post("/integrity/months", data={"month": "2026-01"}).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_volunteer_is_refused(client, login_as, url):
    login_as("volunteer", volunteer=f.make_volunteer())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", URLS[:4])
def test_office(client, login_as, url):
    login_as("office")
    assert client.get(url).status_code == 200
