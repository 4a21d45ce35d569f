"""Report figures against totals worked out by hand from the records each test creates."""
from datetime import date, timedelta

from volunteer.extensions import db
from volunteer.reports import services

from tests import factories as f

Y = 2025
PERIOD = (date(Y, 1, 1), date(Y, 12, 31))


def _world():
    """Two teams, two categories, records of every status around the period's edges."""
    east = f.make_team("东队", kind="居委")
    west = f.make_team("西队", kind="职能部门")
    idle = f.make_team("闲队", kind="社会组织")
    f.make_team("停用队", kind="居委", is_active=False)
    clean = f.make_category("垃圾分类", sort_order=1)
    help_ = f.make_category("为民服务", sort_order=2)
    f.make_category("停用类别", sort_order=3, is_active=False)
    a = f.make_volunteer("张三", teams=[east], registered_on=date(Y, 1, 20))
    b = f.make_volunteer("李四", teams=[west, east], registered_on=date(Y, 3, 2))
    c = f.make_volunteer("王五", teams=[west], registered_on=date(Y - 1, 5, 1))
    jan = f.make_activity(east, "一月", service_date=date(Y, 1, 31), category=clean)
    feb = f.make_activity(east, "二月", service_date=date(Y, 2, 1), category=help_)
    wst = f.make_activity(west, "西队活动", service_date=date(Y, 2, 10), category=clean)
    old = f.make_activity(west, "去年", service_date=date(Y - 1, 12, 31), category=clean)
    nxt = f.make_activity(west, "明年", service_date=date(Y + 1, 1, 1), category=clean)
    pend = f.make_activity(west, "只有待审核", service_date=date(Y, 5, 5), category=help_)
    f.make_record(jan, a, minutes=100)            # approved: east / clean / 2025-01
    f.make_record(jan, c, minutes=50)             # a west member on an east activity counts for east
    f.make_record(feb, a, minutes=30)
    f.make_record(feb, b, minutes=45, status="pending")
    f.make_record(feb, c, minutes=500, status="void", void_reason="重复")
    f.make_record(wst, b, minutes=90)
    f.make_record(wst, c, minutes=20)
    f.make_record(old, a, minutes=600)            # outside the period
    f.make_record(nxt, a, minutes=600)
    f.make_record(pend, c, minutes=60, status="pending")
    db.session.commit()
    return dict(east=east, west=west, idle=idle, clean=clean, help=help_, a=a, b=b, c=c)


def test_by_team_counts_activity_team_and_only_approved(app):
    w = _world()
    rows = services.summary_by_team(*PERIOD)
    # east: jan (100 + 50) + feb (30) = 180 min, 3 records, 2 activities, volunteers a, c
    # west: wst (90 + 20) = 110 min, 2 records, 1 activity (the pending-only one is no activity), b, c
    # idle: zeros; the inactive team has nothing and is left out.
    assert rows == [
        {"team_id": w["east"].id, "name": "东队", "kind": "居委", "activities": 2, "records": 3, "minutes": 180,
         "hours": 3.0, "volunteers": 2},
        {"team_id": w["west"].id, "name": "西队", "kind": "职能部门", "activities": 1, "records": 2, "minutes": 110,
         "hours": 1.83, "volunteers": 2},
        {"team_id": w["idle"].id, "name": "闲队", "kind": "社会组织", "activities": 0, "records": 0, "minutes": 0,
         "hours": 0.0, "volunteers": 0},
    ]


def test_inactive_team_with_hours_is_still_listed(app):
    w = _world()
    w["west"].is_active = False
    db.session.commit()
    assert [r["name"] for r in services.summary_by_team(*PERIOD)] == ["东队", "西队", "闲队"]


def test_by_category_lists_every_active_category(app):
    w = _world()
    rows = services.summary_by_category(*PERIOD)
    # clean: jan 150 + wst 110 = 260 min, 4 records, 2 activities; help: feb 30, 1 record, 1 activity
    assert [(r["name"], r["activities"], r["records"], r["minutes"], r["hours"]) for r in rows] == [
        ("垃圾分类", 2, 4, 260, 4.33), ("为民服务", 1, 1, 30, 0.5)]
    assert rows[0]["category_id"] == w["clean"].id


