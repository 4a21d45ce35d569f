"""The pages: a training with its attendance picked like the hours screen, the volunteer page's
section with commendations and evaluations, /me, and voiding with a reason."""
from sqlalchemy import select

from tests import factories as f
from volunteer.extensions import db
from volunteer.merits import services
from volunteer.merits.models import Commendation, Evaluation, Training, TrainingAttendance

TRAINING = {"title": "急救培训", "held_on": "2026-05-10", "hours": "2.5", "kind": "专业", "mode": "面授",
            "organiser": "区红十字会"}


def test_leader_records_a_training_and_ticks_members(client, login_as):
    team, other = f.make_team("虹桥居委志愿服务队"), f.make_team()
    a, b = f.make_volunteer("张三", teams=[team]), f.make_volunteer("李四", teams=[team])
    f.make_volunteer("王五", teams=[other])
    login_as("leader", teams=[team])
    r = client.post("/merits/trainings/new", data={**TRAINING, "team_id": team.id})
    assert r.status_code == 302
    training = db.session.scalar(select(Training))
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "张三" in page and "李四" in page and "王五" not in page  # only the team's members to tick
    r = client.post(f"/merits/trainings/{training.id}", data={"people": [a.id], "action": "add"})
    assert r.status_code == 302
    page = client.get(f"/merits/trainings/{training.id}").get_data(as_text=True)
    assert 'id="attendance"' in page and "参训人员（1 人）" in page
    # An id outside the listed members adds nobody.
    client.post(f"/merits/trainings/{training.id}", data={"people": [9999], "action": "add"})
    assert db.session.scalar(select(db.func.count()).select_from(TrainingAttendance)) == 1


def test_bad_training_input_keeps_what_was_typed_with_a_message_per_field(client, login_as):
    team = f.make_team()
    login_as("leader", teams=[team])
    r = client.post("/merits/trainings/new", data={"title": "", "held_on": "2026-13-01", "hours": "两小时",
                                                   "kind": "通用", "mode": "面授", "organiser": "街道",
                                                   "team_id": team.id})
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "请填写培训主题" in page and "不是实际存在的日期" in page and "学时必须是数字" in page
    assert 'value="两小时"' in page and 'value="街道"' in page
    assert db.session.scalar(select(Training)) is None


def test_someone_from_elsewhere_is_added_by_name_and_mobile_only(client, login_as):
    team, other = f.make_team(), f.make_team()
    outsider = f.make_volunteer("赵六", teams=[other])
    leader = login_as("leader", teams=[team])
    training = services.create_training(leader, TRAINING, team_id=team.id, today=f.date(2026, 6, 1))
    db.session.commit()
    r = client.post(f"/merits/trainings/{training.id}",
                    data={"action": "find", "name": "赵六", "key": outsider.id_number[-4:]})
    assert "不能只填后4位" in r.get_data(as_text=True)
    assert db.session.scalar(select(TrainingAttendance)) is None
    r = client.post(f"/merits/trainings/{training.id}", data={"action": "find", "name": "赵六", "key": outsider.phone})
    assert r.status_code == 302
    assert db.session.scalar(select(TrainingAttendance.volunteer_id)) == outsider.id


def test_volunteer_page_section_commendation_and_evaluation(client, login_as):
    team = f.make_team()
    person = f.make_volunteer("张三", teams=[team])
    record = f.make_record(f.make_activity(team, "敬老院探访"), person)
    login_as("leader", teams=[team])
    page = client.get(f"/volunteers/{person.id}").get_data(as_text=True)
    assert 'id="merits"' in page and "暂无表彰记录" in page
    r = client.post(f"/merits/volunteers/{person.id}/commendations",
                    data={"title": "优秀志愿者", "level": "区级", "awarded_on": "2026-01-05", "awarded_by": "长宁区文明办"})
    assert r.status_code == 302
    r = client.post(f"/merits/volunteers/{person.id}/evaluations",
                    data={"record_id": record.id, "punctuality": "5", "attitude": "4", "skill": ""})
    assert "请为专业水平打分" in r.get_data(as_text=True)
    r = client.post(f"/merits/volunteers/{person.id}/evaluations",
                    data={"record_id": record.id, "punctuality": "5", "attitude": "4", "skill": "3", "comment": "准时"})
    assert r.status_code == 302
    page = client.get(f"/volunteers/{person.id}").get_data(as_text=True)
    assert "优秀志愿者" in page and "长宁区文明办" in page and "服务态度 4" in page and "准时" in page


