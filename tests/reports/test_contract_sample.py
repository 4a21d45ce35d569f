"""The CONTRACT's sample (tests/fixtures/hours.xlsx, expected.json "summary"), rebuilt with
factories: the importer is someone else's, so the accepted rows are typed in here as data."""
import json
from datetime import date
from pathlib import Path

from volunteer import periods
from volunteer.extensions import db
from volunteer.reports import services

from tests import factories as f

EXPECTED = json.loads((Path(__file__).parents[1] / "fixtures" / "expected.json").read_text("utf-8"))["summary"]

TEAMS = [("乙锦绣居委志愿服务队", "居委"), ("乙虹馨居委志愿服务队", "居委"), ("乙龙柏居委志愿服务队", "居委"),
         ("乙古美居委志愿服务队", "居委"), ("乙城运中心志愿服务队", "职能部门"), ("乙社区卫生志愿服务队", "职能部门"),
         ("乙司法所志愿服务队", "职能部门")]
CATEGORIES = ["助力创全", "疫情防控", "文明传播", "文明交通", "垃圾分类", "为民服务"]
# (team, activity, category, date) and the accepted rows (good_rows 2-19 of hours.xlsx).
ACTIVITIES = {
    1: ("乙锦绣居委志愿服务队", "疫情防控志愿服务第1期", "助力创全", date(2026, 1, 3)),
    2: ("乙虹馨居委志愿服务队", "疫情防控志愿服务第2期", "疫情防控", date(2026, 2, 4)),
    3: ("乙龙柏居委志愿服务队", "文明交通志愿服务第3期", "文明传播", date(2026, 3, 5)),
    4: ("乙古美居委志愿服务队", "文明交通志愿服务第4期", "文明交通", date(2026, 4, 6)),
    5: ("乙城运中心志愿服务队", "垃圾分类志愿服务第5期", "垃圾分类", date(2026, 5, 7)),
    6: ("乙社区卫生志愿服务队", "为民服务志愿服务第6期", "为民服务", date(2026, 6, 8)),
}
ROWS = [("何洋伟", 1, 2), ("吴国", 1, 2), ("雷华", 1, 2), ("汪玉明", 2, 1.5), ("廖军建", 2, 3), ("张桂华", 2, 1),
        ("崔玉", 3, 2.5), ("许平浩", 3, 1), ("韦玉杰", 3, 1.5), ("肖超", 4, 1), ("吕玉兰", 4, 3), ("韦玉芳", 4, 1),
        ("杨然怡", 4, 1.5), ("朱磊", 5, 3), ("林子", 5, 2), ("张桂华", 5, 2), ("魏华丽", 6, 1), ("段涵", 6, 1.5)]


def build_sample():
    teams = {name: f.make_team(name, kind=kind) for name, kind in TEAMS}
    cats = {name: f.make_category(name, sort_order=i) for i, name in enumerate(CATEGORIES)}
    acts = {k: f.make_activity(teams[t], title, service_date=d, category=cats[c], start_time="09:00", end_time="12:00")
            for k, (t, title, c, d) in ACTIVITIES.items()}
    people = {}
    for name, act, hours in ROWS:
        if name not in people:
            people[name] = f.make_volunteer(name, registered_on=date(2025, 6, 1))
        f.make_record(acts[act], people[name], minutes=round(hours * 60))
    db.session.commit()
    return teams, cats, acts, people


def test_summary_matches_contract_sample(app):
    build_sample()
    date_from, date_to = periods.period_for(EXPECTED["year"])

    by_team = services.summary_by_team(date_from, date_to)
    assert [r["name"] for r in by_team][:1] == ["乙城运中心志愿服务队"]  # 7.0 hours, the most
    assert {r["name"]: {"activities": r["activities"], "records": r["records"], "hours": r["hours"],
                        "volunteers": r["volunteers"]} for r in by_team} == EXPECTED["by_team"]
    assert [r["hours"] for r in by_team] == sorted((r["hours"] for r in by_team), reverse=True)
    assert by_team[-1] == {"team_id": by_team[-1]["team_id"], "name": "乙司法所志愿服务队", "kind": "职能部门",
                           "activities": 0, "records": 0, "minutes": 0, "hours": 0.0, "volunteers": 0}

    by_category = services.summary_by_category(date_from, date_to)
    assert {r["name"]: {"activities": r["activities"], "records": r["records"], "hours": r["hours"]}
            for r in by_category} == EXPECTED["by_category"]
    assert [r["hours"] for r in by_category] == [7.0, 6.5, 6.0, 5.5, 5.0, 2.5]

    by_month = services.summary_by_month(date_from, date_to)
    assert [r["month"] for r in by_month] == sorted(EXPECTED["by_month"])
    assert {r["month"]: {"activities": r["activities"], "records": r["records"], "hours": r["hours"]}
            for r in by_month} == EXPECTED["by_month"]
    assert all(r["new_volunteers"] == 0 for r in by_month)

    ranking = services.volunteer_ranking(date_from, date_to)
    assert [[r["name"], r["hours"]] for r in ranking[:5]] == EXPECTED["top"]
    assert [r["rank"] for r in ranking[:5]] == [1, 1, 1, 1, 5]
    assert len(ranking) == 17  # 18 rows, 张桂华 twice


def test_the_summary_workbook_has_these_rows(app, tmp_path):
    """The export writes the same functions' rows (excel.exporters.export_summary)."""
    import openpyxl

    from volunteer.excel.exporters import export_summary

    build_sample()
    target = tmp_path / "summary.xlsx"
    export_summary(target, year=2026)
    book = openpyxl.load_workbook(target, read_only=True)
    sheets = [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in book.worksheets]
    assert [name for name, _ in sheets] == ["按队伍", "按类别", "按月份", "志愿者排行"]
    assert sheets[0][1][0] == ["队伍名称", "队伍类型", "活动次数", "参与人次", "服务时长", "参与志愿者数"]
    assert sheets[0][1][1] == ["乙城运中心志愿服务队", "职能部门", 1, 3, 7.0, 3]
    assert sheets[1][1][1] == ["垃圾分类", 1, 3, 7.0]
    assert sheets[2][1][0] == ["月份", "活动次数", "参与人次", "服务时长", "新注册志愿者"]
    assert sheets[2][1][1] == ["2026-01", 1, 3, 6.0, 0]
    assert sheets[3][1][0] == ["排名", "姓名", "所属队伍", "服务时长", "星级"]
    assert sheets[3][1][1][:2] == [1, "吕玉兰"] and sheets[3][1][1][3] == 3.0
    assert sheets[3][1][5][:2] == [5, "崔玉"] and sheets[3][1][5][3] == 2.5
