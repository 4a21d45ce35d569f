"""Every page of the three roles on a 360-px phone in Chromium (issue 16): a page fails when a
short word (a name, a status, a label of up to 4 Chinese characters) stacks over two lines, when
the page is wider than the screen, or when a tap target is under 24 px (WCAG 2.2, 2.5.8).

The pages are the GET routes of app.url_map that the permission matrix says answer 200 to the role
on its own team's objects (tests/security/expected_matrix.py), over the permission tests' small
world plus a few published activities, sign-ups and records so lists have rows. One browser, one
context per role. Screenshots go to tests/browser/screenshots/phone/ (git-ignored) for review.
"""
import re
from datetime import timedelta
from pathlib import Path

import pytest

from volunteer.activities.models import ActivitySignup
from volunteer.clock import today_local
from volunteer.extensions import db
from volunteer.teams.models import Team

from tests import factories as f
from tests.conftest import PASSWORD
from tests.security.expected_matrix import EXPECTED
from tests.security.world import ROLES, build_world

SHOTS = Path(__file__).parent / "screenshots" / "phone"
PHONE = {"width": 360, "height": 740}
# Not pages: assets, a JSON probe, and downloads (answered as files, checked by their own tests).
SKIP = {"static", "bootstrap.static", "main.healthz"}

# Runs in the page: returns a list of problems, each a short sentence a person can act on.
CHECK = r"""
(minFont) => {
  const problems = [];
  const vw = document.documentElement.clientWidth;
  const width = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  if (width > vw + 1) {
    const wide = [...document.querySelectorAll('body *')].filter(e => {
      const r = e.getBoundingClientRect();
      return r.width && r.right > vw + 1 && !e.closest('.table-responsive, pre');
    }).slice(0, 6).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '') + (e.children.length ? '' : ' "' + e.textContent.trim().slice(0, 24) + '"'));
    problems.push(`page ${width}px wide on a ${vw}px screen (${wide.join(', ')})`);
  }
  const visible = e => {
    if (e.closest('.visually-hidden, .visually-hidden-focusable, [hidden], .d-none')) return false;
    const s = getComputedStyle(e);
    return s.visibility !== 'hidden' && s.display !== 'none';
  };
  // A word inside running text may wrap at the end of a line, as Chinese text does; a word that
  // is its box's whole content (a cell, a badge, a button, a label) must not.
  const inSentence = (e, text) => {
    let box = e;
    while (box.parentElement && getComputedStyle(box).display === 'inline') box = box.parentElement;
    return box !== e && box.textContent.trim().length > text.length + 4;
  };
  const short = /^[\u3400-\u9fff\uff08\uff09\u00b7]{2,4}$/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!short.test(text) || !node.parentElement || !visible(node.parentElement)) continue;
    if (node.parentElement.closest('script, style, option, title')) continue;
    if (inSentence(node.parentElement, text)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top / 4)));
    if (tops.size > 1) problems.push(`"${text}" breaks over ${tops.size} lines`);
  }
  // A date, a time, a masked ID or an hour count is one word: "2026-01-" on one line and "01" on
  // the next reads as two numbers (app.js keeps each in a .nowrap span).
  const unit = /\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|[0-9A-Za-z]*\*{2,}[0-9A-Za-z]+|\d+(?:\.\d+)?\s?小时/g;
  const units = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = units.nextNode(); node; node = units.nextNode()) {
    const e = node.parentElement;
    if (!e || e.closest('script, style, option, title, textarea') || !visible(e)) continue;
    for (const m of node.textContent.matchAll(unit)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top / 4)));
      if (tops.size > 1) problems.push(`"${m[0]}" splits over ${tops.size} lines`);
    }
  }
  // The header's pieces (the brand, the 大字 and language switches, the menu button) never overlap.
  const head = [...document.querySelectorAll('nav.navbar > .container-fluid > :not(.collapse)')]
    .filter(e => visible(e) && e.getClientRects().length).map(e => [e, e.getBoundingClientRect()]);
  for (let i = 0; i < head.length; i++) for (let j = i + 1; j < head.length; j++) {
    const [a, ra] = head[i], [b, rb] = head[j];
    if (ra.left < rb.right - 1 && rb.left < ra.right - 1 && ra.top < rb.bottom - 1 && rb.top < ra.bottom - 1)
      problems.push(`header: "${a.textContent.trim().slice(0, 12)}" overlaps "${b.textContent.trim().slice(0, 12)}"`);
  }
  const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  for (const e of document.querySelectorAll(targets)) {
    if (!visible(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.width >= 24 && r.height >= 24) continue;
    // WCAG's inline exception: a link inside a sentence is sized by the sentence's line height.
    if (e.tagName === 'A' && getComputedStyle(e).display === 'inline' && inSentence(e, e.textContent.trim())) continue;
    const name = (e.textContent || e.value || e.name || e.type || '').trim().slice(0, 20);
    problems.push(`tap target ${e.tagName.toLowerCase()} "${name}" is ${Math.round(r.width)}x${Math.round(r.height)} px`);
  }
  // The page's main action (Bootstrap's primary button) is at least 44 px high.
  for (const e of document.querySelectorAll('main .btn-primary')) {
    const r = e.getBoundingClientRect();
    if (visible(e) && r.height && r.height < 44) problems.push(`main action "${e.textContent.trim().slice(0, 20)}" is ${Math.round(r.height)} px high`);
  }
  // Volunteers' pages: no text under 16 px (phones zoom into smaller inputs, and many readers are old).
  if (minFont) {
    const texts = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode(); node; node = texts.nextNode()) {
      const e = node.parentElement;
      if (!node.textContent.trim() || !e || !visible(e) || !e.getClientRects().length) continue;
      const size = parseFloat(getComputedStyle(e).fontSize);
      if (size < minFont) problems.push(`"${node.textContent.trim().slice(0, 20)}" is ${size} px`);
    }
  }
  return problems;
}
"""


