"""Training, commendations and evaluations in a real browser: a leader records a training and
ticks who came on a 360-px phone; the office adds a commendation on a desktop and the volunteer
sees it on /me; every merits page fits the phone (the checks of test_phone_layout)."""
from tests import factories as f
from tests.browser.test_phone_layout import CHECK, PHONE, _login
from volunteer.extensions import db
from volunteer.merits import services


def _world(today):
    team = f.make_team("锦绣江南居委志愿服务队")
    people = [f.make_volunteer(name, teams=[team]) for name in ("王秀英", "欧阳建国", "卢梅雪")]
    leader = f.make_user("leader", username="leader-m", teams=[team])
    f.make_user("office", username="office-m")
    f.make_user("volunteer", username=people[0].phone, volunteer=people[0])
    activity = f.make_activity(team, "敬老院探访", service_date=today)
    record = f.make_record(activity, people[0])
    f.make_record(activity, people[1])
    services.evaluate_record(leader, record, {"punctuality": 5, "attitude": 5, "skill": 4, "comment": "耐心细致"})
    db.session.commit()
    return team, people, activity.id


def test_leader_records_a_training_on_a_phone(live_server, browser, today):
    _team, people, activity_id = _world(today)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _login(page, live_server.url, "leader-m")
        page.goto(live_server.url + "/merits/trainings/new")
        assert page.evaluate(CHECK) == []
        page.fill("input[name=title]", "垃圾分类督导员培训")
        page.fill("input[name=held_on]", today.isoformat())
        page.fill("input[name=hours]", "两小时")
        page.get_by_role("button", name="保存并登记参训人员").click()
        page.wait_for_load_state()
        assert "学时必须是数字" in page.content() and page.input_value("input[name=title]") == "垃圾分类督导员培训"
        page.fill("input[name=hours]", "1.5")
        page.get_by_role("button", name="保存并登记参训人员").click()
        page.wait_for_load_state()
        assert page.evaluate(CHECK) == []
        page.get_by_label("王秀英", exact=False).check()
        page.get_by_label("卢梅雪", exact=False).check()
        page.get_by_role("button", name="登记勾选的人员").click()
        page.wait_for_load_state()
        assert "参训人员（2 人）" in page.content()
        assert page.evaluate(CHECK) == []
        page.goto(live_server.url + f"/volunteers/{people[0].id}")
        section = page.locator("#merits")
        assert "垃圾分类督导员培训" in section.inner_text() and "耐心细致" in section.inner_text()
        assert page.evaluate(CHECK) == []
        for path in ("/merits/trainings", f"/merits/volunteers/{people[0].id}/commendations",
                     f"/merits/volunteers/{people[0].id}/evaluations",
                     f"/merits/activities/{activity_id}/evaluations"):
            page.goto(live_server.url + path)
            assert page.evaluate(CHECK) == [], path
    finally:
        context.close()


def test_office_commends_and_the_volunteer_sees_it(live_server, browser, page, today):
    _team, people, _activity = _world(today)
    _login(page, live_server.url, "office-m")
    page.goto(live_server.url + f"/volunteers/{people[0].id}")
    page.locator("#merits").get_by_role("link", name="登记表彰").click()
    page.fill("input[name=title]", "优秀志愿者")
    page.select_option("select[name=level]", "区级")
    page.fill("input[name=awarded_on]", today.isoformat())
    page.fill("input[name=awarded_by]", "长宁区文明办")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "优秀志愿者" in page.locator("#volunteer-commendations").inner_text()
    page.context.clear_cookies()
    _login(page, live_server.url, people[0].phone)
    page.goto(live_server.url + "/me")
    assert "优秀志愿者" in page.locator("#my-commendations").inner_text()
    assert "耐心细致" in page.locator("#my-evaluations").inner_text()
