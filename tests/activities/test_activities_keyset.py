"""The activities list pages by (date, id), newest first, through keyset cursors: the oldest page
costs what the first does, and the pager still offers 末页 (issue 18)."""
import re
from datetime import date

import pytest

from tests import factories as f
from volunteer.extensions import db


@pytest.fixture
def seven(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    team = f.make_team("队")
    made = [f.make_activity(team, f"活动{i}", service_date=date(2026, 3, 1 + i)) for i in range(7)]
    db.session.commit()
    return made


def _titles(html):
    return re.findall(r">(活动\d)<", html)


def test_newest_first_then_older_then_the_last_page_and_back(client, login_as, seven):
    login_as("office")
    first = client.get("/activities/").get_data(as_text=True)
    assert _titles(first) == ["活动6", "活动5", "活动4"] and "共 7 条" in first
    older = re.search(r'href="(/activities/\?after=[^"]+)"', first).group(1)
    second = client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert _titles(second) == ["活动3", "活动2", "活动1"]
    last = client.get("/activities/?last=1").get_data(as_text=True)
    assert _titles(last) == ["活动2", "活动1", "活动0"]
    newer = re.search(r'href="(/activities/\?before=[^"]+)"', last).group(1)
    assert _titles(client.get(newer.replace("&amp;", "&")).get_data(as_text=True)) == ["活动5", "活动4", "活动3"]


def test_a_filter_is_kept_in_the_pager_and_a_bad_cursor_is_the_first_page(client, login_as, seven):
    login_as("office")
    html = client.get("/activities/?status=published").get_data(as_text=True)
    assert re.search(r'href="/activities/\?after=[^"]*status=published|href="/activities/\?[^"]*status=published[^"]*after=',
                     html)
    assert _titles(client.get("/activities/?after=not-a-cursor").get_data(as_text=True)) == ["活动6", "活动5", "活动4"]
