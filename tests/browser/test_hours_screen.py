"""The hours screen of a big team in a real Chromium: find people by typing, fill the signed-up
people's boxes in one click, save; add someone from another team by name and mobile. And the
invitation a volunteer answers on a 360-px phone."""
from volunteer.activities.models import ActivitySignup
from volunteer.extensions import db
from volunteer.hours.models import ServiceRecord
from volunteer.teams.models import TeamInvitation, TeamMembership

from tests import factories as f
from tests.browser.test_core_journey import _login


def test_a_leader_filters_a_big_team_and_fills_the_signed_up_in_one_click(live_server, page):
    team = f.make_team("龙柏一村居委志愿服务队")
    helper = f.make_volunteer("外援赵", teams=[f.make_team("别的队")], phone="13766667777")
    members = [f.make_volunteer(f"{surname}{given}", teams=[team])
               for surname in "王李张刘陈" for given in ("伟", "芳", "娜", "敏", "静", "强", "磊", "军")]
    activity = f.make_activity(team, "文明交通劝导", start_time="07:00", end_time="10:00")
    signed = [members[5], members[30]]
    for person in signed:
        db.session.add(ActivitySignup(activity_id=activity.id, volunteer_id=person.id))
    f.make_user("leader", username="leader01", teams=[team])
    db.session.commit()

    _login(page, live_server.url, "leader01")
    page.goto(f"{live_server.url}/activities/{activity.id}/hours")
    first_two = page.locator("#roster-rows tr label").all_inner_texts()[:2]
    assert sorted(first_two) == sorted(p.name for p in signed)

    # Typing a name leaves only the matching rows; the last four digits of the ID find one person.
    page.fill("#roster-filter", "张")
    assert page.locator("#roster-rows tr:visible").count() == 8
    page.fill("#roster-filter", members[12].id_number[-4:])
    assert page.locator("#roster-rows tr:visible label").all_inner_texts() == [members[12].name]
    page.fill(f"#hours-{members[12].id}", "1.5")
    page.fill("#roster-filter", "")
    assert page.locator("#roster-rows tr:visible").count() == 40

    page.click("text=为已报名的 2 人填入 3 小时")
    assert [page.input_value(f"#hours-{p.id}") for p in signed] == ["3", "3"]
    assert page.input_value(f"#hours-{members[0].id}") == ""
    page.click("text=保存时长")
    assert "新增 3 条" in page.inner_text(".alert")
    db.session.rollback()  # end this thread's snapshot: the server committed in its own
    saved = {(r.volunteer_id, r.minutes) for r in db.session.scalars(db.select(ServiceRecord))}
    assert saved == {(signed[0].id, 180), (signed[1].id, 180), (members[12].id, 90)}

    # Someone from another team: found by name with mobile (a POST), then their hours saved.
    page.fill("input[name=name]", "外援赵")
    page.fill("input[name=key]", "137 6666 7777")
    page.click("text=查找并添加")
    assert "已添加 外援赵" in page.inner_text(".alert")
    page.fill(f"#hours-{helper.id}", "2")
    page.click("text=保存时长")
    assert "新增 1 条" in page.inner_text(".alert")
    db.session.rollback()
    assert db.session.scalar(db.select(ServiceRecord.minutes).where(ServiceRecord.volunteer_id == helper.id)) == 120


def test_a_volunteer_accepts_an_invitation_on_a_phone(live_server, browser):
    team = f.make_team("古美一居委志愿服务队")
    person = f.make_volunteer("受邀人", teams=[f.make_team("原队")], phone="13788889999")
    db.session.add(TeamInvitation(team_id=team.id, volunteer_id=person.id, status="pending"))
    f.make_user("volunteer", username=person.phone, volunteer=person)
    db.session.commit()

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, live_server.url, person.phone)
        page.goto(f"{live_server.url}/me")
        accept = page.locator("#invitations button", has_text="接受")
        box = accept.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        accept.click()
        page.wait_for_load_state()
        assert "已加入“古美一居委志愿服务队”" in page.inner_text(".alert")
    finally:
        context.close()
    db.session.rollback()
    assert db.session.get(TeamMembership, (team.id, person.id)) is not None


def test_a_leader_on_a_phone_types_on_one_page_turns_pages_and_searches_then_saves_all(live_server, browser):
    """A team bigger than a page: the pager and Enter in the search box go to the server, and
    the hours typed on page 1 come back and are saved with those typed after the search."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    live_server.app.config["PAGE_SIZE"] = 10  # the app fixture restores the configuration
    team = f.make_team("大队")
    members = [f.make_volunteer(f"队员{i:02d}", teams=[team]) for i in range(25)]
    activity = f.make_activity(team, "文明交通劝导", start_time="07:00", end_time="10:00")
    f.make_user("leader", username="leader01", teams=[team])
    db.session.commit()
    try:
        _login(page, live_server.url, "leader01")
        page.goto(f"{live_server.url}/activities/{activity.id}/hours")
        page.fill(f"#hours-{members[0].id}", "2")
        page.click("button[name=goto]:has-text('末页')")
        assert "第 3 / 3 页" in page.inner_text("#roster-pager")
        assert page.locator(f"#hours-{members[0].id}").count() == 0
        page.fill("#roster-filter", "队员07")
        page.press("#roster-filter", "Enter")  # searches (the server), not 保存
        page.wait_for_load_state()
        assert page.locator("#roster-rows tr label").all_inner_texts() == ["队员07"]
        page.fill(f"#hours-{members[7].id}", "1.5")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.click("text=保存时长")
        assert "新增 2 条" in page.inner_text(".alert")
    finally:
        context.close()
    db.session.rollback()
    saved = {(r.volunteer_id, r.minutes) for r in db.session.scalars(db.select(ServiceRecord))}
    assert saved == {(members[0].id, 120), (members[7].id, 90)}