def test_void_needs_a_reason_and_keeps_the_row(client, login_as):
    team = f.make_team()
    person = f.make_volunteer(teams=[team])
    office = login_as("office")
    item = services.add_commendation(office, person, {"title": "最美志愿者", "awarded_on": "2026-01-05"},
                                     today=f.date(2026, 6, 1))
    db.session.commit()
    r = client.post(f"/merits/commendations/{item.id}/void", data={"reason": ""})
    assert "作废必须填写原因" in r.get_data(as_text=True)
    r = client.post(f"/merits/commendations/{item.id}/void", data={"reason": "重复登记"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Commendation, item.id).status == "void"
    page = client.get(f"/volunteers/{person.id}").get_data(as_text=True)
    assert "已作废" in page and "重复登记" in page


def test_leader_of_another_team_cannot_write(client, login_as):
    team, other = f.make_team(), f.make_team()
    person = f.make_volunteer(teams=[team])
    office = f.make_user("office")
    item = services.add_commendation(office, person, {"title": "表彰", "awarded_on": "2026-01-05"},
                                     today=f.date(2026, 6, 1))
    login_as("leader", teams=[other])
    assert client.post(f"/merits/volunteers/{person.id}/commendations", data={"title": "x"}).status_code == 404
    assert client.post(f"/merits/commendations/{item.id}/void", data={"reason": "x"}).status_code == 404
    assert db.session.scalar(select(Evaluation)) is None


def test_me_shows_own_live_records_only(client, login_as):
    team = f.make_team()
    person = f.make_volunteer("张三", teams=[team])
    office = f.make_user("office")
    training = services.create_training(office, TRAINING, team_id=None, today=f.date(2026, 6, 1))
    services.add_attendees(office, training, [person.id])
    kept = services.add_commendation(office, person, {"title": "优秀志愿者", "awarded_on": "2026-01-05"},
                                     today=f.date(2026, 6, 1))
    dropped = services.add_commendation(office, person, {"title": "写错的表彰", "awarded_on": "2026-01-05"},
                                        today=f.date(2026, 6, 1))
    services.void_commendation(office, dropped, "写错")
    login_as(f.make_user("volunteer", username="13900000009", volunteer=person))
    page = client.get("/me").get_data(as_text=True)
    assert "急救培训" in page and kept.title in page and "写错的表彰" not in page


def test_office_downloads_and_the_audit_log_reads_in_chinese(client, login_as):
    team = f.make_team()
    person = f.make_volunteer("张三", teams=[team])
    office = login_as("office")
    training = services.create_training(office, TRAINING, team_id=None, today=f.date(2026, 6, 1))
    services.add_attendees(office, training, [person.id])
    db.session.commit()
    r = client.get("/merits/export?kind=training&from=2026-05-01")
    assert r.status_code == 200 and r.headers["Cache-Control"].startswith("private, no-store")
    assert "%E5%9F%B9%E8%AE%AD%E8%AE%B0%E5%BD%95" in r.headers["Content-Disposition"]  # 培训记录
    assert client.get("/merits/export?kind=nothing").status_code == 404
    page = client.get("/audit/").get_data(as_text=True)
    assert "登记培训：急救培训" in page and "training.create" not in page


def test_leader_evaluates_everyone_of_an_activity_on_one_sheet(client, login_as):
    team = f.make_team()
    a, b, c = (f.make_volunteer(n, teams=[team]) for n in ("张三", "李四", "王五"))
    activity = f.make_activity(team, "敬老院探访")
    ra, rb, _rc = (f.make_record(activity, p) for p in (a, b, c))
    login_as("leader", teams=[team])
    page = client.get(f"/merits/activities/{activity.id}/evaluations").get_data(as_text=True)
    assert "张三" in page and "王五" in page
    # 李四's card is incomplete: nothing is saved, the message sits on the card, 张三's scores stay.
    r = client.post(f"/merits/activities/{activity.id}/evaluations", data={
        f"punctuality-{ra.id}": "5", f"attitude-{ra.id}": "4", f"skill-{ra.id}": "4", f"comment-{ra.id}": "准时",
        f"punctuality-{rb.id}": "3"})
    body = r.get_data(as_text=True)
    assert "请为服务态度打分" in body and 'value="准时"' in body
    assert db.session.scalar(select(db.func.count()).select_from(Evaluation)) == 0
    r = client.post(f"/merits/activities/{activity.id}/evaluations", data={
        f"punctuality-{ra.id}": "5", f"attitude-{ra.id}": "4", f"skill-{ra.id}": "4", f"comment-{ra.id}": "准时"})
    assert r.status_code == 302
    again = client.post(f"/merits/activities/{activity.id}/evaluations", data={
        f"punctuality-{ra.id}": "5", f"attitude-{ra.id}": "4", f"skill-{ra.id}": "4", f"comment-{ra.id}": "准时"})
    assert again.status_code == 302
    assert [e.record_id for e in db.session.scalars(select(Evaluation))] == [ra.id]  # unchanged: no new row
    other = f.make_team()
    client.post("/logout")
    login_as("leader", teams=[other])
    assert client.get(f"/merits/activities/{activity.id}/evaluations").status_code == 404


def test_a_leader_sees_only_their_own_people_on_the_offices_training(client, login_as):
    mine, other = f.make_team(), f.make_team()
    member, stranger = f.make_volunteer("张三", teams=[mine]), f.make_volunteer("陌生人", teams=[other])
    office = f.make_user("office")
    training = services.create_training(office, TRAINING, team_id=None, today=f.date(2026, 6, 1))
    services.add_attendees(office, training, [member.id, stranger.id])
    login_as("leader", teams=[mine])
    page = client.get(f"/merits/trainings/{training.id}").get_data(as_text=True)
    assert "张三" in page and "陌生人" not in page and "登记参训人员" not in page
    assert client.post(f"/merits/trainings/{training.id}", data={"people": [member.id]}).status_code == 404
