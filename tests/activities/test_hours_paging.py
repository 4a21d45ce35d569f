"""The hours screen of a big team pages and searches its people on the server, and what the
leader typed survives every page turn, search and fill until 保存 saves it all at once."""
import re

import pytest
from sqlalchemy import select

from tests import factories as f
from volunteer.activities.models import ActivitySignup
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord


@pytest.fixture
def big(app, monkeypatch, login_as):
    """A team of 25 (队员00…队员24) at 10 a page, the activity three hours long."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 10)
    team = f.make_team("大队")
    members = [f.make_volunteer(f"队员{i:02d}", teams=[team]) for i in range(25)]
    activity = f.make_activity(team, "文明交通劝导", start_time="07:00", end_time="10:00")
    db.session.commit()
    login_as("leader", teams=[team])
    return activity, members


def _url(activity):
    return f"/activities/{activity.id}/hours"


def _boxes(html) -> dict[int, str]:
    """The visible hours boxes on the page: {volunteer id: value}."""
    return {int(m.group(1)): m.group(2) for m in re.finditer(
        r'<input id="hours-(\d+)" name="hours-\d+"[^>]*?value="([^"]*)"', html, re.S)}


def _hidden(html) -> dict[int, str]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(r'<input type="hidden" name="hours-(\d+)" value="([^"]*)"', html)}


def _form(html) -> dict:
    """What the browser would send back: hidden fields and the boxes as shown."""
    data = {name: value for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}
    data.update({f"hours-{vid}": value for vid, value in _boxes(html).items()})
    search = re.search(r'name="q" type="search"[^>]*?value="([^"]*)"', html, re.S)
    if search:
        data["q"] = search.group(1)
    return data


def _saved():
    return {(r.volunteer_id, r.minutes, r.status) for r in db.session.scalars(select(ServiceRecord))}


def test_a_page_shows_ten_of_twenty_five_and_the_pager_counts_them(client, big):
    activity, members = big
    html = client.get(_url(activity)).get_data(as_text=True)
    assert list(_boxes(html)) == [m.id for m in members[:10]]
    assert "第 1 / 3 页" in html and "共 25 人" in html
    last = client.get(_url(activity) + "?page=3").get_data(as_text=True)
    assert list(_boxes(last)) == [m.id for m in members[20:]]
    # A page past the end shows the last one, never an empty screen.
    assert list(_boxes(client.get(_url(activity) + "?page=9").get_data(as_text=True))) == [m.id for m in members[20:]]


def test_hours_typed_on_one_page_survive_turning_pages_and_save_together(client, big):
    activity, members = big
    html = client.get(_url(activity)).get_data(as_text=True)
    data = _form(html) | {f"hours-{members[1].id}": "2", "goto": "3"}
    page3 = client.post(_url(activity), data=data).get_data(as_text=True)
    assert list(_boxes(page3)) == [m.id for m in members[20:]]
    assert _hidden(page3) == {members[1].id: "2"}  # untouched boxes are not carried
    assert "另有 1 人的时长在其他页已填写" in page3
    data = _form(page3) | {f"hours-{members[22].id}": "1.5", "goto": "1"}
    page1 = client.post(_url(activity), data=data).get_data(as_text=True)
    assert _boxes(page1)[members[1].id] == "2" and _hidden(page1) == {members[22].id: "1.5"}
    assert _saved() == set()  # nothing saved by turning pages
    response = client.post(_url(activity), data=_form(page1) | {"action": "save"})
    assert response.status_code == 302
    assert _saved() == {(members[1].id, 120, "pending"), (members[22].id, 90, "pending")}


def test_search_by_name_or_id_tail_keeps_what_was_typed(client, big):
    activity, members = big
    html = client.get(_url(activity)).get_data(as_text=True)
    data = _form(html) | {f"hours-{members[0].id}": "3", "q": "队员2", "action": "search"}
    found = client.post(_url(activity), data=data).get_data(as_text=True)
    assert list(_boxes(found)) == [m.id for m in members[20:25]]
    assert "找到 5 人" in found and _hidden(found) == {members[0].id: "3"}
    tail = members[13].id_number[-4:]
    by_tail = client.get(_url(activity) + f"?q={tail}").get_data(as_text=True)
    assert members[13].id in _boxes(by_tail)
    nothing = client.get(_url(activity) + "?q=不存在的人").get_data(as_text=True)
    assert _boxes(nothing) == {} and "没有姓名或证件号后四位与“不存在的人”相符的人" in nothing
    # Enter in the search box (the form's first button is 保存) searches instead of saving.
    data = _form(found) | {"q": "队员00", "action": "save"}
    again = client.post(_url(activity), data=data).get_data(as_text=True)
    assert list(_boxes(again)) == [members[0].id] and _boxes(again)[members[0].id] == "3"
    assert _saved() == set()
    client.post(_url(activity), data=_form(again) | {"action": "save"})
    assert _saved() == {(members[0].id, 180, "pending")}


def test_fill_reaches_the_signed_up_on_every_page_without_saving(client, big):
    activity, members = big
    for person in (members[2], members[24]):  # the signed-up come first: both on page 1
        db.session.add(ActivitySignup(activity_id=activity.id, volunteer_id=person.id))
    f.make_record(activity, members[2], minutes=60, status="pending")
    db.session.commit()
    html = client.get(_url(activity)).get_data(as_text=True)
    assert "为已报名的 2 人填入 3 小时" in html
    filled = client.post(_url(activity), data=_form(html) | {"action": "fill", "goto": "2"}).get_data(as_text=True)
    assert "已为 1 位已报名者填入 3 小时" in filled  # the one with saved hours keeps them
    assert _hidden(filled) == {members[24].id: "3"} and _saved() == {(members[2].id, 60, "pending")}


def test_a_bad_box_on_another_page_shows_only_the_bad_rows_and_saves_nothing(client, big):
    activity, members = big
    html = client.get(_url(activity)).get_data(as_text=True)
    page2 = client.post(_url(activity), data=_form(html) | {f"hours-{members[0].id}": "两小时", "goto": "2"})
    page2 = page2.get_data(as_text=True)
    response = client.post(_url(activity), data=_form(page2) | {f"hours-{members[11].id}": "2", "action": "save"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and list(_boxes(html)) == [members[0].id]
    assert _boxes(html)[members[0].id] == "两小时" and "仅显示有填写错误的 1 人" in html
    assert _hidden(html)[members[11].id] == "2" and _saved() == set()
    fixed = _form(html) | {f"hours-{members[0].id}": "2.5", "action": "save"}
    assert client.post(_url(activity), data=fixed).status_code == 302
    assert _saved() == {(members[0].id, 150, "pending"), (members[11].id, 120, "pending")}


def test_a_box_cleared_on_one_page_is_withdrawn_when_saved_from_another(client, big):
    activity, members = big
    f.make_record(activity, members[15], minutes=60, status="pending")
    db.session.commit()
    html = client.get(_url(activity)).get_data(as_text=True)
    assert _boxes(html)[members[15].id] == "1"  # recorded: on page 1
    page3 = client.post(_url(activity), data=_form(html) | {f"hours-{members[15].id}": "", "goto": "3"})
    page3 = page3.get_data(as_text=True)
    assert _hidden(page3) == {members[15].id: ""}
    assert client.post(_url(activity), data=_form(page3) | {"action": "save"}).status_code == 302
    assert _saved() == {(members[15].id, 60, "void")}


def test_a_forged_box_for_someone_off_the_roster_is_ignored(client, big):
    activity, _members = big
    stranger = f.make_volunteer("外人", teams=[f.make_team("别队")])
    db.session.commit()
    html = client.post(_url(activity), data={f"hours-{stranger.id}": "2", "goto": "2"}).get_data(as_text=True)
    assert stranger.id not in _hidden(html)
    client.post(_url(activity), data={f"hours-{stranger.id}": "2", "action": "save"})
    assert _saved() == set()


def test_a_long_form_of_typed_boxes_from_many_pages_is_not_refused(client, big):
    """Boxes typed on 20 pages of a big team travel together in one urlencoded form (werkzeug's
    1,000-part limit applies to multipart forms only; a multipart hours form would get a 413)."""
    activity, members = big
    page = client.get(_url(activity)).get_data(as_text=True)
    many = {f"hours-{10**9 + i}": "" for i in range(1500)}  # empty boxes of people on other pages
    response = client.post(_url(activity), data=_form(page) | many | {f"hours-{members[0].id}": "1", "action": "save"})
    assert response.status_code == 302
    assert _saved() == {(members[0].id, 60, "pending")}