def test_uncategorised_records_get_their_own_row(app):
    w = _world()
    loose = f.make_activity(w["east"], "无类别", service_date=date(Y, 7, 1), category=w["clean"])
    loose.category_id = None
    f.make_record(loose, w["a"], minutes=40)
    db.session.commit()
    rows = services.summary_by_category(*PERIOD)
    assert [r["name"] for r in rows] == ["垃圾分类", "未分类", "为民服务"]  # by hours, like the others
    assert rows[1] == {"category_id": None, "name": "未分类", "activities": 1, "records": 1, "minutes": 40, "hours": 0.67}
    assert sum(r["minutes"] for r in rows) == sum(r["minutes"] for r in services.summary_by_team(*PERIOD)) == 330


def test_by_month_has_months_with_activity_or_registration(app):
    _world()
    rows = services.summary_by_month(*PERIOD)
    # January: jan activity (150 min, 2 records) + 张三 registered; February: feb + wst (30 + 110),
    # March: only 李四's registration; May: a pending record only, so not listed.
    assert rows == [
        {"month": "2025-01", "activities": 1, "records": 2, "minutes": 150, "hours": 2.5, "new_volunteers": 1},
        {"month": "2025-02", "activities": 2, "records": 3, "minutes": 140, "hours": 2.33, "new_volunteers": 0},
        {"month": "2025-03", "activities": 0, "records": 0, "minutes": 0, "hours": 0.0, "new_volunteers": 1},
    ]


def test_scopes_by_team_and_category(app):
    w = _world()
    team_rows = services.summary_by_team(*PERIOD, team_ids=[w["west"].id])
    assert [(r["name"], r["minutes"]) for r in team_rows] == [("西队", 110)]
    months = services.summary_by_month(*PERIOD, team_ids=[w["west"].id])
    # west's records are all February; registrations of west members: 李四 in March (王五 registered earlier)
    assert [(r["month"], r["minutes"], r["new_volunteers"]) for r in months] == [("2025-02", 110, 0), ("2025-03", 0, 1)]
    cat_rows = services.summary_by_team(*PERIOD, category_ids=[w["help"].id])
    assert [(r["name"], r["records"], r["minutes"], r["activities"]) for r in cat_rows][:1] == [("东队", 1, 30, 1)]
    assert services.summary_by_category(*PERIOD, category_ids=[w["help"].id]) == [
        {"category_id": w["help"].id, "name": "为民服务", "activities": 1, "records": 1, "minutes": 30, "hours": 0.5}]
    assert services.summary_by_team(*PERIOD, team_ids=[]) == []


def test_ranking_ties_code_point_order_teams_and_all_time_star(app):
    east, west = f.make_team("B队"), f.make_team("A队")
    act = f.make_activity(east, service_date=date(Y, 6, 1))
    later = f.make_activity(east, service_date=date(Y, 6, 2))
    before = f.make_activity(west, service_date=date(Y - 1, 6, 1))
    zhang = f.make_volunteer("张三", teams=[east, west])
    li = f.make_volunteer("李四", teams=[east])
    anna = f.make_volunteer("Anna", teams=[])
    wang = f.make_volunteer("王五", teams=[west])
    zhao = f.make_volunteer("赵六", teams=[west])
    f.make_record(act, wang, minutes=300)
    f.make_record(act, zhang, minutes=120)
    f.make_record(act, li, minutes=120)
    f.make_record(act, anna, minutes=60)
    f.make_record(later, anna, minutes=60)  # Anna: 120 in two records, tied with 张三 and 李四
    f.make_record(act, zhao, minutes=30)
    f.make_record(before, zhang, minutes=300 * 60)  # all-time 302 hours: ★★, outside the period
    db.session.commit()
    rows = services.volunteer_ranking(*PERIOD)
    # code points: "A" (0x41) < 张 (0x5F20) < 李 (0x674E); pinyin would put 李 before 张
    assert [(r["rank"], r["name"], r["hours"]) for r in rows] == [
        (1, "王五", 5.0), (2, "Anna", 2.0), (2, "张三", 2.0), (2, "李四", 2.0), (5, "赵六", 0.5)]
    assert rows[2]["teams"] == "A队、B队" and rows[1]["teams"] == ""
    assert (rows[2]["stars"], rows[2]["stars_text"]) == (2, "★★")
    assert rows[0]["stars_text"] == ""
    page, total = services.ranking_page(*PERIOD, limit=2, offset=2)
    assert total == 5 and [(r["rank"], r["name"]) for r in page] == [(2, "张三"), (2, "李四")]
    assert services.ranking_count(*PERIOD) == 5


