"""Training, commendations and evaluations as services: the rules, the scope, voiding, audit."""
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories as f
from volunteer.audit.models import AuditLog
from volunteer.errors import ServiceError, ValidationFailed
from volunteer.extensions import db
from volunteer.merits import queries, rules, services
from volunteer.merits.models import Evaluation

TODAY = date(2026, 6, 1)
TRAINING = {"title": "急救培训", "held_on": "2026-05-10", "hours": "2.5", "kind": "专业培训", "mode": "线上",
            "organiser": "区红十字会"}


def _actions():
    return [a.action for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]


def test_training_rules_accept_aliases_and_name_every_bad_field():
    clean = rules.clean_training(TRAINING, today=TODAY)
    assert (clean["minutes"], clean["kind"], clean["mode"]) == (150, "专业", "远程")
    with pytest.raises(ValidationFailed) as exc:
        rules.clean_training({"title": "", "held_on": "2026-07-01", "hours": "两小时", "kind": "高级"}, today=TODAY)
    fields = dict(exc.value.errors)
    assert set(fields) == {"title", "held_on", "hours", "kind"}
    assert "晚于今天" in fields["held_on"] and "数字" in fields["hours"] and "通用" in fields["kind"]


@pytest.mark.parametrize("value,message", [("0", "大于 0"), ("-1", "大于 0"), ("501", "不能超过"), ("", "请填写"),
                                           ("NaN", "数字")])
def test_training_hours_out_of_range(value, message):
    with pytest.raises(Exception) as exc:
        rules.training_minutes(value)
    assert message in exc.value.message


def test_scores_are_whole_numbers_from_one_to_five():
    assert rules.clean_evaluation({"punctuality": "5", "attitude": 4.0, "skill": "3分"})["skill"] == 3
    with pytest.raises(ValidationFailed) as exc:
        rules.clean_evaluation({"punctuality": "6", "attitude": "", "skill": "2.5"})
    assert [k for k, _ in exc.value.errors] == ["punctuality", "attitude", "skill"]


def test_training_attendance_is_added_once_voided_with_reason_and_audited(app):
    office = f.make_user("office")
    team = f.make_team()
    a, b = f.make_volunteer("甲", teams=[team]), f.make_volunteer("乙", teams=[team])
    training = services.create_training(office, TRAINING, team_id=team.id, today=TODAY)
    assert services.add_attendees(office, training, [a.id, b.id]) == {"added": 2, "unchanged": 0}
    assert services.add_attendees(office, training, [a.id]) == {"added": 0, "unchanged": 1}
    attendance = queries.trainings_of(a.id)[0][0]
    with pytest.raises(ServiceError):
        services.void_attendance(office, attendance, " ")
    services.void_attendance(office, attendance, "未到场")
    assert queries.trainings_of(a.id) == [] and len(queries.trainings_of(a.id, with_void=True)) == 1
    # Re-adding after a void is a new live row; the voided one stays as history.
    assert services.add_attendees(office, training, [a.id])["added"] == 1
    services.void_training(office, training, "重复登记")
    assert queries.trainings_of(a.id) == [] and queries.trainings_of(b.id) == []
    assert _actions() == ["training.create", "training.attend", "training.attendance_void", "training.attend",
                          "training.void"]


def test_a_leader_writes_only_for_the_teams_they_lead(app):
    mine, other = f.make_team(), f.make_team()
    leader = f.make_user("leader", teams=[mine])
    outsider = f.make_volunteer(teams=[other])
    with pytest.raises(ServiceError):
        services.create_training(leader, TRAINING, team_id=other.id, today=TODAY)
    with pytest.raises(ServiceError):
        services.create_training(leader, TRAINING, team_id=None, today=TODAY)
    with pytest.raises(ServiceError):
        services.add_commendation(leader, outsider, {"title": "优秀志愿者", "awarded_on": "2026-01-01"}, today=TODAY)
    record = f.make_record(f.make_activity(other), outsider)
    with pytest.raises(ServiceError):
        services.evaluate_record(leader, record, {"punctuality": 5, "attitude": 5, "skill": 5})
    office_training = services.create_training(None, TRAINING, team_id=None, today=TODAY)
    with pytest.raises(ServiceError):
        services.void_training(leader, office_training, "不对")


def test_commendation_recorded_under_the_leaders_team_and_voided(app):
    team = f.make_team()
    leader = f.make_user("leader", teams=[team])
    person = f.make_volunteer(teams=[team])
    item = services.add_commendation(leader, person, {"title": "优秀志愿者", "level": "区", "awarded_on": "2026-01-05",
                                                      "awarded_by": "长宁区文明办"}, today=TODAY)
    assert (item.team_id, item.level) == (team.id, "区级")
    services.void_commendation(leader, item, "名称写错")
    assert queries.commendations_of(person.id) == [] and item.void_reason == "名称写错"
    with pytest.raises(ServiceError, match="已作废"):
        services.void_commendation(leader, item, "再次")


def test_re_evaluating_voids_the_old_evaluation(app):
    team = f.make_team()
    leader = f.make_user("leader", teams=[team])
    person = f.make_volunteer(teams=[team])
    record = f.make_record(f.make_activity(team), person, status="pending")
    first = services.evaluate_record(leader, record, {"punctuality": 3, "attitude": 4, "skill": 5, "comment": "认真"})
    second = services.evaluate_record(leader, record, {"punctuality": 5, "attitude": 5, "skill": 5})
    db.session.flush()
    assert first.status == "void" and first.void_reason == "重新评价"
    assert [e.id for e in queries.evaluations_of(person.id)] == [second.id]
    assert second.average == 5.0
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "evaluation.create")
                               .order_by(AuditLog.id.desc())).first()
    assert entry.changes["before"]["punctuality"] == 3 and entry.changes["after"]["punctuality"] == 5
    record.status = "void"
    with pytest.raises(ServiceError, match="已作废"):
        services.evaluate_record(leader, record, {"punctuality": 5, "attitude": 5, "skill": 5})
    assert db.session.scalar(select(Evaluation).where(Evaluation.id == second.id)).status == "active"
