"""The approvals queue pages by (service_date, id): every record appears exactly once walking
forward, walking back, and the 末页 link shows the oldest... newest rows; no OFFSET anywhere."""
import re
from datetime import date

from tests.factories import make_activity, make_record, make_team, make_volunteer


def _queue(app, n=7):
    team = make_team()
    acts = [make_activity(team=team, service_date=date(2026, 3, d)) for d in (3, 1, 2)]
    names = []
    for i in range(n):
        v = make_volunteer(name=f"排队{i:02d}")
        make_record(activity=acts[i % 3], volunteer=v, status="pending")
        names.append(v.name)
    from volunteer.extensions import db
    db.session.commit()
    return team


def _names(html):
    return re.findall(r"<td>(排队\d\d)</td>", html)


def _link(html, label):
    m = re.search(r'href="([^"#]+)">' + label + "<", html)
    return m.group(1).replace("&amp;", "&") if m else None


def test_walk_forward_back_and_last(app, client, login_as):
    app.config["PAGE_SIZE"] = 3
    _queue(app)
    login_as("office")
    seen, url, pages = [], "/hours/approvals", []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(_names(html))
        seen += pages[-1]
        url = _link(html, "下一页")
    assert len(seen) == 7 and len(set(seen)) == 7
    assert [len(p) for p in pages] == [3, 3, 1]
    # The oldest service date comes first (the 1st of March: volunteers 01 and 04).
    assert set(pages[0][:2]) == {"排队01", "排队04"}
    # 末页 from the first page shows the last three rows in the same order.
    first = client.get("/hours/approvals").get_data(as_text=True)
    last = client.get(_link(first, "末页")).get_data(as_text=True)
    assert _names(last) == seen[-3:]
    # 上一页 from the last page goes back without losing or repeating a row.
    back = client.get(_link(last, "上一页")).get_data(as_text=True)
    assert _names(back) == seen[-6:-3]


def test_filters_survive_paging_and_bad_cursors_show_page_one(app, client, login_as):
    app.config["PAGE_SIZE"] = 2
    team = _queue(app, n=5)
    _queue(app, n=3)  # another team's records stay out of the filtered walk
    login_as("office")
    html = client.get(f"/hours/approvals?team_id={team.id}").get_data(as_text=True)
    nxt = _link(html, "下一页")
    assert f"team_id={team.id}" in nxt
    for bad in ("x", "2026-13-01_1", "2026-03-01", "2026-03-01_-1", "2026-03-01_99999999999999999999"):
        r = client.get(f"/hours/approvals?after={bad}")
        assert r.status_code == 200
        assert len(_names(r.get_data(as_text=True))) == 2