def _enrich(world):
    """Rows for the lists a phone shows most: published activities with a place, times and a
    quota, the volunteer's sign-ups, and approved and pending records with long team names."""
    today = today_local()
    team = db.session.get(Team, world.objects[("team_id", "A")])
    member = world.objects[("_member", "A")]
    others = [f.make_volunteer(name, teams=[team]) for name in ("万莉", "卢梅雪", "欧阳建国")]
    for n, days in enumerate((2, 5, 9)):
        activity = f.make_activity(team, f"垃圾分类桶边督导第{n + 1}场", service_date=today + timedelta(days=days),
                                   start_time="07:00", end_time="09:30", place="虹桥镇锦绣江南小区东门",
                                   headcount=8, status="published")
        people = [member, *others] if n == 0 else others[: n + 1]
        for person in people:
            db.session.add(ActivitySignup(activity_id=activity.id, volunteer_id=person.id))
        past = f.make_activity(team, f"敬老院探访第{n + 1}次", service_date=today - timedelta(days=10 + days))
        for person in (member, *others):
            f.make_record(past, person, minutes=150, status="approved" if n else "pending")
    db.session.commit()


def _login(page, base, username):
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"login as {username} failed"


def _pages(role: str) -> list[str]:
    """The HTML pages the matrix promises this role (200), on its own team's objects."""
    from tests.security.test_permissions_matrix import COMBOS

    column = ROLES.index(role)
    pages = []
    for endpoint, rule, method, owner in COMBOS:
        if method != "GET" or endpoint in SKIP or owner == "B" or endpoint.startswith("exports."):
            continue
        expected = EXPECTED.get((endpoint, method, owner))
        if expected and expected.split()[column] == "200":
            pages.append((endpoint, rule, owner))
    return pages


@pytest.mark.parametrize("role", ["anon", "volunteer", "leader_a", "office", "volunteer+elder"])
def test_every_page_fits_a_360px_phone(live_server, browser, role):
    """One browser context per role; "+elder" is the same role with the 大字 (适老化) setting on."""
    role, _, elder = role.partition("+")
    from playwright.sync_api import Error as PlaywrightError

    from tests.security.test_permissions_matrix import _url

    world = build_world()
    _enrich(world)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    if elder:
        context.add_cookies([{"name": "display", "value": "elder", "url": live_server.url}])
    folder = SHOTS / (role + ("-elder" if elder else ""))
    folder.mkdir(parents=True, exist_ok=True)
    failures = {}
    try:
        if role != "anon":
            _login(page, live_server.url, world.users[role].username)
        for endpoint, rule, owner in _pages(role):
            url = live_server.url + _url(rule, world, owner)
            try:
                answer = page.goto(url)
            except PlaywrightError as error:  # a download answers a file, not a page
                if "Download is starting" in str(error):
                    continue
                raise
            if answer.status != 200 or page.url != url or "text/html" not in answer.headers.get("content-type", ""):
                continue  # a page this role reaches only after a redirect, or not HTML
            problems = page.evaluate(CHECK, 16 if role in ("anon", "volunteer") else 0)
            page.screenshot(path=str(folder / f"{re.sub(r'[^a-z_.]', '', endpoint)}.jpeg"), full_page=True,
                            type="jpeg", quality=70)
            if problems:
                failures[f"{endpoint} {url[len(live_server.url):]}"] = problems
    finally:
        context.close()
    report = "\n".join(f"{where}:\n    " + "\n    ".join(sorted(set(p))[:12]) for where, p in failures.items())
    assert not failures, f"{len(failures)} pages do not fit a 360-px phone as {role}:\n{report}"


