"""axe-core over the main pages of each role on a 360-px phone (issue 16): no serious or critical
finding, also with 大字 on. axe-core comes from the axe-playwright-python package and is run
through Playwright's evaluate, which the strict CSP does not concern (the app adds no script)."""
import pytest

from tests.browser.test_phone_layout import PHONE, _enrich, _login
from tests.security.world import build_world

MAIN_PAGES = {
    "anon": ["/login", "/register"],
    "volunteer": ["/me", "/activities/", "/c"],
    "leader_a": ["/", "/activities/{activity}", "/activities/{activity}/hours", "/teams/{team}"],
    "office": ["/hours/approvals", "/volunteers/", "/reports/"],
}


@pytest.mark.parametrize("role", ["anon", "volunteer", "leader_a", "office", "volunteer+elder"])
def test_main_pages_have_no_serious_accessibility_finding(live_server, browser, role):
    from axe_playwright_python.sync_playwright import Axe

    role, _, elder = role.partition("+")
    world = build_world()
    _enrich(world)
    ids = {"activity": world.objects[("activity_id", "A")], "team": world.objects[("team_id", "A")]}
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    if elder:
        context.add_cookies([{"name": "display", "value": "elder", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    axe, found = Axe(), {}
    try:
        if role != "anon":
            _login(page, live_server.url, world.users[role].username)
        for path in MAIN_PAGES[role][:2] if elder else MAIN_PAGES[role]:
            page.goto(live_server.url + path.format(**ids))
            violations = axe.run(page).response["violations"]
            serious = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in violations
                       if v["impact"] in ("serious", "critical")]
            if serious:
                found[path] = serious
    finally:
        context.close()
    assert not found, f"axe-core as {role}{' with 大字' if elder else ''}: {found}"