def test_hours_round_to_two_decimals(app):
    act = f.make_activity(service_date=date(Y, 3, 3))
    for minutes in (20, 20, 21):
        f.make_record(act, f.make_volunteer(registered_on=date(Y - 1, 1, 1)), minutes=minutes)
    db.session.commit()
    (row,) = [r for r in services.summary_by_month(*PERIOD)]
    assert (row["minutes"], row["hours"]) == (61, 1.02)
    assert sorted(r["hours"] for r in services.volunteer_ranking(*PERIOD)) == [0.33, 0.33, 0.35]


def test_dashboard_totals(app):
    w = _world()
    f.make_volunteer("注销者", registered_on=date(Y, 4, 1), status="cancelled")
    db.session.commit()
    data = services.dashboard(*PERIOD)
    # registered by 2025-12-31 and active: 张三, 李四, 王五 (the cancelled one is not);
    # new in the period: 张三, 李四, 注销者; served: 张三, 王五, 李四 (李四's feb record is pending, wst approved)
    assert data["totals"] == {"registered": 3, "active_volunteers": 3, "new_volunteers": 3, "activities": 3,
                              "records": 5, "minutes": 290, "hours": 4.83}
    assert [p["month"] for p in data["month_series"]] == [f"{Y}-{m:02d}" for m in range(1, 13)]
    assert data["by_team"] == services.summary_by_team(*PERIOD)
    assert data["by_category"] == services.summary_by_category(*PERIOD)
    assert data["by_month"] == services.summary_by_month(*PERIOD)
    assert data["ranking"] == [] and services.dashboard(*PERIOD, top=2)["ranking"] == services.volunteer_ranking(*PERIOD)[:2]
    scoped = services.dashboard(*PERIOD, team_ids=[w["west"].id])
    assert (scoped["totals"]["registered"], scoped["totals"]["minutes"], scoped["totals"]["active_volunteers"]) == (2, 110, 2)


def test_star_promotions(app):
    team, other = f.make_team("甲队"), f.make_team("乙队")
    old = f.make_activity(team, service_date=date(Y - 1, 6, 1))
    new = f.make_activity(team, service_date=date(Y, 6, 1))
    after = f.make_activity(team, service_date=date(Y + 1, 1, 5))
    crosses = f.make_volunteer("跨一级", teams=[team])
    jumps = f.make_volunteer("跨两级", teams=[other])
    stays = f.make_volunteer("未跨级", teams=[team])
    late = f.make_volunteer("期后才够", teams=[team])
    pending = f.make_volunteer("待审核", teams=[team])
    f.make_record(old, crosses, minutes=99 * 60)
    f.make_record(new, crosses, minutes=60)              # 99 -> 100: ★
    f.make_record(old, jumps, minutes=50 * 60)
    f.make_record(new, jumps, minutes=300 * 60)          # 50 -> 350: 0 -> ★★
    f.make_record(old, stays, minutes=120 * 60)
    f.make_record(new, stays, minutes=60 * 60)           # 120 -> 180: ★ -> ★
    f.make_record(new, late, minutes=60 * 60)
    f.make_record(after, late, minutes=60 * 60)          # 100 only after the period
    f.make_record(new, pending, minutes=200 * 60, status="pending")
    db.session.commit()
    rows = services.star_promotions(*PERIOD)
    assert [(r["name"], r["level_from"], r["level_to"], r["stars_to"], r["hours_from"], r["hours_to"], r["period_hours"])
            for r in rows] == [("跨两级", 0, 2, "★★", 50.0, 350.0, 300.0), ("跨一级", 0, 1, "★", 99.0, 100.0, 1.0)]
    assert [r["name"] for r in services.star_promotions(*PERIOD, team_ids=[team.id])] == ["跨一级"]


def test_inactive_teams(app, today):
    def team_with_last(name, days, status="approved"):
        team = f.make_team(name)
        if days is not None:
            f.make_record(f.make_activity(team, service_date=today - timedelta(days=days)), minutes=60, status=status)
        return team

    team_with_last("十天", 10)
    team_with_last("四十五天", 45)
    team_with_last("七十五天待审核", 75, status="pending")
    team_with_last("一百天", 100)
    team_with_last("作废的不算", 5, status="void")
    team_with_last("从未", None)
    team_with_last("明天的不算", -1)
    gone = team_with_last("停用", None)
    gone.is_active = False
    db.session.commit()
    rows = services.inactive_teams(today=today)
    assert [(r["name"], r["days"], r["bucket"]) for r in rows] == [
        ("从未", None, 90), ("作废的不算", None, 90), ("明天的不算", None, 90), ("一百天", 100, 90),
        ("七十五天待审核", 75, 60), ("四十五天", 45, 30)]
    assert rows[3]["last_date"] == today - timedelta(days=100)
