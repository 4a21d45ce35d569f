"""The audit log reads as Chinese sentences: who, what, which record by name, before → after;
never a raw action code or JSON."""
from datetime import date

from volunteer.extensions import db
from volunteer.hours import services as hours
from volunteer.hours.months import lock_month

from tests import factories as f


def test_hours_actions_read_as_sentences(client, login_as):
    team = f.make_team(name="绿化队")
    activity = f.make_activity(team, title="春季植树", service_date=date(2026, 3, 5))
    zhang = f.make_volunteer(name="张三", teams=[team])
    rec = f.make_record(activity, zhang, minutes=120, status="pending")
    db.session.commit()
    clerk = login_as("office")
    clerk.display_name = "王科员"
    hours.approve_records(clerk, [rec.id])
    hours.correct_record(clerk, rec, 90, "核对签到表")
    lock_month(clerk, "2026-03", today=date(2026, 4, 2))
    db.session.commit()
    html = client.get("/audit/").get_data(as_text=True)
    assert "王科员 审核通过 1 条时长记录：张三 在「春季植树」的时长记录" in html
    assert "王科员 将张三 在「春季植树」的时长记录由 2 小时 更正为 1.5 小时，原因：核对签到表" in html
    assert "王科员 锁定了 2026-03 的账" in html
    assert "hours.approve" not in html and "hours.correct" not in html and "month.lock" not in html
    assert "{" not in html.split('class="list-group mb-3 audit-log"')[1].split("</main>")[0]


def test_fallback_sentence_names_the_object_and_shows_before_after_in_words(client, login_as):
    team = f.make_team(name="绿化队")
    db.session.commit()
    from volunteer.audit.services import record
    record("cli", "team.update", "team", team.id, "修改队伍：绿化队", before={"is_active": True, "status": "active"},
           after={"is_active": False, "status": "cancelled"})
    record("cli", "something.odd", "team", team.id, None, after={"x": {"y": 1}})
    db.session.commit()
    login_as("office")
    html = client.get("/audit/").get_data(as_text=True)
    assert "命令行 修改了队伍「绿化队」" in html
    assert "正常" in html and "注销" in html and "→" in html
    assert "something.odd" not in html and '{"y"' not in html