# The states between pages, at 360 px with the same checks: the error pages (404; 403 where the role
# is logged in and reaches a page it may not use) and one form re-shown with its message: the page,
# what is typed (selector -> value; the last field gets Enter), for each role.
FORM_ERRORS = {
    "anon": ("/login", {"input[name=username]": "nobody", "input[name=password]": "wrong-password"}),
    "volunteer": ("/c", {"input[name=code]": "12"}),
    "leader_a": ("/activities/new", {"input[name=place]": "锦绣江南小区东门"}),  # no title: 请填写活动名称
    "office": ("/teams/new", {"input[name=leader_phone]": "123"}),
}


@pytest.mark.parametrize("role", ["anon", "volunteer", "leader_a", "office", "volunteer+elder", "leader_a+elder"])
def test_error_pages_and_form_errors_fit_a_360px_phone(live_server, browser, role):
    role, _, elder = role.partition("+")
    world = build_world()
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    if elder:
        context.add_cookies([{"name": "display", "value": "elder", "url": live_server.url}])
    folder = SHOTS / ((role + "-elder" if elder else role) + "-states")
    folder.mkdir(parents=True, exist_ok=True)
    failures = {}

    def check(name, wanted):
        problems = page.evaluate(CHECK, 16 if role in ("anon", "volunteer") else 0)
        page.screenshot(path=str(folder / f"{name}.jpeg"), full_page=True, type="jpeg", quality=70)
        if not page.locator(wanted).first.is_visible():
            problems.append(f"no visible {wanted} on {page.url}")
        if problems:
            failures[name] = problems

    try:
        if role != "anon":
            _login(page, live_server.url, world.users[role].username)
        assert page.goto(live_server.url + "/no-such-page").status == 404
        check("404", "main h1")
        if role in ("volunteer", "leader_a"):
            assert page.goto(live_server.url + "/teams/new").status == 403
            check("403", "main h1")
        path, typed = FORM_ERRORS[role]
        page.goto(live_server.url + path)
        for selector, value in typed.items():
            page.fill(selector, value)
        page.press(list(typed)[-1], "Enter")
        page.wait_for_load_state()
        check("form-error", ".invalid-feedback, main .alert-danger")
        for selector, value in typed.items():  # what was typed is kept
            if "password" not in selector:
                assert page.input_value(selector) == value, f"{selector} lost what was typed"
    finally:
        context.close()
    report = "\n".join(f"{where}:\n    " + "\n    ".join(sorted(set(p))[:12]) for where, p in failures.items())
    assert not failures, f"{len(failures)} states do not fit a 360-px phone as {role}{' (大字)' if elder else ''}:\n{report}"


def test_the_crawl_catches_a_date_or_a_mask_split_over_two_lines(page):
    """The check itself can fail: a date and a mask in boxes too narrow for them, and a header
    whose menu button sits on the brand."""
    page.set_viewport_size(PHONE)
    page.set_content('<nav class="navbar"><div class="container-fluid"><a href="#" style="display:inline-block;'
                     'width:200px;height:30px">品牌</a><button style="margin-left:-50px;width:40px;height:30px">'
                     '菜单</button></div></nav><main><p style="width:3em;font:16px monospace">2026-01-01</p>'
                     '<p style="width:5em;font:16px monospace;overflow-wrap:anywhere">**************1234</p></main>')
    problems = page.evaluate(CHECK, 0)
    assert any('"2026-01-01" splits' in p for p in problems), problems
    assert any('"**************1234" splits' in p for p in problems), problems
    assert any("header:" in p and "overlaps" in p for p in problems), problems
